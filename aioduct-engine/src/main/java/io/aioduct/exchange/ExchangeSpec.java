package io.aioduct.exchange;

import io.aioduct.Request;
import io.aioduct.policy.Decompression;
import org.jspecify.annotations.Nullable;

/** What one exchange sends and how long it may take; resolved by the engine from client and request settings. */
public interface ExchangeSpec {

    Request request();

    /** The default User-Agent, or null to send none unless the request sets one. */
    @Nullable
    String userAgent();

    /** From sending the request until the response head arrives; 0 = no limit. */
    long responseTimeoutNanos();

    /** Longest wait for the next byte; 0 = no limit. */
    long readTimeoutNanos();

    /** Absolute deadline for the whole exchange (on the engine's {@link io.aioduct.Ticker} scale), or 0 for none. */
    long totalDeadlineNanos();

    /** The total timeout, for messages. */
    long totalTimeoutNanos();

    /** Largest body {@code bytes()} may buffer. */
    long maxBufferedBody();

    /**
     * Whether the driver adds {@code Accept-Encoding} ({@link Decompression#acceptEncoding()}) to a request
     * that has none, and how {@link Responses#received} decodes what comes back.
     */
    default Decompression decompression() {
        return Decompression.off();
    }

    /**
     * How long a body held back by {@code Expect: 100-continue} waits for the 100 (Continue); 0 sends it at
     * once. {@link ExpectContinue#waitNanos} applies it.
     */
    default long expectContinueTimeoutNanos() {
        return 0;
    }

    /** The exchange's event bookkeeping; {@link ExchangeEvents#NONE} when the engine has no listener. */
    default ExchangeEvents events() {
        return ExchangeEvents.NONE;
    }
}
