package io.aioduct.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.env.PropertyResolver;

/**
 * Says at start, once per application context, which of Spring's HTTP clients Spring Boot's {@code
 * spring.http.clients.imperative.factory} / {@code spring.http.clients.reactive.connector} hand to another
 * library: with either property set the starter's builder backs off and those clients quietly stop running
 * on aioduct, while {@code AioductClient} beans still do. Logged at INFO: the property is a choice, but one a
 * copied configuration can make without anyone noticing.
 */
final class SpringClientChoices implements SmartInitializingSingleton {
    private static final Logger log = LoggerFactory.getLogger(SpringClientChoices.class);

    static final String IMPERATIVE_FACTORY = "spring.http.clients.imperative.factory";
    static final String REACTIVE_CONNECTOR = "spring.http.clients.reactive.connector";

    private final PropertyResolver properties;

    SpringClientChoices(PropertyResolver properties) {
        this.properties = properties;
    }

    @Override
    public void afterSingletonsInstantiated() {
        lines(properties).forEach(log::info);
    }

    /** One line per property that takes clients away from aioduct; empty when neither is set. */
    static List<String> lines(PropertyResolver properties) {
        List<String> lines = new ArrayList<>();
        String factory = properties.getProperty(IMPERATIVE_FACTORY);
        if (factory != null) {
            lines.add(IMPERATIVE_FACTORY + "=" + factory
                    + ": RestClient, RestTemplate and HTTP service clients on RestClient use " + library(factory)
                    + ", not aioduct (AioductClient beans still do; remove the property to put them back)");
        }
        String connector = properties.getProperty(REACTIVE_CONNECTOR);
        if (connector != null) {
            lines.add(REACTIVE_CONNECTOR + "=" + connector
                    + ": WebClient and HTTP service clients on WebClient use " + library(connector)
                    + ", not aioduct (AioductClient beans still do; remove the property to put them back)");
        }
        return lines;
    }

    /** The library behind a value of Spring Boot's {@code Factory} / {@code Connector} enums, bound leniently. */
    private static String library(String value) {
        return switch (value.trim().toUpperCase(Locale.ROOT).replace('-', '_')) {
            case "HTTP_COMPONENTS" -> "Apache HttpComponents";
            case "JETTY" -> "Jetty's client";
            case "REACTOR" -> "Reactor Netty";
            case "JDK" -> "the JDK's HttpClient";
            case "SIMPLE" -> "HttpURLConnection (Spring's simple factory)";
            default -> "the client it names";
        };
    }
}
