package io.aioduct.exchange;

import io.aioduct.HttpHeaders;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.body.BodySource;
import io.aioduct.syntax.ReasonPhrase;

/**
 * How code inside the engine builds a {@link Response} from the hidden pieces its public API does not
 * show (a {@link BodySource}, a raw {@link ReasonPhrase}): the drivers when a head arrives, the policies
 * when they replace a body (decompression). {@code Response} installs the factory from its own static
 * initialiser, so its constructors stay private to its package and no exported signature names a hidden
 * type. The JDK's own {@code SharedSecrets} work the same way.
 */
public final class Responses {
    private static volatile Factory installed;

    private Responses() {}

    /** What {@code Response} hands over. */
    public interface Factory {
        Response create(
                Request request,
                int status,
                ReasonPhrase reason,
                HttpVersion version,
                HttpHeaders headers,
                BodySource body,
                long bufferLimit);

        /** The source under a response's body (for a policy that wraps it). */
        BodySource source(Response response);

        /** The buffered-body limit the response was built with. */
        long bufferLimit(Response response);
    }

    /** Called once, by {@code Response}'s static initialiser. */
    public static void install(Factory factory) {
        if (installed != null) throw new IllegalStateException("the response factory is already installed");
        installed = factory;
    }

    /** A response as a driver builds it when the head arrives. */
    public static Response create(
            Request request,
            int status,
            ReasonPhrase reason,
            HttpVersion version,
            HttpHeaders headers,
            BodySource body,
            long bufferLimit) {
        return Holder.FACTORY.create(request, status, reason, version, headers, body, bufferLimit);
    }

    public static BodySource source(Response response) {
        return Holder.FACTORY.source(response);
    }

    public static long bufferLimit(Response response) {
        return Holder.FACTORY.bufferLimit(response);
    }

    /** Initialises {@code Response} (which installs the factory) the first time a response is built here. */
    private static final class Holder {
        static final Factory FACTORY = load();

        private static Factory load() {
            try {
                Class.forName(Response.class.getName(), true, Response.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            Factory f = installed;
            if (f == null) throw new IllegalStateException("Response did not install its factory");
            return f;
        }
    }
}
