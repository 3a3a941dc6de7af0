package io.aioduct.exchange;

import io.aioduct.Origin;
import io.aioduct.Request;

/**
 * How code inside the engine builds a {@link Request} the public builder cannot: one whose target is not a
 * path, namely the authority-form target of a proxy's {@code CONNECT} (RFC 9110 9.3.6). {@code Request}
 * installs the factory from its own static initialiser, as {@code Response} does with {@link Responses}.
 */
public final class Requests {
    private static volatile Factory installed;

    private Requests() {}

    /** What {@code Request} hands over. */
    public interface Factory {
        /** A builder for {@code method} to {@code origin} with {@code target} as it is, unchecked. */
        Request.Builder builder(String method, Origin origin, String target);
    }

    /** Called once, by {@code Request}'s static initialiser. */
    public static void install(Factory factory) {
        if (installed != null) throw new IllegalStateException("the request factory is already installed");
        installed = factory;
    }

    /**
     * {@code CONNECT host:port} for a tunnel to {@code origin} (an IPv6 literal in brackets), with its {@code
     * Host} field: the request a proxy's 407 to a tunnel answers, as the client's authenticator sees it.
     */
    public static Request connect(Origin origin) {
        String host = origin.host();
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + origin.port();
        return Holder.FACTORY
                .builder("CONNECT", origin, authority)
                .header("Host", authority)
                .build();
    }

    /** Initialises {@code Request} (which installs the factory) on first use. */
    private static final class Holder {
        static final Factory FACTORY;

        static {
            try {
                Class.forName(Request.class.getName(), true, Request.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
            FACTORY = installed;
        }
    }
}
