package io.aioduct.exchange;

import io.aioduct.Response;

/**
 * One exchange as a connection (HTTP/1.1 or HTTP/2) sees it: what to send, how long to wait, and where to report.
 * Implemented by the engine. The connection calls exactly one of {@link #onResponse} or {@link
 * #onFailure}, then (after a response) {@link #onComplete} once the message has fully arrived or been
 * aborted. Callbacks run on the connection's thread and must not block or throw.
 */
public interface ExchangeCall extends ExchangeSpec {

    /** The response head arrived. The body may still be streaming; failures after this go to the body. */
    void onResponse(Response response);

    /**
     * The exchange failed before a response was delivered. {@code retry} says whether the connection
     * judged it safe to send the request again (on another connection).
     */
    void onFailure(Throwable failure, Retry retry);

    /** The response message ended on the wire (or was aborted); the connection is already released. */
    void onComplete();
}
