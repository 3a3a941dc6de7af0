package io.aioduct.chain;

import io.aioduct.Request;
import io.aioduct.Response;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One kind of follow-up request: a redirect, an answer to an authentication challenge, a retry. After
 * every response (and every failure) the chain asks its follow-ups in order; the first that returns a
 * {@link Next} decides, the others are not asked. A follow-up that decides owns the response from then on:
 * it drains or closes it ({@link FollowUpCall#discard}). One that returns null must leave it untouched.
 *
 * <p>Implementations are stateless and thread-safe; what they count per call (hops, attempts, challenges
 * answered) lives in the {@link FollowUpCall}.
 */
public interface FollowUp {

    /**
     * The request to send after {@code response} (the answer to {@code sent}), or null to hand the response
     * back. May throw an {@code AioductException} to fail the call (say, a redirect limit); the chain closes
     * the response then.
     */
    @Nullable
    Next onResponse(FollowUpCall call, Request sent, Response response);

    /** The request to send again after {@code failure} (an unwrapped engine failure), or null to fail. */
    default @Nullable Next onFailure(FollowUpCall call, Request sent, Throwable failure) {
        return null;
    }

    /** What to send next, and how long to wait first ({@link Duration#ZERO}: at once). */
    record Next(Request request, Duration delay) {
        public static Next now(Request request) {
            return new Next(request, Duration.ZERO);
        }
    }
}
