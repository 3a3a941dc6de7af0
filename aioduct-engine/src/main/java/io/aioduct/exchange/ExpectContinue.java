package io.aioduct.exchange;

import io.aioduct.Request;
import io.aioduct.RequestBody;

/**
 * The one rule every driver (HTTP/1.1 and HTTP/2, loop and blocking) applies to {@code Expect:
 * 100-continue} (RFC 9110 §10.1.1): a request that carries it, and has content, sends its head and holds
 * its body back until
 *
 * <ul>
 *   <li>a 100 (Continue) arrives: the body goes;
 *   <li>the exchange's {@linkplain ExchangeSpec#expectContinueTimeoutNanos continue timeout} passes with
 *       nothing: the body goes anyway (a client must not wait indefinitely);
 *   <li>a final response arrives first: the body is never sent. On HTTP/1.1 the connection then ends with
 *       the exchange (the server may still be waiting for the body it announced); on HTTP/2 the stream is
 *       reset once the response is over and the connection goes on.
 * </ul>
 *
 * Other interim responses (103 Early Hints) do not release the body. Stateless and thread-safe.
 */
public final class ExpectContinue {
    private ExpectContinue() {}

    /**
     * How long {@code spec}'s body waits for a 100 (Continue), in nanoseconds; 0 to send it at once: the
     * request has no content, does not expect 100-continue, or the timeout is zero. Reads at most the one
     * {@code Expect} field, and allocates nothing.
     */
    public static long waitNanos(ExchangeSpec spec) {
        Request request = spec.request();
        RequestBody body = request.body();
        if (body == null || body.contentLength() == 0) {
            return 0; // nothing to hold back (RFC 9110 §10.1.1: no 100-continue without content)
        }
        long timeout = spec.expectContinueTimeoutNanos();
        if (timeout == 0) {
            return 0;
        }
        String expect = request.headers().first("Expect");
        return expect != null && expect.strip().equalsIgnoreCase("100-continue") ? timeout : 0;
    }

    /** The instant {@code nanos} after {@code now}, never 0 (which stands for "not held"). */
    public static long heldUntil(long now, long nanos) {
        long at = now + nanos;
        return at == 0 ? 1 : at;
    }
}
