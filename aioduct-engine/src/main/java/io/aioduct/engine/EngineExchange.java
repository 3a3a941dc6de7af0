package io.aioduct.engine;

import io.aioduct.Request;
import io.aioduct.exchange.ExchangeCall;
import io.aioduct.policy.Decompression;
import io.aioduct.tls.TlsConfig;
import org.jspecify.annotations.Nullable;

/**
 * What both exchange drivers share about one exchange: the request and its resolved settings (timeouts
 * against the client's defaults, the total deadline on the engine's clock), as the connection reads
 * them through {@link io.aioduct.exchange.ExchangeSpec}. The drivers ({@link LoopExchange}, {@link
 * BlockingExchange}) differ in how they wait and where they run.
 */
abstract class EngineExchange implements ExchangeCall {
    final Request request;
    private final @Nullable String userAgent;
    final long connectNanos;
    private final long responseNanos;
    private final long readNanos;
    final long totalNanos;
    final long totalDeadline;
    private final long maxBuffered;
    private final Decompression decompression;
    private final long expectContinueNanos;
    /** The client's TLS settings, or null for the engine's: part of the route ({@link PoolHome#poolFor}). */
    final @Nullable TlsConfig tls;

    /** @param now the engine's clock when the exchange began: the total timeout counts from here */
    EngineExchange(Request request, ExchangeSettings settings, long now) {
        this.request = request;
        this.userAgent = settings.userAgent();
        this.connectNanos = Deadlines.connect(request, settings);
        this.responseNanos = Deadlines.response(request, settings);
        this.readNanos = Deadlines.read(request, settings);
        this.totalNanos = Deadlines.total(request, settings);
        this.totalDeadline = Deadlines.deadline(now, totalNanos);
        this.maxBuffered = settings.maxBufferedBody();
        this.decompression = settings.decompression();
        this.expectContinueNanos = Deadlines.expectContinue(request, settings);
        this.tls = settings.tls();
    }

    /**
     * The caller cancelled the exchange's future (any thread): stop waiting for a connection, or abort
     * on the connection, releasing it.
     */
    abstract void abort();

    /** What is left of the total timeout at {@code now}: 0 for none, else at least 1. */
    final long remainingTotal(long now) {
        if (totalDeadline == 0) return 0;
        return Math.max(1, totalDeadline - now);
    }

    /** The connect timeout, cut short by what is left of the total timeout. */
    final long connectLimit(long now) {
        return Deadlines.min(connectNanos, remainingTotal(now));
    }

    @Override
    public final Request request() {
        return request;
    }

    @Override
    public final @Nullable String userAgent() {
        return userAgent;
    }

    @Override
    public final long responseTimeoutNanos() {
        return responseNanos;
    }

    @Override
    public final long readTimeoutNanos() {
        return readNanos;
    }

    @Override
    public final long totalDeadlineNanos() {
        return totalDeadline;
    }

    @Override
    public final long totalTimeoutNanos() {
        return totalNanos;
    }

    @Override
    public final long maxBufferedBody() {
        return maxBuffered;
    }

    @Override
    public final Decompression decompression() {
        return decompression;
    }

    public final long expectContinueTimeoutNanos() {
        return expectContinueNanos;
    }
}
