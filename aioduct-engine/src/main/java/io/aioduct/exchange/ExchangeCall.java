package io.aioduct.exchange;

import io.aioduct.Response;

/**
 * One exchange as a connection (HTTP/1.1 or HTTP/2, loop or blocking) sees it: what to send, how long to
 * wait, and where to report. Implemented by the engine's exchanges; the one failure shape of both
 * drivers.
 *
 * <p>The connection calls {@link #release} exactly once, as soon as the wire is done with the exchange
 * (message ended, aborted or failed) and before anyone is told, so the connection can be reused at once;
 * the exchange, which holds the lease, gives it back to its pool then. Around that it calls exactly one
 * of {@link #onResponse} or {@link #onFailure}, and (after a response) {@link #onComplete} once the
 * message has fully arrived or been aborted. A blocking connection also returns the response (or throws
 * the failure it reported) from its {@code exchange} method. Callbacks run on the connection's thread
 * and must not block or throw.
 */
public interface ExchangeCall extends ExchangeSpec {

    /** The response head arrived. The body may still be streaming; failures after this go to the body. */
    void onResponse(Response response);

    /**
     * The exchange failed before a response was delivered. {@code retry} says whether the connection
     * judged it safe to send the request again (on another connection).
     */
    void onFailure(Throwable failure, Retry retry);

    /**
     * The wire is done with this exchange on {@code connection}: the exchange gives that connection back
     * to its pool, for reuse if {@code reusable}, else to be retired. Exactly once per attempt started on a
     * connection, before {@link #onComplete} and before the response body's end is signalled; before
     * {@link #onFailure} on a loop connection. A blocking HTTP/2 connection may release from its reader
     * thread after the failed attempt's own thread has already moved on (to a retry on another connection),
     * which is why the connection names itself rather than the exchange remembering which one it held.
     */
    void release(PooledConnection connection, boolean reusable);

    /** The response message ended on the wire (or was aborted); the connection is already released. */
    void onComplete();
}
