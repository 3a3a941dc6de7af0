package io.aioduct;

import io.aioduct.chain.Authentication;
import io.aioduct.chain.Bridge;
import io.aioduct.chain.Cookies;
import io.aioduct.chain.Delays;
import io.aioduct.chain.FollowUp;
import io.aioduct.chain.FollowUps;
import io.aioduct.chain.Redirects;
import io.aioduct.chain.Retries;
import io.aioduct.concurrent.Completions;
import io.aioduct.engine.ExchangeSettings;
import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;
import io.aioduct.policy.Authenticator;
import io.aioduct.policy.CookieStore;
import io.aioduct.policy.Decompression;
import io.aioduct.policy.RedirectPolicy;
import io.aioduct.policy.RetryPolicy;
import io.aioduct.tls.TlsConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP client: immutable settings (timeouts, default headers, User-Agent, body limit, interceptors)
 * over an {@link HttpEngine} that owns the runtime and the connection pools. Build one with {@link
 * #builder(HttpEngine)}; derive variants with {@link #newBuilder()}, which share the engine.
 *
 * <pre>{@code
 * try (HttpEngine engine = Aioduct.pooled()) {
 *     AioductClient client = AioductClient.builder(engine).build();
 *     String body = client.get("http://127.0.0.1:8080/hello").execute().body().string();
 * }
 * }</pre>
 *
 * <p>Threading: thread-safe; share one client. Lifecycle: the client holds nothing to close; close its
 * engine. Failures are {@link AioductException}s; a malformed URL or header is an {@link
 * IllegalArgumentException} when the request is built.
 */
public final class AioductClient {
    private final HttpEngine engine;
    private final ExchangeSettings settings;
    private final HttpHeaders defaultHeaders;
    private final List<Interceptor> interceptors;
    private final List<Interceptor> networkInterceptors;
    private final RedirectPolicy redirects;
    private final FollowUps policies;
    private final Authenticator authenticator;
    private final @Nullable CookieStore cookieStore;
    private final RetryPolicy retryPolicy;
    /** Sends without any interceptor or policy: the engine alone. */
    private final boolean direct;

    private final InterceptorChain.Terminal toPolicies = this::policies;
    private final InterceptorChain.Terminal toEngine = this::engine;
    private final java.util.function.Function<Request, CompletableFuture<Response>> toEngineAsync =
            r -> engine().send(r, settings());
    private final FollowUps.BlockingAttempt toEngineBlocking = r -> engine().execute(r, settings());

    private AioductClient(Builder b) {
        this.engine = b.engine;
        this.settings = new ExchangeSettings(
                b.connectTimeout,
                b.responseTimeout,
                b.readTimeout,
                b.totalTimeout,
                b.maxBufferedBody,
                b.userAgent,
                b.decompression,
                b.expectContinueTimeout,
                b.tls);
        this.defaultHeaders = b.defaultHeaders.build();
        this.interceptors = List.copyOf(b.interceptors);
        this.networkInterceptors = List.copyOf(b.networkInterceptors);
        this.authenticator = b.authenticator;
        this.cookieStore = b.cookieStore;
        this.redirects = b.redirects;
        this.retryPolicy = b.retries;
        this.policies = policyChain(b);
        this.direct = interceptors.isEmpty() && networkInterceptors.isEmpty() && policies.isEmpty();
    }

    /**
     * The built-in policies in their one order (docs/policies.md): after the user's interceptors, follow-ups
     * are asked in this order: redirects, then authentication challenges, then retries; every request sent,
     * follow-ups included, then passes the bridges (cookies) and the network interceptors to the engine.
     */
    private static FollowUps policyChain(Builder b) {
        List<FollowUp> followUps = new ArrayList<>();
        List<Bridge> bridges = new ArrayList<>();
        // Follow-ups, asked in this order: redirects, authentication challenges, retries.
        if (!b.redirects.isNever()) {
            followUps.add(new Redirects(b.redirects, b.engine.config().eventListener()));
        }
        if (b.authenticator != Authenticator.NONE) {
            followUps.add(new Authentication(
                    b.authenticator, EventListener.guarded(b.engine.config().eventListener())));
        }
        // Retries last: a redirect or a challenge is answered before a status is retried.
        if (!b.retries.isNone()) {
            followUps.add(new Retries(b.retries, b.engine.config().eventListener()));
        }
        // Bridges, on every request sent: cookies.
        if (b.cookieStore != null) bridges.add(new Cookies(b.cookieStore));
        if (followUps.isEmpty() && bridges.isEmpty()) {
            return FollowUps.NONE;
        }
        return new FollowUps(followUps, bridges, b.delays != null ? b.delays : Delays.of(b.engine.runtime()));
    }

    /** A builder for a client on {@code engine}, with every setting at its default. */
    public static Builder builder(HttpEngine engine) {
        return new Builder(Objects.requireNonNull(engine, "engine"));
    }

    /** A builder starting from this client's settings, for a client that shares its engine. */
    public Builder newBuilder() {
        return newBuilder(engine);
    }

    /**
     * A builder starting from this client's settings (timeouts, headers, interceptors), for a client on
     * {@code engine} instead: another engine on the same runtime with other fixed settings, such as TLS.
     */
    public Builder newBuilder(HttpEngine engine) {
        Builder b = new Builder(Objects.requireNonNull(engine, "engine"));
        b.connectTimeout = settings.connectTimeout();
        b.responseTimeout = settings.responseTimeout();
        b.readTimeout = settings.readTimeout();
        b.totalTimeout = settings.totalTimeout();
        b.maxBufferedBody = settings.maxBufferedBody();
        b.userAgent = settings.userAgent();
        b.decompression = settings.decompression();
        b.expectContinueTimeout = settings.expectContinueTimeout();
        b.tls = settings.tls();
        b.defaultHeaders.addAll(defaultHeaders);
        b.interceptors.addAll(interceptors);
        b.networkInterceptors.addAll(networkInterceptors);
        b.authenticator = authenticator;
        b.cookieStore = cookieStore;
        b.redirects = redirects;
        b.retries = retryPolicy;
        return b;
    }

    public HttpEngine engine() {
        return engine;
    }

    public ExchangeSettings settings() {
        return settings;
    }

    public HttpHeaders defaultHeaders() {
        return defaultHeaders;
    }

    /** The store this client keeps cookies in ({@link Builder#cookieStore}); empty when cookies are off. */
    public Optional<CookieStore> cookieStore() {
        return Optional.ofNullable(cookieStore);
    }

    /** Which redirects this client follows ({@link Builder#redirects}). */
    public RedirectPolicy redirects() {
        return redirects;
    }

    /** Which failed calls this client sends again ({@link Builder#retries}). */
    public RetryPolicy retries() {
        return retryPolicy;
    }

    public Request.Builder get(String url) {
        return Request.builder("GET", url, this);
    }

    public Request.Builder get(URI uri) {
        return Request.builder("GET", uri, this);
    }

    public Request.Builder head(String url) {
        return Request.builder("HEAD", url, this);
    }

    public Request.Builder post(String url) {
        return Request.builder("POST", url, this);
    }

    public Request.Builder put(String url) {
        return Request.builder("PUT", url, this);
    }

    public Request.Builder patch(String url) {
        return Request.builder("PATCH", url, this);
    }

    public Request.Builder delete(String url) {
        return Request.builder("DELETE", url, this);
    }

    /** A request with any method (an HTTP token, e.g. {@code OPTIONS} or a custom one). */
    public Request.Builder method(String method, String url) {
        return Request.builder(method, url, this);
    }

    public Request.Builder method(String method, URI uri) {
        return Request.builder(method, uri, this);
    }

    /**
     * Sends {@code request} without blocking. The future completes with the response head on an
     * engine thread (do not block in callbacks chained to it), or fails with an {@link
     * AioductException}. Cancelling it aborts the exchange, also one an interceptor started; a response
     * that arrives after the cancellation is closed.
     */
    public CompletableFuture<Response> send(Request request) {
        Request r = withDefaults(Objects.requireNonNull(request, "request"));
        if (direct) {
            return engine.send(r, settings);
        }
        if (interceptors.isEmpty() && networkInterceptors.isEmpty()) {
            return policies.send(r, toEngineAsync);
        }
        InterceptedSend send = new InterceptedSend();
        return send.completeWith(
                interceptors.isEmpty()
                        ? policies(r, send)
                        : new InterceptorChain(interceptors, 0, r, toPolicies, send).proceed(r));
    }

    /**
     * Sends {@code request} and waits for the response head; read or close the body afterwards. On the
     * virtual-thread runtime the exchange runs on the calling thread itself.
     *
     * @throws IllegalStateException on an engine event-loop thread, where blocking is forbidden
     */
    public Response execute(Request request) {
        Request r = withDefaults(Objects.requireNonNull(request, "request"));
        if (direct) {
            return engine.execute(r, settings);
        }
        engine.runtime().checkMayBlock("execute()");
        if (interceptors.isEmpty() && networkInterceptors.isEmpty()) {
            return policies.execute(r, toEngineBlocking);
        }
        return Completions.await(
                interceptors.isEmpty()
                        ? policies(r, null)
                        : new InterceptorChain(interceptors, 0, r, toPolicies, null).proceed(r));
    }

    /** After the user's interceptors: the built-in policies, each request they send going to the network. */
    private CompletionStage<Response> policies(Request request, @Nullable InterceptedSend send) {
        if (policies.isEmpty()) {
            return network(request, send);
        }
        return policies.run(request, r -> network(r, send), send == null);
    }

    /** One request on its way out: the network interceptors, then the engine. */
    private CompletionStage<Response> network(Request request, @Nullable InterceptedSend send) {
        if (networkInterceptors.isEmpty()) {
            return engine(request, send);
        }
        return new InterceptorChain(networkInterceptors, 0, request, toEngine, send).proceed(request);
    }

    private CompletionStage<Response> engine(Request request, @Nullable InterceptedSend send) {
        if (send != null) {
            if (send.isCancelled()) {
                // Cancelled while a policy waited (a retry's back-off): the next request is never sent.
                return CompletableFuture.failedFuture(
                        new RequestCancelledException("the call was cancelled before " + request + " was sent"));
            }
            return send.track(engine.send(request, settings));
        }
        try {
            return CompletableFuture.completedFuture(engine.execute(request, settings));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Request withDefaults(Request request) {
        if (defaultHeaders.size() == 0) {
            return request;
        }
        Request.Builder b = null;
        for (int i = 0, n = defaultHeaders.size(); i < n; i++) {
            String name = defaultHeaders.name(i);
            if (!request.headers().contains(name)) {
                if (b == null) b = request.toBuilder();
                b.header(name, defaultHeaders.value(i));
            }
        }
        return b == null ? request : b.build();
    }

    @Override
    public String toString() {
        return "AioductClient[" + engine + "]";
    }

    /** Settings for an {@link AioductClient}. Not thread-safe. */
    public static final class Builder {
        private final HttpEngine engine;
        private Duration connectTimeout = ExchangeSettings.DEFAULT.connectTimeout();
        private Duration responseTimeout = ExchangeSettings.DEFAULT.responseTimeout();
        private Duration readTimeout = ExchangeSettings.DEFAULT.readTimeout();
        private Duration totalTimeout = ExchangeSettings.DEFAULT.totalTimeout();
        private long maxBufferedBody = ExchangeSettings.DEFAULT.maxBufferedBody();
        private @Nullable String userAgent = ExchangeSettings.DEFAULT_USER_AGENT;
        private Decompression decompression = Decompression.defaults();
        private Duration expectContinueTimeout = ExchangeSettings.DEFAULT.expectContinueTimeout();
        private @Nullable TlsConfig tls;
        private final HttpHeaders.Builder defaultHeaders = HttpHeaders.builder();
        private final List<Interceptor> interceptors = new ArrayList<>();
        private final List<Interceptor> networkInterceptors = new ArrayList<>();
        private RedirectPolicy redirects = RedirectPolicy.normal();
        private RetryPolicy retries = RetryPolicy.none();
        private @Nullable Delays delays;
        private Authenticator authenticator = Authenticator.NONE;
        private @Nullable CookieStore cookieStore;

        private Builder(HttpEngine engine) {
            this.engine = engine;
        }

        /** Time to establish a connection; default 10 s; {@link Duration#ZERO} for no limit. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Request.Builder.checkTimeout("connectTimeout", timeout);
            return this;
        }

        /** Time from sending until the response head arrives; default 30 s; ZERO for no limit. */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = Request.Builder.checkTimeout("responseTimeout", timeout);
            return this;
        }

        /** Longest silence while waiting for bytes; default 30 s; ZERO for no limit. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = Request.Builder.checkTimeout("readTimeout", timeout);
            return this;
        }

        /** The whole exchange including the body; default none (ZERO). */
        public Builder totalTimeout(Duration timeout) {
            this.totalTimeout = Request.Builder.checkTimeout("totalTimeout", timeout);
            return this;
        }

        /** Largest body {@code bytes()}/{@code string()} will buffer; default 16 MiB. */
        public Builder maxBufferedBodyBytes(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("maxBufferedBodyBytes must be >= 0, was " + bytes);
            this.maxBufferedBody = bytes;
            return this;
        }

        /** The User-Agent sent unless a request sets one; default {@code aioduct-java/<version>}. */
        public Builder userAgent(String value) {
            io.aioduct.syntax.HeaderRules.checkValue("User-Agent", Objects.requireNonNull(value, "userAgent"));
            this.userAgent = value;
            return this;
        }

        /**
         * How long a request carrying {@code Expect: 100-continue} holds its body back waiting for the
         * server's 100 (Continue) before sending it anyway; default 1 s; ZERO sends the body at once. A
         * final response that arrives first means the body is never sent (docs/expect-continue.md).
         */
        public Builder expectContinueTimeout(Duration timeout) {
            this.expectContinueTimeout = Request.Builder.checkTimeout("expectContinueTimeout", timeout);
            return this;
        }

        /** Sends no User-Agent unless a request sets one. */
        public Builder noUserAgent() {
            this.userAgent = null;
            return this;
        }

        /**
         * Whether requests ask for compressed responses and their bodies are decoded while they stream;
         * default {@link Decompression#defaults()} (on: gzip and deflate, and br and zstd where their optional
         * library, brotli4j or zstd-jni, is on the class path: {@link Decompression#isAvailable}), {@link
         * Decompression#off()} to hand every body back as it arrived. It works
         * in the engine, below every interceptor: a request with its own {@code Accept-Encoding} is left alone.
         */
        public Builder decompression(Decompression decompression) {
            this.decompression = Objects.requireNonNull(decompression, "decompression");
            return this;
        }

        /** A header added to every request that does not set it itself. */
        public Builder defaultHeader(String name, String value) {
            defaultHeaders.add(name, value);
            return this;
        }

        /** Adds an interceptor after those already added. */
        public Builder interceptor(Interceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Adds a network interceptor after those already added: it sees every request the client really
         * sends (each redirect hop, retry and answered challenge, with its cookies), and every response as
         * it arrived, just before the engine. Application interceptors ({@link #interceptor}) see one call.
         */
        public Builder networkInterceptor(Interceptor interceptor) {
            networkInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Answers 401 and 407 challenges: {@code authenticator} gives the request to send again with
         * credentials, at most once per challenge (docs/authentication.md). Default {@link Authenticator#NONE}:
         * every 401 and 407 is handed back.
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Keeps the cookies responses set in {@code store} and sends them back with the requests they match
         * (every redirect hop included); off by default: a client without a store sends no cookie but those
         * the caller sets, and costs nothing. {@link CookieStore#inMemory()} is the built-in store; share one
         * between clients to share cookies. See docs/cookies.md.
         */
        public Builder cookieStore(CookieStore store) {
            this.cookieStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Keeps no cookies: undoes {@link #cookieStore} (say, on a builder from {@link #newBuilder()}). */
        public Builder noCookieStore() {
            this.cookieStore = null;
            return this;
        }

        /**
         * Which redirects to follow; default {@link RedirectPolicy#normal()}: up to 20 hops, never from https to
         * http. {@link RedirectPolicy#never()} hands every 3xx back. The response of a followed call is the
         * last hop's: {@code response.request().uri()} is where it ended (docs/redirects.md).
         */
        public Builder redirects(RedirectPolicy policy) {
            this.redirects = Objects.requireNonNull(policy, "redirects");
            return this;
        }

        /**
         * Which failed calls are sent again, and how (docs/retries.md); default {@link RetryPolicy#none()}:
         * only the engine's own immediate resend of a request whose pooled connection was stale or whose
         * HTTP/2 stream was refused. Typical: {@code RetryPolicy.defaults().withStatuses(429, 503)}.
         */
        public Builder retries(RetryPolicy policy) {
            this.retries = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The TLS settings of this client's https connections (trust, client certificate, versions, ciphers),
         * instead of the engine's ({@code EngineConfig.tls()}): many clients with different TLS share one engine,
         * its threads and its pools. The TLS settings are part of the route a connection is pooled under, so a
         * connection made with one {@link TlsConfig} is never reused by a client with another; plain-http
         * connections are shared whatever the TLS settings. {@link TlsConfig}s are told apart by identity:
         * build one per set of settings and share it (each distinct one costs the engine its SSL contexts and
         * pools of its own for the engine's lifetime). Clients made by {@link #newBuilder()} keep it.
         * docs/tls.md, "TLS per client".
         */
        public Builder tls(TlsConfig config) {
            this.tls = Objects.requireNonNull(config, "tls");
            return this;
        }

        /** Uses the engine's TLS settings: undoes {@link #tls(TlsConfig)} (say, on a builder from {@link #newBuilder()}). */
        public Builder engineTls() {
            this.tls = null;
            return this;
        }

        /** Tests: how the policies wait (retry back-off), instead of the runtime's timers and sleeping. */
        Builder delays(Delays delays) {
            this.delays = Objects.requireNonNull(delays, "delays");
            return this;
        }

        public AioductClient build() {
            return new AioductClient(this);
        }
    }
}
