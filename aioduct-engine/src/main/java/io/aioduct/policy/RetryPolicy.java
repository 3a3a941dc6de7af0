package io.aioduct.policy;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Which failed calls a client sends again, how often and how long it waits first (docs/retries.md). This is
 * the retry a caller asks for, beside the engine's own: the engine always resends, at once and once, a
 * request whose pooled connection turned out stale or whose HTTP/2 stream was refused; what still fails
 * after that reaches this policy, which counts it as one attempt.
 *
 * <p>The client default, {@link #none()}, retries nothing (Spring's connectors and Apache HttpClient's
 * connection failures behave the same; OkHttp's {@code retryOnConnectionFailure} tries further routes, which
 * the engine's address fallback already does). {@link #defaults()} is the usual opt-in: 3 attempts,
 * connection failures only, no status; add statuses with {@link #withStatuses(int...)}, typically 429 and
 * 503 ({@code Retry-After} is honoured for them).
 *
 * <p>Rules, whatever the settings:
 *
 * <ul>
 *   <li>A request is sent again only if its body can be: no body, or {@link io.aioduct.RequestBody#repeatable()}.
 *       Otherwise the response or failure is handed back.
 *   <li>A retried status, or a failure after which the server may have seen the request ({@link
 *       Failure#CONNECTION_CLOSED}), is retried only for an idempotent method ({@link
 *       io.aioduct.Request#idempotent()}), a request carrying an {@code Idempotency-Key} header, or when
 *       {@link #withNonIdempotent(boolean)} allows every method. A failure before anything reached the
 *       server ({@link Failure#CONNECT_FAILED}, {@link Failure#CONNECT_TIMEOUT}, {@link
 *       Failure#REFUSED_STREAM}) is retried for every method.
 *   <li>Never retried: a cancelled or interrupted call, a body over its limit, a protocol error, a TLS
 *       handshake failure, a response or read timeout, a full pool.
 *   <li>Back-off before retry {@code n} (1 for the first): {@code min(maxBackoff, baseBackoff * 2^(n-1))},
 *       then {@link Jitter jittered}. A retried status with a valid {@code Retry-After} (delta-seconds or an
 *       HTTP-date, RFC 9110 §10.2.3) waits that long instead; one longer than {@link #maxRetryAfter()} hands
 *       the response back rather than wait.
 *   <li>The retry budget: per client and origin, retries may not exceed {@link #budgetRatio()} of the calls
 *       plus a reserve of {@link #budgetMinRetries()}; past it, failures and responses are handed back at
 *       once, so a failing origin is not hammered.
 * </ul>
 *
 * <p>Immutable and thread-safe: each {@code with}-method returns a new policy. Invalid arguments throw
 * {@link IllegalArgumentException} (naming the setting) or {@link NullPointerException}.
 */
public final class RetryPolicy {

    /** Failures the policy may retry; see the class comment for the method rules. */
    public enum Failure {
        /**
         * No connection could be made ({@code ConnectFailedException}: refused, unreachable, name not
         * resolved); nothing was sent. A TLS handshake failure is not retried: a certificate does not mend.
         */
        CONNECT_FAILED,
        /** Connecting or the TLS handshake timed out ({@code TimedOutException} CONNECT, TLS_HANDSHAKE). */
        CONNECT_TIMEOUT,
        /** HTTP/2 RST_STREAM REFUSED_STREAM: the server did not process the request (RFC 9113 §8.7). */
        REFUSED_STREAM,
        /**
         * The connection broke before the response head ({@code ConnectionClosedException}): the server may
         * have processed the request, so only idempotent requests are retried.
         */
        CONNECTION_CLOSED
    }

    /**
     * How a back-off {@code d} is spread (AWS's "Exponential Backoff and Jitter"): spreading keeps clients
     * that failed together from retrying together.
     */
    public enum Jitter {
        /** Uniform in {@code [0, d)}: the widest spread, as gRPC and the AWS SDKs use. */
        FULL,
        /** Uniform in {@code [d/2, d)}: never much shorter than {@code d}. */
        EQUAL,
        /** Exactly {@code d}. */
        NONE
    }

    /** Attempts of {@link #defaults()}, the first included: as the AWS SDKs' standard mode. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** First back-off of {@link #defaults()} (before jitter). */
    public static final Duration DEFAULT_BASE_BACKOFF = Duration.ofMillis(100);
    /** Longest back-off of {@link #defaults()} (before jitter). */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    /**
     * The longest {@code Retry-After} waited for by default: as long as the default response timeout, so a
     * retry never costs more waiting than one more slow response would.
     */
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(30);
    /** Default budget: retries up to 20% of calls per origin (Envoy's and Finagle's figure) ... */
    public static final double DEFAULT_BUDGET_RATIO = 0.2;
    /** ... plus a reserve of 10 retries, so a quiet client still retries its first failures. */
    public static final int DEFAULT_BUDGET_MIN_RETRIES = 10;

    private static final DoubleSupplier THREAD_LOCAL_RANDOM =
            () -> ThreadLocalRandom.current().nextDouble();

    private static final RetryPolicy DEFAULTS = new RetryPolicy(
            DEFAULT_MAX_ATTEMPTS,
            Collections.emptySortedSet(),
            Collections.unmodifiableSet(EnumSet.allOf(Failure.class)),
            DEFAULT_BASE_BACKOFF,
            DEFAULT_MAX_BACKOFF,
            Jitter.FULL,
            DEFAULT_MAX_RETRY_AFTER,
            false,
            DEFAULT_BUDGET_RATIO,
            DEFAULT_BUDGET_MIN_RETRIES,
            THREAD_LOCAL_RANDOM,
            Clock.systemUTC());
    private static final RetryPolicy NONE = DEFAULTS.withMaxAttempts(1);

    private final int maxAttempts;
    private final Set<Integer> statuses;
    private final Set<Failure> failures;
    private final Duration baseBackoff;
    private final Duration maxBackoff;
    private final Jitter jitter;
    private final Duration maxRetryAfter;
    private final boolean nonIdempotent;
    private final double budgetRatio;
    private final int budgetMinRetries;
    private final DoubleSupplier random;
    private final Clock clock;

    private RetryPolicy(
            int maxAttempts,
            Set<Integer> statuses,
            Set<Failure> failures,
            Duration baseBackoff,
            Duration maxBackoff,
            Jitter jitter,
            Duration maxRetryAfter,
            boolean nonIdempotent,
            double budgetRatio,
            int budgetMinRetries,
            DoubleSupplier random,
            Clock clock) {
        this.maxAttempts = maxAttempts;
        this.statuses = statuses;
        this.failures = failures;
        this.baseBackoff = baseBackoff;
        this.maxBackoff = maxBackoff;
        this.jitter = jitter;
        this.maxRetryAfter = maxRetryAfter;
        this.nonIdempotent = nonIdempotent;
        this.budgetRatio = budgetRatio;
        this.budgetMinRetries = budgetMinRetries;
        this.random = random;
        this.clock = clock;
    }

    /** Retries nothing: one attempt per call. The client's default. */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * {@value #DEFAULT_MAX_ATTEMPTS} attempts, every {@link Failure}, no status; back-off 100 ms doubling to
     * 10 s with {@link Jitter#FULL full jitter}; {@code Retry-After} up to 30 s; idempotent requests only
     * (or with an {@code Idempotency-Key}); a budget of 20% of calls plus 10 per origin.
     */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * At most {@code attempts} sends per call, the first included (1 retries nothing); the last attempt's
     * response or failure is handed back.
     */
    public RetryPolicy withMaxAttempts(int attempts) {
        if (attempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1, was " + attempts);
        return copy(attempts, statuses, failures, nonIdempotent, random, clock);
    }

    /** Retries responses with these statuses (each 400 to 599; none by default), replacing the set. */
    public RetryPolicy withStatuses(int... statuses) {
        Objects.requireNonNull(statuses, "statuses");
        return withStatuses(Arrays.stream(statuses).boxed().toList());
    }

    /** As {@link #withStatuses(int...)}. */
    public RetryPolicy withStatuses(Collection<Integer> statuses) {
        SortedSet<Integer> checked = new TreeSet<>();
        for (Integer status : Objects.requireNonNull(statuses, "statuses")) {
            Objects.requireNonNull(status, "a status in statuses");
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException(
                        "a retried status must be an error status (400 to 599), was " + status);
            }
            checked.add(status);
        }
        return copy(maxAttempts, Collections.unmodifiableSortedSet(checked), failures, nonIdempotent, random, clock);
    }

    /** Retries these failures (all of them in {@link #defaults()}), replacing the set; none is allowed. */
    public RetryPolicy withFailures(Failure... failures) {
        return withFailures(Arrays.asList(Objects.requireNonNull(failures, "failures")));
    }

    /** As {@link #withFailures(Failure...)}. */
    public RetryPolicy withFailures(Collection<Failure> failures) {
        EnumSet<Failure> set = EnumSet.noneOf(Failure.class);
        for (Failure f : Objects.requireNonNull(failures, "failures")) {
            set.add(Objects.requireNonNull(f, "a failure in failures"));
        }
        return copy(maxAttempts, statuses, Collections.unmodifiableSet(set), nonIdempotent, random, clock);
    }

    /**
     * Back-off before retry {@code n}: {@code min(max, base * 2^(n-1))}, then jittered. Both positive, {@code
     * base <= max}.
     */
    public RetryPolicy withBackoff(Duration base, Duration max) {
        checkPositive("baseBackoff", base);
        checkPositive("maxBackoff", max);
        if (base.compareTo(max) > 0) {
            throw new IllegalArgumentException("baseBackoff (" + base + ") must not exceed maxBackoff (" + max + ")");
        }
        return new RetryPolicy(
                maxAttempts,
                statuses,
                failures,
                base,
                max,
                jitter,
                maxRetryAfter,
                nonIdempotent,
                budgetRatio,
                budgetMinRetries,
                random,
                clock);
    }

    /** How each back-off is spread; {@link Jitter#FULL} by default. */
    public RetryPolicy withJitter(Jitter jitter) {
        return new RetryPolicy(
                maxAttempts,
                statuses,
                failures,
                baseBackoff,
                maxBackoff,
                Objects.requireNonNull(jitter, "jitter"),
                maxRetryAfter,
                nonIdempotent,
                budgetRatio,
                budgetMinRetries,
                random,
                clock);
    }

    /**
     * The longest {@code Retry-After} the policy waits for (default 30 s); a response asking for longer is
     * handed back at once. {@link Duration#ZERO} retries only a {@code Retry-After} of 0 (or a past date).
     */
    public RetryPolicy withMaxRetryAfter(Duration max) {
        Objects.requireNonNull(max, "maxRetryAfter");
        if (max.isNegative()) throw new IllegalArgumentException("maxRetryAfter must be >= 0, was " + max);
        return new RetryPolicy(
                maxAttempts,
                statuses,
                failures,
                baseBackoff,
                maxBackoff,
                jitter,
                max,
                nonIdempotent,
                budgetRatio,
                budgetMinRetries,
                random,
                clock);
    }

    /**
     * Whether non-idempotent requests (POST, PATCH ...) without an {@code Idempotency-Key} are retried
     * after a retried status or {@link Failure#CONNECTION_CLOSED}; off by default: the server may have
     * acted on the first one.
     */
    public RetryPolicy withNonIdempotent(boolean retry) {
        return copy(maxAttempts, statuses, failures, retry, random, clock);
    }

    /**
     * The retry budget per origin: retries may not exceed {@code ratio} (0 to 1000) of the calls plus a
     * reserve of {@code minRetries}. A token bucket holding at most {@code minRetries} tokens, full at
     * first: each call to the origin adds {@code ratio}, each retry takes one, a retry without a whole
     * token is not made.
     */
    public RetryPolicy withBudget(double ratio, int minRetries) {
        if (!(ratio >= 0 && ratio <= 1000)) {
            throw new IllegalArgumentException("budget ratio must be between 0 and 1000, was " + ratio);
        }
        if (minRetries < 0) throw new IllegalArgumentException("budget minRetries must be >= 0, was " + minRetries);
        if (ratio == 0 && minRetries == 0) {
            throw new IllegalArgumentException("a budget of ratio 0 and minRetries 0 allows no retry; use none()");
        }
        return new RetryPolicy(
                maxAttempts,
                statuses,
                failures,
                baseBackoff,
                maxBackoff,
                jitter,
                maxRetryAfter,
                nonIdempotent,
                ratio,
                minRetries,
                random,
                clock);
    }

    /** No budget: every retry the other rules allow is made. */
    public RetryPolicy withoutBudget() {
        return new RetryPolicy(
                maxAttempts,
                statuses,
                failures,
                baseBackoff,
                maxBackoff,
                jitter,
                maxRetryAfter,
                nonIdempotent,
                Double.POSITIVE_INFINITY,
                0,
                random,
                clock);
    }

    /**
     * Where jitter comes from: a supplier of doubles in {@code [0, 1)}, called from any thread (default: the
     * thread's {@link ThreadLocalRandom}). Tests pass a fixed value.
     */
    public RetryPolicy withRandom(DoubleSupplier random) {
        return copy(maxAttempts, statuses, failures, nonIdempotent, Objects.requireNonNull(random, "random"), clock);
    }

    /** The clock an HTTP-date {@code Retry-After} is compared with (default: the system's UTC clock). */
    public RetryPolicy withClock(Clock clock) {
        return copy(maxAttempts, statuses, failures, nonIdempotent, random, Objects.requireNonNull(clock, "clock"));
    }

    private RetryPolicy copy(
            int maxAttempts,
            Set<Integer> statuses,
            Set<Failure> failures,
            boolean nonIdempotent,
            DoubleSupplier random,
            Clock clock) {
        return new RetryPolicy(
                maxAttempts,
                statuses,
                failures,
                baseBackoff,
                maxBackoff,
                jitter,
                maxRetryAfter,
                nonIdempotent,
                budgetRatio,
                budgetMinRetries,
                random,
                clock);
    }

    private static void checkPositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** The retried statuses, ascending; unmodifiable. */
    public Set<Integer> statuses() {
        return statuses;
    }

    /** The retried failures; unmodifiable. */
    public Set<Failure> failures() {
        return failures;
    }

    public Duration baseBackoff() {
        return baseBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Jitter jitter() {
        return jitter;
    }

    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** Whether every method is retried, idempotent or not. */
    public boolean retriesNonIdempotent() {
        return nonIdempotent;
    }

    /** Retries allowed per call to an origin; {@link Double#POSITIVE_INFINITY} when there is no budget. */
    public double budgetRatio() {
        return budgetRatio;
    }

    /** The budget's reserve of retries; 0 when there is no budget. */
    public int budgetMinRetries() {
        return budgetMinRetries;
    }

    /** Whether a budget limits retries. */
    public boolean hasBudget() {
        return budgetRatio != Double.POSITIVE_INFINITY;
    }

    public DoubleSupplier random() {
        return random;
    }

    public Clock clock() {
        return clock;
    }

    /** True when nothing is ever retried: one attempt, or no status and no failure to retry. */
    public boolean isNone() {
        return maxAttempts == 1 || (statuses.isEmpty() && failures.isEmpty());
    }

    /**
     * The back-off before retry {@code retry} (1 for the first), jitter applied with {@link #random()}: at
     * least zero, never more than {@link #maxBackoff()}.
     */
    public Duration backoff(int retry) {
        if (retry < 1) throw new IllegalArgumentException("retry must be >= 1, was " + retry);
        long base = baseBackoff.toNanos();
        long max = maxBackoff.toNanos();
        // Doubling past 62 shifts overflows; by then any base has long passed any max.
        long exponential = retry > 62 || base > (max >> (retry - 1)) ? max : base << (retry - 1);
        long ceiling = Math.min(max, exponential);
        double r = Math.clamp(random.getAsDouble(), 0.0, 1.0);
        long nanos = switch (jitter) {
            case FULL -> (long) (ceiling * r);
            case EQUAL -> ceiling / 2 + (long) ((ceiling - ceiling / 2) * r);
            case NONE -> ceiling;
        };
        return Duration.ofNanos(Math.min(nanos, ceiling));
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", statuses=" + statuses + ", failures=" + failures
                + ", backoff=" + baseBackoff + ".." + maxBackoff + " " + jitter + ", maxRetryAfter=" + maxRetryAfter
                + (nonIdempotent ? ", nonIdempotent" : "")
                + (hasBudget() ? ", budget=" + budgetRatio + "+" + budgetMinRetries : ", no budget") + "]";
    }
}
