package io.aioduct.spring.metrics;

import io.aioduct.AioductClient;
import io.aioduct.spring.autoconfigure.RuntimeKind;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import org.jspecify.annotations.Nullable;

/**
 * The {@code aioduct.client} and {@code aioduct.runtime} tags of one Spring client request, written once for the
 * RestClient/RestTemplate convention and the WebClient one.
 */
final class AioductTags {
    private static final KeyValues NOT_AIODUCT = KeyValues.of(
            KeyValue.of(
                    AioductClientRequestObservationConvention.CLIENT, AioductClientRequestObservationConvention.NONE),
            KeyValue.of(
                    AioductClientRequestObservationConvention.RUNTIME, AioductClientRequestObservationConvention.NONE));

    private AioductTags() {}

    /** The tags of a request {@code client} carried, or the {@code none} pair when it is null. */
    static KeyValues of(@Nullable AioductClient client, AioductMeterBinder clients) {
        if (client == null) {
            return NOT_AIODUCT;
        }
        @Nullable String name = clients.clientName(client.engine());
        return KeyValues.of(
                KeyValue.of(
                        AioductClientRequestObservationConvention.CLIENT,
                        name == null ? AioductClientRequestObservationConvention.CUSTOM : name),
                KeyValue.of(
                        AioductClientRequestObservationConvention.RUNTIME,
                        RuntimeKind.tagOf(client.engine().runtime())));
    }
}
