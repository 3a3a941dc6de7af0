// The whole of this file, from the package line on, is the application class of docs/getting-started.md
// ("A Spring Boot application"). ConsumerProjectTest copies it out of that page into a project of its own
// and runs it; it lives here, outside io.aioduct.sample, so that the build compiles it and DocsSnippetsTest
// keeps the page equal to it, while the sample app's component scan never sees it.
// tag::spring-boot-application[]
package com.example.demo;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

@SpringBootApplication
public class DemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }

    @Bean
    RestClient orders(RestClient.Builder builder, @Value("${orders.url}") String url) {
        return builder.baseUrl(url).build(); // Spring Boot's builder: it already runs on aioduct
    }

    @Bean
    ApplicationRunner printOrder(RestClient orders) {
        return args -> System.out.println(
                orders.get().uri("/orders/{id}", 42).retrieve().body(String.class));
    }
}
// end::spring-boot-application[]
