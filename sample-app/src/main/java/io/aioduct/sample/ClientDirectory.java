package io.aioduct.sample;

import io.aioduct.AioductClient;
import io.aioduct.spring.autoconfigure.AioductClients;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * The aioduct clients the app can load, by name: what the dashboard's runtime choice maps to. {@code default}
 * is the auto-configured client, on the runtime {@code aioduct.runtime.kind} chose, and its Spring clients
 * come from the builders Spring Boot configures on it (the HTTP service interface from
 * {@code @ImportHttpServices}). Every named client ({@code aioduct.clients.<name>.*}, e.g. the {@code compare}
 * profile's {@code pooled}, {@code virtual} and {@code io-uring}) gets the same four Spring clients on its own
 * engine, through the starter's {@link AioductClients}.
 */
@Component
class ClientDirectory {

    static final String DEFAULT = AioductClients.DEFAULT;

    private final Map<String, ClientSet> clients = new LinkedHashMap<>();

    ClientDirectory(
            AioductClient client,
            AioductClients named,
            RestClient.Builder restClient,
            WebClient.Builder webClient,
            RestTemplateBuilder restTemplate,
            DownstreamApi downstream) {
        clients.put(
                DEFAULT,
                new ClientSet(
                        DEFAULT,
                        client,
                        client.engine().runtime().name(),
                        restClient.build(),
                        webClient.build(),
                        restTemplate.build(),
                        downstream));
        for (String name : named.names()) {
            if (name.equals(DEFAULT)) {
                continue;
            }
            AioductClient aioduct = named.client(name);
            RestClient rest = named.restClientBuilder(name).build();
            clients.put(
                    name,
                    new ClientSet(
                            name,
                            aioduct,
                            aioduct.engine().runtime().name(),
                            rest,
                            webClient
                                    .clone()
                                    .clientConnector(named.connector(name))
                                    .build(),
                            restTemplate
                                    .requestFactory(() -> named.requestFactory(name))
                                    .build(),
                            HttpServiceProxyFactory.builderFor(RestClientAdapter.create(rest))
                                    .build()
                                    .createClient(DownstreamApi.class)));
        }
    }

    List<String> names() {
        return List.copyOf(clients.keySet());
    }

    /** @throws BadRequestException naming {@code field} when no client has that name */
    ClientSet get(String field, String name) {
        ClientSet set = clients.get(name);
        if (set == null) {
            throw new BadRequestException(field, field + " must be one of " + names() + ", was '" + name + "'");
        }
        return set;
    }
}
