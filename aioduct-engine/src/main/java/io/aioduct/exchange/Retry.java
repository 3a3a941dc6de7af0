package io.aioduct.exchange;

/** Whether a failed exchange may be sent again, as the connection judged the failure. */
public enum Retry {
    /** Never: the request may have been processed. */
    NEVER,
    /**
     * Only if the method is idempotent: a reused HTTP/1.1 connection broke before any response byte (the
     * server most likely closed it while idle, but may have seen the request).
     */
    IF_IDEMPOTENT,
    /**
     * Whatever the method: the server certainly did not process it (HTTP/2 REFUSED_STREAM, or a stream
     * above a GOAWAY's last stream id).
     */
    UNPROCESSED,
    /**
     * Nothing of the request left this client (the connection it was given closed, or stopped taking
     * streams, before the request was written): it goes to another connection without counting as a
     * retry, a few times at most.
     */
    NOT_SENT
}
