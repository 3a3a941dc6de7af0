package io.aioduct.spring.autoconfigure;

import io.aioduct.HttpHeaders;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;

/**
 * Checks bound {@link AioductProperties}. Each error names the full property and what it allows, so
 * the start-up failure (and Spring Boot's failure analysis) says exactly what to fix.
 */
final class AioductPropertiesValidator {
    /** RFC 9113: a flow-control window starts at 65535 bytes; ours may not be smaller. */
    private static final int MIN_WINDOW = 65_535;

    private AioductPropertiesValidator() {}

    static void validate(AioductProperties p, Errors errors) {
        Integer threads = p.getRuntime().getThreads();
        if (threads != null && threads < 1) {
            reject(errors, "runtime.threads", "must be at least 1 (or left unset for one per available processor)");
        }
        compat(errors, p);
        AioductProperties.Pool pool = p.getPool();
        if (pool.getMaxConnectionsPerOrigin() < 1) {
            reject(errors, "pool.max-connections-per-origin", "must be at least 1");
        }
        if (pool.getMaxIdlePerOrigin() < 0) {
            reject(errors, "pool.max-idle-per-origin", "must be 0 or more");
        }
        if (pool.getMaxPendingAcquires() < 0) {
            reject(errors, "pool.max-pending-acquires", "must be 0 or more");
        }
        duration(errors, "pool.idle-timeout", pool.getIdleTimeout());
        duration(errors, "pool.max-lifetime", pool.getMaxLifetime());
        duration(errors, "pool.acquire-timeout", pool.getAcquireTimeout());
        AioductProperties.Timeouts timeouts = p.getTimeouts();
        duration(errors, "timeouts.connect", timeouts.getConnect());
        duration(errors, "timeouts.response", timeouts.getResponse());
        duration(errors, "timeouts.read", timeouts.getRead());
        duration(errors, "timeouts.total", timeouts.getTotal());
        http2(errors, p.getHttp2());
        tls(errors, p.getTls());
        Duration grace = p.getShutdown().getGrace();
        if (grace == null || grace.isNegative()) {
            reject(errors, "shutdown.grace", "must not be negative (0 fails in-flight requests at once)");
        }
        if (p.getMaxBufferedBodySize() == null || p.getMaxBufferedBodySize().isNegative()) {
            reject(errors, "max-buffered-body-size", "must be 0 or more");
        }
        headers(errors, p.getDefaultHeaders(), p.getUserAgent());
        retry(errors, p.getRetry());
        clients(errors, p.getClients());
        if (p.getMetrics().getMaxOrigins() < 1) {
            reject(errors, "metrics.max-origins", "must be at least 1");
        }
        if (p.getRedirects().getMaxHops() < 0) {
            reject(errors, "redirects.max-hops", "must be 0 or more (0 follows no redirect)");
        }
        ProxyRoutingFactory.validate(p.getProxy(), (property, message) -> reject(errors, property, message));
    }

    /** What a named client may be called: it becomes a tag value and part of a bean name. */
    private static final java.util.regex.Pattern CLIENT_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]*");

    private static void clients(Errors errors, Map<String, AioductProperties.NamedClient> clients) {
        for (Map.Entry<String, AioductProperties.NamedClient> e : clients.entrySet()) {
            String name = e.getKey();
            String prefix = "clients." + name + ".";
            if (!CLIENT_NAME.matcher(name).matches()) {
                reject(
                        errors,
                        "clients." + name,
                        "is not a valid client name: a name starts with a lowercase letter and has only lowercase "
                                + "letters, digits and dashes (it becomes the bean name <name>AioductClient and the "
                                + "metrics tag name=<name>)");
                continue;
            }
            if (name.equals(AioductClients.DEFAULT)) {
                reject(
                        errors,
                        "clients.default",
                        "is reserved for the auto-configured client (aioduct.runtime.*); give the client another name");
                continue;
            }
            AioductProperties.NamedRuntime runtime = e.getValue().getRuntime();
            if (runtime.getKind() == null) {
                reject(errors, prefix + "runtime.kind", "must be set: one of " + RuntimeKind.allowedValues());
            }
            Integer threads = runtime.getThreads();
            if (threads != null && threads < 1) {
                reject(
                        errors,
                        prefix + "runtime.threads",
                        "must be at least 1 (or left unset for one per available processor)");
            }
        }
    }

    private static void compat(Errors errors, AioductProperties p) {
        AioductProperties.Compat compat = p.getCompat();
        if (compat.isEnabled() && p.getRuntime().getKind() == RuntimeKind.IO_URING) {
            // The compat runtime runs tasks on any of its threads (RuntimePoll); io-uring pins them to a core.
            reject(
                    errors,
                    "compat.enabled",
                    "=true cannot run on aioduct.runtime.kind=io-uring: the compat runtime wraps a runtime whose "
                            + "tasks may run on any of its threads. Set aioduct.runtime.kind to pooled or virtual, or "
                            + "aioduct.compat.enabled=false");
        }
        if (compat.isTaskExecutor() && !compat.isEnabled()) {
            reject(
                    errors,
                    "compat.task-executor",
                    "=true needs aioduct.compat.enabled=true: the task executor is the compat runtime");
        }
    }

    private static void http2(Errors errors, AioductProperties.Http2 h2) {
        if (h2.getMaxConnectionsPerOrigin() < 1) {
            reject(errors, "http2.max-connections-per-origin", "must be at least 1");
        }
        if (h2.getMaxConcurrentStreams() < 1) {
            reject(errors, "http2.max-concurrent-streams", "must be at least 1");
        }
        // RFC 9113: a window can never exceed 2^31 - 1; SETTINGS_MAX_FRAME_SIZE is 2^14 to 2^24 - 1.
        String window = "between 65535 bytes (64KB - 1 byte) and 2147483647 bytes (2GB - 1 byte)";
        size(errors, "http2.stream-window", h2.getStreamWindow(), MIN_WINDOW, Integer.MAX_VALUE, window);
        size(errors, "http2.connection-window", h2.getConnectionWindow(), MIN_WINDOW, Integer.MAX_VALUE, window);
        size(
                errors,
                "http2.max-frame-size",
                h2.getMaxFrameSize(),
                16_384,
                16_777_215,
                "between 16384 bytes (16KB) and 16777215 bytes (16MB - 1 byte)");
        size(
                errors,
                "http2.max-header-list-size",
                h2.getMaxHeaderListSize(),
                1,
                Integer.MAX_VALUE,
                "between 1 byte and 2147483647 bytes (2GB - 1 byte)");
        Duration ping = h2.getPingInterval();
        if (ping == null || ping.isNegative()) {
            reject(errors, "http2.ping-interval", "must not be negative (0 turns keep-alive PINGs off)");
        }
        positive(errors, "http2.ping-timeout", h2.getPingTimeout());
    }

    private static void retry(Errors errors, AioductProperties.Retry retry) {
        if (retry.getMaxAttempts() < 1) {
            reject(errors, "retry.max-attempts", "must be at least 1 (1 retries nothing)");
        }
        for (Integer status : retry.getStatuses()) {
            if (status == null || status < 400 || status > 599) {
                reject(errors, "retry.statuses", "must list error statuses (400 to 599), not " + status);
                break;
            }
        }
        positive(errors, "retry.initial-backoff", retry.getInitialBackoff());
        positive(errors, "retry.max-backoff", retry.getMaxBackoff());
        if (retry.getInitialBackoff() != null
                && retry.getMaxBackoff() != null
                && retry.getInitialBackoff().compareTo(retry.getMaxBackoff()) > 0) {
            reject(
                    errors,
                    "retry.max-backoff",
                    "must not be shorter than aioduct.retry.initial-backoff (" + retry.getInitialBackoff() + ")");
        }
        Duration retryAfter = retry.getMaxRetryAfter();
        if (retryAfter == null || retryAfter.isNegative()) {
            reject(errors, "retry.max-retry-after", "must not be negative (0 retries only a Retry-After of 0)");
        }
        if (retry.getJitter() == null) {
            reject(errors, "retry.jitter", "must be full, equal or none");
        }
        AioductProperties.Budget budget = retry.getBudget();
        if (!(budget.getRatio() >= 0 && budget.getRatio() <= 1000)) {
            reject(errors, "retry.budget.ratio", "must be between 0 and 1000 (retries per call)");
        }
        if (budget.getMinRetries() < 0) {
            reject(errors, "retry.budget.min-retries", "must be 0 or more");
        }
        if (budget.isEnabled() && budget.getRatio() == 0 && budget.getMinRetries() == 0) {
            reject(
                    errors,
                    "retry.budget.ratio",
                    "=0 with aioduct.retry.budget.min-retries=0 allows no retry: raise one, or set "
                            + "aioduct.retry.enabled=false");
        }
    }

    private static void tls(Errors errors, AioductProperties.Tls tls) {
        String bundle = tls.getBundle();
        if (bundle != null && bundle.isBlank()) {
            reject(errors, "tls.bundle", "must name an SSL bundle (spring.ssl.bundle.*), or be left unset");
        }
        positive(errors, "tls.handshake-timeout", tls.getHandshakeTimeout());
    }

    /** A data size within {@code min..max} bytes; {@code range} says so to a reader. */
    private static void size(
            Errors errors, String property, @Nullable DataSize value, long min, long max, String range) {
        if (value == null || value.toBytes() < min || value.toBytes() > max) {
            reject(errors, property, "must be " + range);
        }
    }

    private static void positive(Errors errors, String property, @Nullable Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            reject(errors, property, "must be positive");
        }
    }

    private static void duration(Errors errors, String property, @Nullable Duration value) {
        if (value == null || value.isNegative()) {
            reject(errors, property, "must not be negative (0 means no limit)");
        }
    }

    private static void headers(Errors errors, Map<String, String> defaults, @Nullable String userAgent) {
        for (Map.Entry<String, String> e : defaults.entrySet()) {
            try {
                HttpHeaders.builder().add(e.getKey(), e.getValue() == null ? "" : e.getValue());
            } catch (IllegalArgumentException ex) {
                reject(errors, "default-headers[" + e.getKey() + "]", "is not a valid header: " + ex.getMessage());
            }
        }
        if (userAgent != null && !userAgent.isEmpty()) {
            try {
                HttpHeaders.builder().add("User-Agent", userAgent);
            } catch (IllegalArgumentException ex) {
                reject(errors, "user-agent", "is not a valid header value: " + ex.getMessage());
            }
        }
    }

    /** Rejects a field by its bean path, with a message naming the property as it is written. */
    private static void reject(Errors errors, String property, String message) {
        String field = beanPath(property);
        // "must be ..." follows the name after a space; "=true needs ..." follows it directly.
        String text = "aioduct." + property + (message.startsWith("=") ? "" : " ") + message;
        if (field.contains("[") || field.startsWith("clients.") || field.endsWith("password")) {
            // Map keys (headers, client names) are not bean paths the BindingResult can read; report on the object.
            // A field error would carry a password as its rejected value into the exception and failure report.
            errors.reject("aioduct.invalid", text);
        } else {
            errors.rejectValue(field, "aioduct.invalid", text);
        }
    }

    /** {@code pool.max-idle-per-origin} -> {@code pool.maxIdlePerOrigin}. */
    private static String beanPath(String property) {
        StringBuilder sb = new StringBuilder(property.length());
        boolean upper = false;
        for (char c : property.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }
}
