package io.aioduct.spring.metrics;

import io.aioduct.spring.http.AioductClientHttpConnector;
import io.micrometer.common.KeyValues;
import java.util.Objects;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.DefaultClientRequestObservationConvention;

/**
 * Spring's default convention for WebClient's {@code http.client.requests} plus the same two tags {@link
 * AioductClientRequestObservationConvention} puts on RestClient's: {@value
 * AioductClientRequestObservationConvention#CLIENT} and {@value AioductClientRequestObservationConvention#RUNTIME}
 * ({@value AioductClientRequestObservationConvention#NONE} when another connector carried the request, or the
 * exchange failed in a filter before reaching a connector). The connector names its client in the observation's
 * context ({@link AioductClientHttpConnector#clientOf}); the tags are read when the observation stops, after the
 * connector ran. To keep them under a convention of your own, extend this class. Thread-safe.
 */
public class AioductWebClientRequestObservationConvention extends DefaultClientRequestObservationConvention {
    private final AioductMeterBinder clients;

    /**
     * @param name the observation's name ({@code management.observations.http.client.requests.name}, by default
     *     {@code http.client.requests})
     * @param clients what knows the names of the engines the starter created
     */
    public AioductWebClientRequestObservationConvention(String name, AioductMeterBinder clients) {
        super(name);
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(ClientRequestObservationContext context) {
        return super.getLowCardinalityKeyValues(context).and(aioductKeyValues(context));
    }

    /** The two aioduct tags of the exchange {@code context} observes. */
    protected KeyValues aioductKeyValues(ClientRequestObservationContext context) {
        return AioductTags.of(AioductClientHttpConnector.clientOf(context), clients);
    }
}
