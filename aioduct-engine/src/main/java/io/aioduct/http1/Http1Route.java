package io.aioduct.http1;

import org.jspecify.annotations.Nullable;

/**
 * Whom an HTTP/1.1 connection's requests are written to, which decides the request line and who may see
 * proxy credentials: the origin ({@link #ORIGIN}: directly or through a tunnel; origin-form, and a {@code
 * Proxy-Authorization} field a request carries is dropped, since proxy credentials never go to an origin), or
 * a forwarding HTTP proxy ({@link #forwardingProxy}: absolute-form, the request's own {@code
 * Proxy-Authorization} kept, else the proxy's configured credentials added). Immutable; its {@link
 * #toString()} never shows the credentials.
 */
public final class Http1Route {
    /** The connection reaches the origin: origin-form, no proxy credentials. */
    public static final Http1Route ORIGIN = new Http1Route(false, null);

    final boolean absoluteForm;
    /** The field value sent unless the request carries its own, or null. */
    final @Nullable String proxyAuthorization;

    private Http1Route(boolean absoluteForm, @Nullable String proxyAuthorization) {
        this.absoluteForm = absoluteForm;
        this.proxyAuthorization = proxyAuthorization;
    }

    /**
     * The connection reaches a forwarding proxy.
     *
     * @param proxyAuthorization the {@code Proxy-Authorization} value from the proxy's own credentials, sent
     *     on every request that does not carry one, or null
     */
    public static Http1Route forwardingProxy(@Nullable String proxyAuthorization) {
        return new Http1Route(true, proxyAuthorization);
    }

    @Override
    public String toString() {
        return absoluteForm ? "forwarding proxy" : "origin";
    }
}
