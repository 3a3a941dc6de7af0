package io.aioduct.sample;

import io.aioduct.AioductClient;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One aioduct client (engine, runtime, pools) as each of Spring's HTTP clients.
 *
 * @param name the client's name: {@code default} for the auto-configured client, else the named client's name;
 *     it is the {@code name} tag of the client's {@code aioduct.*} meters
 * @param runtime what the client's runtime calls itself, e.g. {@code io-uring(io_uring)}
 */
record ClientSet(
        String name,
        AioductClient aioduct,
        String runtime,
        RestClient restClient,
        WebClient webClient,
        RestTemplate restTemplate,
        DownstreamApi httpInterface) {}
