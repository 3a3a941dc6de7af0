package io.aioduct.spring.autoconfigure;

import io.aioduct.policy.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The {@code aioduct.*} properties: which runtime runs the engine, its pools, the default timeouts,
 * headers and body limit of every client, and the shutdown grace period. Every value is checked when
 * the context starts ({@link AioductPropertiesValidator}); a bad one fails start-up with a message that
 * names the property and what it allows.
 *
 * <p>The runtime, compat ({@code aioduct.compat.*}), pool, HTTP/2 ({@code aioduct.http2.*}) and TLS
 * ({@code aioduct.tls.*}) settings map onto the engine in {@link EngineFactory}; the rest onto the client
 * bean.
 */
@ConfigurationProperties("aioduct")
public class AioductProperties implements Validator {

    private final Runtime runtime = new Runtime();

    private final Pool pool = new Pool();

    private final Timeouts timeouts = new Timeouts();

    private final Http2 http2 = new Http2();

    private final Tls tls = new Tls();

    private final Compat compat = new Compat();

    private final Retry retry = new Retry();

    /**
     * Headers added to every request that does not set them itself, by name. Applies to the aioduct
     * client bean and to every Spring HTTP client running on it.
     */
    private Map<String, String> defaultHeaders = new LinkedHashMap<>();

    /** User-Agent sent unless a request sets one; empty sends none. */
    private @Nullable String userAgent;

    /**
     * Largest response body read whole into memory (ResponseBody.bytes()/string()); past it the read
     * fails with BodyTooLargeException. Streamed bodies have no limit.
     */
    private DataSize maxBufferedBodySize = DataSize.ofMegabytes(16);

    private final Shutdown shutdown = new Shutdown();

    private final Decompression decompression = new Decompression();

    /**
     * More clients beside the default one, by name (lowercase letters, digits, dashes): each gets an engine of
     * its own and an AioductClient bean <name>AioductClient, qualified by the name. Keys: <name>.runtime.kind
     * (pooled, virtual or io-uring; required) and <name>.runtime.threads (event-loop threads; default one per
     * available processor). Every other setting is the default client's.
     */
    private Map<String, NamedClient> clients = new LinkedHashMap<>();

    private final Metrics metrics = new Metrics();

    private final Cookies cookies = new Cookies();
    private final Redirects redirects = new Redirects();

    /** Which proxy the engine's connections go through (docs/proxies.md). */
    @NestedConfigurationProperty
    private final ProxyProperties proxy = new ProxyProperties();

    public Runtime getRuntime() {
        return runtime;
    }

    public Pool getPool() {
        return pool;
    }

    public Timeouts getTimeouts() {
        return timeouts;
    }

    public Http2 getHttp2() {
        return http2;
    }

    public Tls getTls() {
        return tls;
    }

    public Compat getCompat() {
        return compat;
    }

    public Retry getRetry() {
        return retry;
    }

    public Map<String, String> getDefaultHeaders() {
        return defaultHeaders;
    }

    public void setDefaultHeaders(Map<String, String> defaultHeaders) {
        this.defaultHeaders = defaultHeaders;
    }

    public @Nullable String getUserAgent() {
        return userAgent;
    }

    public void setUserAgent(@Nullable String userAgent) {
        this.userAgent = userAgent;
    }

    public DataSize getMaxBufferedBodySize() {
        return maxBufferedBodySize;
    }

    public void setMaxBufferedBodySize(DataSize maxBufferedBodySize) {
        this.maxBufferedBodySize = maxBufferedBodySize;
    }

    public Shutdown getShutdown() {
        return shutdown;
    }

    public Map<String, NamedClient> getClients() {
        return clients;
    }

    public void setClients(Map<String, NamedClient> clients) {
        this.clients = clients;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public Cookies getCookies() {
        return cookies;
    }

    public Decompression getDecompression() {
        return decompression;
    }

    public Redirects getRedirects() {
        return redirects;
    }

    public ProxyProperties getProxy() {
        return proxy;
    }

    /** Spring Boot validates a properties object that is a {@link Validator} right after binding it. */
    @Override
    public boolean supports(Class<?> type) {
        return AioductProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        AioductPropertiesValidator.validate((AioductProperties) target, errors);
    }

    /** Compressed responses: the engine's io.aioduct.policy.Decompression. */
    public static class Decompression {
        /**
         * Whether requests that set no Accept-Encoding ask for gzip and deflate, and compressed response bodies
         * are decoded while they stream (Content-Encoding and Content-Length removed). Off hands every body back
         * as it arrived.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Which runtime runs the engine, and how. */
    public static class Runtime {

        /**
         * The runtime: pooled (platform threads on epoll), virtual (a virtual thread per request,
         * blocking sockets) or io-uring (thread-per-core on io_uring). Default: pooled, or virtual when
         * spring.threads.virtual.enabled=true; a value set here wins over that switch.
         */
        private @Nullable RuntimeKind kind;

        /**
         * Event-loop threads: the I/O threads of the pooled runtime, the cores of io-uring. The virtual
         * runtime has none and ignores it. Default: one per available processor.
         */
        private @Nullable Integer threads;

        /**
         * What io-uring does where io_uring cannot run: none fails start-up; epoll runs the same
         * thread-per-core model on epoll, with a warning.
         */
        private IoUringFallback ioUringFallback = IoUringFallback.NONE;

        public @Nullable RuntimeKind getKind() {
            return kind;
        }

        public void setKind(@Nullable RuntimeKind kind) {
            this.kind = kind;
        }

        public @Nullable Integer getThreads() {
            return threads;
        }

        public void setThreads(@Nullable Integer threads) {
            this.threads = threads;
        }

        public IoUringFallback getIoUringFallback() {
            return ioUringFallback;
        }

        public void setIoUringFallback(IoUringFallback ioUringFallback) {
            this.ioUringFallback = ioUringFallback;
        }
    }

    /** Connection pooling, per origin (scheme, host and port); on io-uring, per core. */
    public static class Pool {

        /** Most open (or opening) connections to one origin. */
        private int maxConnectionsPerOrigin = 256;

        /** Most idle connections kept for reuse per origin; a released connection beyond it is closed. */
        private int maxIdlePerOrigin = 256;

        /** How long an idle connection is kept before it is closed; 0 keeps it until the server closes it. */
        private Duration idleTimeout = Duration.ofSeconds(30);

        /** How long any connection lives before it is retired; 0 means no limit. */
        private Duration maxLifetime = Duration.ZERO;

        /** How long a request waits for a connection while the pool is full; 0 waits without limit. */
        private Duration acquireTimeout = Duration.ofSeconds(30);

        /** How many requests may wait for a connection per origin; more are refused at once. */
        private int maxPendingAcquires = 1024;

        public int getMaxConnectionsPerOrigin() {
            return maxConnectionsPerOrigin;
        }

        public void setMaxConnectionsPerOrigin(int maxConnectionsPerOrigin) {
            this.maxConnectionsPerOrigin = maxConnectionsPerOrigin;
        }

        public int getMaxIdlePerOrigin() {
            return maxIdlePerOrigin;
        }

        public void setMaxIdlePerOrigin(int maxIdlePerOrigin) {
            this.maxIdlePerOrigin = maxIdlePerOrigin;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Duration getMaxLifetime() {
            return maxLifetime;
        }

        public void setMaxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
        }

        public Duration getAcquireTimeout() {
            return acquireTimeout;
        }

        public void setAcquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = acquireTimeout;
        }

        public int getMaxPendingAcquires() {
            return maxPendingAcquires;
        }

        public void setMaxPendingAcquires(int maxPendingAcquires) {
            this.maxPendingAcquires = maxPendingAcquires;
        }
    }

    /**
     * Default timeouts of every exchange; 0 means no limit. Spring's own HTTP client settings
     * (spring.http.clients.connect-timeout, read-timeout), where given, win for Spring's clients.
     */
    public static class Timeouts {

        /** Establishing a connection (all resolved addresses together). */
        private Duration connect = Duration.ofSeconds(10);

        /** From sending the request until the response head arrives. */
        private Duration response = Duration.ofSeconds(30);

        /** Longest silence while waiting for bytes. */
        private Duration read = Duration.ofSeconds(30);

        /** The whole exchange: pool wait, connect, send, head and body. 0 means no limit. */
        private Duration total = Duration.ZERO;

        public Duration getConnect() {
            return connect;
        }

        public void setConnect(Duration connect) {
            this.connect = connect;
        }

        public Duration getResponse() {
            return response;
        }

        public void setResponse(Duration response) {
            this.response = response;
        }

        public Duration getRead() {
            return read;
        }

        public void setRead(Duration read) {
            this.read = read;
        }

        public Duration getTotal() {
            return total;
        }

        public void setTotal(Duration total) {
            this.total = total;
        }
    }

    /**
     * HTTP/2, the engine's Http2Options: offered by ALPN to https origins, optionally spoken directly
     * (h2c) to http ones; its flow-control windows, limits and keep-alive PINGs.
     */
    public static class Http2 {

        /** Whether ALPN offers h2 (before http/1.1) to https origins; the server chooses. */
        private boolean enabled = true;

        /** Whether http origins are spoken to in HTTP/2 directly (h2c by prior knowledge) instead of HTTP/1.1. */
        private boolean priorKnowledge = false;

        /**
         * Most HTTP/2 connections to one origin (per core on io-uring); another opens only when the
         * others carry as many streams as allowed, beyond that requests wait for a free stream.
         */
        private int maxConnectionsPerOrigin = 4;

        /** Our own cap on concurrent streams per connection, below the server's limit if lower. */
        private int maxConcurrentStreams = 1000;

        /** Flow-control window given to each response stream: how much of a body may arrive unread. */
        private DataSize streamWindow = DataSize.ofMegabytes(2);

        /** Flow-control window of a whole connection, shared by its streams. */
        private DataSize connectionWindow = DataSize.ofMegabytes(4);

        /** Largest frame payload accepted from servers (16KB to 16MB - 1 byte). */
        private DataSize maxFrameSize = DataSize.ofKilobytes(16);

        /** Largest response header list accepted; past it that stream fails. */
        private DataSize maxHeaderListSize = DataSize.ofKilobytes(64);

        /** How long a connection may stay silent before it is PINGed; 0 turns keep-alive PINGs off. */
        private Duration pingInterval = Duration.ofSeconds(30);

        /** How long a PING may go unanswered before the connection is closed. */
        private Duration pingTimeout = Duration.ofSeconds(10);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isPriorKnowledge() {
            return priorKnowledge;
        }

        public void setPriorKnowledge(boolean priorKnowledge) {
            this.priorKnowledge = priorKnowledge;
        }

        public int getMaxConnectionsPerOrigin() {
            return maxConnectionsPerOrigin;
        }

        public void setMaxConnectionsPerOrigin(int maxConnectionsPerOrigin) {
            this.maxConnectionsPerOrigin = maxConnectionsPerOrigin;
        }

        public int getMaxConcurrentStreams() {
            return maxConcurrentStreams;
        }

        public void setMaxConcurrentStreams(int maxConcurrentStreams) {
            this.maxConcurrentStreams = maxConcurrentStreams;
        }

        public DataSize getStreamWindow() {
            return streamWindow;
        }

        public void setStreamWindow(DataSize streamWindow) {
            this.streamWindow = streamWindow;
        }

        public DataSize getConnectionWindow() {
            return connectionWindow;
        }

        public void setConnectionWindow(DataSize connectionWindow) {
            this.connectionWindow = connectionWindow;
        }

        public DataSize getMaxFrameSize() {
            return maxFrameSize;
        }

        public void setMaxFrameSize(DataSize maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
        }

        public DataSize getMaxHeaderListSize() {
            return maxHeaderListSize;
        }

        public void setMaxHeaderListSize(DataSize maxHeaderListSize) {
            this.maxHeaderListSize = maxHeaderListSize;
        }

        public Duration getPingInterval() {
            return pingInterval;
        }

        public void setPingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
        }

        public Duration getPingTimeout() {
            return pingTimeout;
        }

        public void setPingTimeout(Duration pingTimeout) {
            this.pingTimeout = pingTimeout;
        }
    }

    /** TLS of https origins, the engine's TlsConfig. Certificate and host name verification are always on. */
    public static class Tls {

        /**
         * Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) whose trust material, key material (a
         * client certificate for mutual TLS), enabled protocols and ciphers the engine uses. Default: the
         * JDK's trust store, no client certificate, TLS 1.2 and 1.3.
         */
        private @Nullable String bundle;

        /** How long a TLS handshake may take, apart from the connect timeout. */
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        public @Nullable String getBundle() {
            return bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }

        public Duration getHandshakeTimeout() {
            return handshakeTimeout;
        }

        public void setHandshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
        }
    }

    /**
     * The compat runtime: legacy executor code and new code on one runtime, sharing the engine and its
     * pools while a codebase migrates.
     */
    public static class Compat {

        /**
         * Whether the engine runs on a compat runtime over the chosen runtime (pooled or virtual, not
         * io-uring): one set of threads for legacy ExecutorService/Future code and new CompletionStage code,
         * and blocking Spring clients (RestTemplate, RestClient) may be called from its tasks.
         */
        private boolean enabled = false;

        /**
         * Whether the compat runtime is also the application's task executor and scheduler (the
         * applicationTaskExecutor and taskScheduler beans), so @Async and @Scheduled methods run on it.
         * Needs aioduct.compat.enabled=true.
         */
        private boolean taskExecutor = false;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isTaskExecutor() {
            return taskExecutor;
        }

        public void setTaskExecutor(boolean taskExecutor) {
            this.taskExecutor = taskExecutor;
        }
    }

    /**
     * The client's retry policy (docs/retries.md), for the aioduct client bean and every Spring client on it.
     * Off by default: only the engine's own immediate resend of a request whose pooled connection was stale
     * or whose HTTP/2 stream was refused.
     */
    public static class Retry {
        // Defaults are literals (those of RetryPolicy.defaults()) so the metadata processor can read them.

        /** Whether failed calls are retried as the other aioduct.retry.* settings say. */
        private boolean enabled = false;

        /** Most attempts per call, the first included. */
        private int maxAttempts = 3;

        /**
         * Response statuses retried (400 to 599), typically 429 and 503; none by default. Only idempotent
         * requests, or those with an Idempotency-Key header, unless non-idempotent=true.
         */
        private List<Integer> statuses = new ArrayList<>();

        /**
         * Failures retried: connect-failed, connect-timeout and refused-stream (the server never saw the
         * request: any method), connection-closed (it may have: idempotent requests only).
         */
        private Set<RetryPolicy.Failure> failures = EnumSet.allOf(RetryPolicy.Failure.class);

        /** Back-off before the first retry, doubling for each further one. */
        private Duration initialBackoff = Duration.ofMillis(100);

        /** Longest back-off. */
        private Duration maxBackoff = Duration.ofSeconds(10);

        /** How each back-off is spread: full (0 to the back-off), equal (half to all of it) or none. */
        private RetryPolicy.Jitter jitter = RetryPolicy.Jitter.FULL;

        /** Longest Retry-After waited for; a response asking for longer is returned as it is. */
        private Duration maxRetryAfter = Duration.ofSeconds(30);

        /** Whether non-idempotent requests (POST, PATCH) without an Idempotency-Key are retried too. */
        private boolean nonIdempotent = false;

        private final Budget budget = new Budget();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public List<Integer> getStatuses() {
            return statuses;
        }

        public void setStatuses(List<Integer> statuses) {
            this.statuses = statuses;
        }

        public Set<RetryPolicy.Failure> getFailures() {
            return failures;
        }

        public void setFailures(Set<RetryPolicy.Failure> failures) {
            this.failures = failures;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public RetryPolicy.Jitter getJitter() {
            return jitter;
        }

        public void setJitter(RetryPolicy.Jitter jitter) {
            this.jitter = jitter;
        }

        public Duration getMaxRetryAfter() {
            return maxRetryAfter;
        }

        public void setMaxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = maxRetryAfter;
        }

        public boolean isNonIdempotent() {
            return nonIdempotent;
        }

        public void setNonIdempotent(boolean nonIdempotent) {
            this.nonIdempotent = nonIdempotent;
        }

        public Budget getBudget() {
            return budget;
        }

        /** The engine's policy for these settings (valid ones: the validator ran first). */
        RetryPolicy toPolicy() {
            RetryPolicy policy = RetryPolicy.defaults()
                    .withMaxAttempts(maxAttempts)
                    .withStatuses(statuses)
                    .withFailures(failures)
                    .withBackoff(initialBackoff, maxBackoff)
                    .withJitter(jitter)
                    .withMaxRetryAfter(maxRetryAfter)
                    .withNonIdempotent(nonIdempotent);
            return budget.isEnabled()
                    ? policy.withBudget(budget.getRatio(), budget.getMinRetries())
                    : policy.withoutBudget();
        }
    }

    /** The retry budget per origin: retries at most ratio of the calls plus min-retries. */
    public static class Budget {

        /** Whether retries to an origin are limited to a share of its calls, so a failing origin is not hammered. */
        private boolean enabled = true;

        /** Retries allowed per call to an origin (0.2: one retry for every five calls). */
        private double ratio = 0.2;

        /** Retries allowed beyond the ratio: a reserve that calls refill. */
        private int minRetries = 10;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public double getRatio() {
            return ratio;
        }

        public void setRatio(double ratio) {
            this.ratio = ratio;
        }

        public int getMinRetries() {
            return minRetries;
        }

        public void setMinRetries(int minRetries) {
            this.minRetries = minRetries;
        }
    }

    /** Shutting the engine down with the application context. */
    public static class Shutdown {

        /**
         * How long requests still in flight when the engines close (those sent after the shutdown phase, e.g.
         * from @PreDestroy) may finish; the rest then fail with RequestCancelledException. Requests in flight
         * when the context stops are waited for up to spring.lifecycle.timeout-per-shutdown-phase.
         */
        private Duration grace = Duration.ofSeconds(5);

        public Duration getGrace() {
            return grace;
        }

        public void setGrace(Duration grace) {
            this.grace = grace;
        }
    }

    /** One named client: its own engine on the runtime it names. */
    public static class NamedClient {

        private final NamedRuntime runtime = new NamedRuntime();

        public NamedRuntime getRuntime() {
            return runtime;
        }
    }

    /** The runtime of a named client's engine. */
    public static class NamedRuntime {

        /** The named client's runtime: pooled, virtual or io-uring. Required. */
        private @Nullable RuntimeKind kind;

        /**
         * Event-loop threads of the named client's runtime (pooled: I/O threads, io-uring: cores); the
         * virtual runtime ignores it. Default: one per available processor.
         */
        private @Nullable Integer threads;

        public @Nullable RuntimeKind getKind() {
            return kind;
        }

        public void setKind(@Nullable RuntimeKind kind) {
            this.kind = kind;
        }

        public @Nullable Integer getThreads() {
            return threads;
        }

        public void setThreads(@Nullable Integer threads) {
            this.threads = threads;
        }
    }

    /** Cookies kept and sent back by the aioduct client bean (docs/cookies.md). */
    public static class Cookies {

        /**
         * Whether the aioduct client bean keeps the cookies responses set and sends them back (RFC 6265bis, in
         * memory, one store shared by the bean and the Spring HTTP clients running on it). Off by default: a
         * client in a server usually calls on behalf of many users, whose cookies must not mix.
         * spring.http.clients.cookie-handling gives a Spring client a store of its own instead.
         */
        private boolean enabled = false;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The Micrometer binding: aioduct.* meters of every engine the starter creates (docs/metrics.md). */
    public static class Metrics {

        /** Whether the engines' aioduct.* meters are registered (needs micrometer-core and a MeterRegistry). */
        private boolean enabled = true;

        /**
         * Most distinct origins tagged by remote.address per client; requests to further origins are tagged
         * OTHER, so a client calling many hosts cannot explode the number of time series.
         */
        private int maxOrigins = 100;

        /**
         * Whether requests sent with an AioductClient bean directly are timed as aioduct.client.requests.
         * Requests through Spring's RestClient, RestTemplate and WebClient never are: Spring records them as
         * http.client.requests.
         */
        private boolean clientRequests = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxOrigins() {
            return maxOrigins;
        }

        public void setMaxOrigins(int maxOrigins) {
            this.maxOrigins = maxOrigins;
        }

        public boolean isClientRequests() {
            return clientRequests;
        }

        public void setClientRequests(boolean clientRequests) {
            this.clientRequests = clientRequests;
        }
    }

    /**
     * Which redirects every client follows (the engine's {@code RedirectPolicy}, docs/redirects.md). Spring's
     * {@code HttpClientSettings} redirects, where set, decide for the Spring clients built with them.
     */
    public static class Redirects {

        /**
         * Which redirects are followed: normal (never from https to http), always (https to http too), or never
         * (every 3xx is the response).
         */
        private Follow follow = Follow.NORMAL;

        /** Most redirects followed for one request; one more fails it, naming the limit. */
        private int maxHops = 20;

        /** Whether each hop sends a Referer naming the URI that redirected (never from https to http). */
        private boolean referer = false;

        public Follow getFollow() {
            return follow;
        }

        public void setFollow(Follow follow) {
            this.follow = follow;
        }

        public int getMaxHops() {
            return maxHops;
        }

        public void setMaxHops(int maxHops) {
            this.maxHops = maxHops;
        }

        public boolean isReferer() {
            return referer;
        }

        public void setReferer(boolean referer) {
            this.referer = referer;
        }

        /** The values of {@code aioduct.redirects.follow}. */
        public enum Follow {
            NORMAL,
            ALWAYS,
            NEVER
        }
    }
}
