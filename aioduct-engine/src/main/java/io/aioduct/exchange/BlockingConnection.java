package io.aioduct.exchange;

import io.aioduct.Response;
import java.util.concurrent.Executor;

/**
 * A connection over a blocking socket (HTTP/1.1 or HTTP/2), as the engine's exchanges see it: the
 * calling thread runs the exchange itself.
 */
public interface BlockingConnection extends PooledConnection {

    /** What event listeners see of this connection. */
    ConnectionTag tag();

    /**
     * Sends the request and waits for the response head on the calling thread, reporting to {@code call}
     * as every connection does ({@link ExchangeCall}): {@link ExchangeCall#release} once the wire is done
     * with it, {@link ExchangeCall#onComplete} when an exchange whose response was handed out is over
     * (body ended, aborted or failed). When it fails before the response, it reports {@link
     * ExchangeCall#onFailure} with how it judged the failure (whether it may be sent again) and then
     * throws that failure; {@code onComplete} does not run: the caller decides between a retry and
     * failing, and ends the exchange itself.
     *
     * @param blockingExecutor where async body reads run when the caller is not a virtual thread
     */
    Response exchange(ExchangeCall call, Executor blockingExecutor);

    /** The exchange on the calling thread ran past its total timeout: wake it with that error. Any thread. */
    void expire();

    /**
     * Aborts the exchange of {@code spec} (its future was cancelled). HTTP/1.1 closes the connection;
     * HTTP/2 resets just that stream. Any thread.
     */
    default void cancel(ExchangeSpec spec, String reason) {
        close(reason);
    }
}
