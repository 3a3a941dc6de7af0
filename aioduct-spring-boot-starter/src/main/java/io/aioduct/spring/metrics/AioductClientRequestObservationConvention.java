package io.aioduct.spring.metrics;

import io.aioduct.AioductClient;
import io.aioduct.spring.http.AioductClientHttpRequestFactory;
import io.micrometer.common.KeyValues;
import java.util.Objects;
import org.springframework.http.client.observation.ClientRequestObservationContext;
import org.springframework.http.client.observation.DefaultClientRequestObservationConvention;

/**
 * Spring's default convention for {@code http.client.requests} (RestClient, RestTemplate, HTTP service
 * interfaces on them) plus two low-cardinality tags saying which aioduct client carried the request: {@value
 * #CLIENT} (the client's name: {@code default} or a named client's) and {@value #RUNTIME} ({@code pooled},
 * {@code virtual}, {@code io-uring}, {@code compat}). Requests another request factory sent are tagged
 * {@value #NONE} in both, so every {@code http.client.requests} meter has the same tag keys; an aioduct
 * engine the application built itself is tagged {@value #CUSTOM} as its client.
 *
 * <p>The client is found from the observation's request (RestClient's own, unless interceptors wrap it) or,
 * failing that, its response: a request that went through a RestClient's interceptors and failed before any
 * response is tagged {@value #NONE}. To keep these tags under a convention of your own, extend this class.
 * WebClient's requests get the same tags from {@link AioductWebClientRequestObservationConvention}.
 * Thread-safe.
 */
public class AioductClientRequestObservationConvention extends DefaultClientRequestObservationConvention {
    /** The tag naming the aioduct client that carried the request. */
    public static final String CLIENT = "aioduct.client";

    /** The tag naming the runtime of that client. */
    public static final String RUNTIME = "aioduct.runtime";

    /** Both tags' value for a request aioduct did not carry. */
    public static final String NONE = "none";

    /** The client tag of an engine the starter did not create. */
    public static final String CUSTOM = "custom";

    private final AioductMeterBinder clients;

    /**
     * @param name the observation's name ({@code management.observations.http.client.requests.name}, by default
     *     {@code http.client.requests})
     * @param clients what knows the names of the engines the starter created
     */
    public AioductClientRequestObservationConvention(String name, AioductMeterBinder clients) {
        super(name);
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(ClientRequestObservationContext context) {
        return super.getLowCardinalityKeyValues(context).and(aioductKeyValues(context));
    }

    /** The {@value #CLIENT} and {@value #RUNTIME} tags of the request {@code context} observes. */
    protected KeyValues aioductKeyValues(ClientRequestObservationContext context) {
        AioductClient client = AioductClientHttpRequestFactory.clientOf(context.getCarrier());
        if (client == null) {
            client = AioductClientHttpRequestFactory.clientOf(context.getResponse());
        }
        return AioductTags.of(client, clients);
    }
}
