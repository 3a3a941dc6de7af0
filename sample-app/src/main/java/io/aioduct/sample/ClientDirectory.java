package io.aioduct.sample;

import io.aioduct.AioductClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The aioduct clients the app can load, by name: what the dashboard's runtime choice maps to. {@code default}
 * is the auto-configured client, on the runtime {@code aioduct.runtime.kind} chose; every Spring client here
 * comes from the builders Spring Boot configures on it.
 */
@Component
class ClientDirectory {

    static final String DEFAULT = "default";

    private final Map<String, ClientSet> clients = new LinkedHashMap<>();

    ClientDirectory(
            AioductClient client,
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
