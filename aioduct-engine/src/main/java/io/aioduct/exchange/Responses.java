package io.aioduct.exchange;

import io.aioduct.HttpHeaders;
import io.aioduct.HttpVersion;
import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.body.BodySource;
import io.aioduct.body.ContentDecoder;
import io.aioduct.body.DecodingSource;
import io.aioduct.policy.Decompression;
import io.aioduct.syntax.ArrayHeaders;
import io.aioduct.syntax.HeaderRules;
import io.aioduct.syntax.ReasonPhrase;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

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

    /**
     * A response as a driver builds it when the final head arrives: with {@code body} as it is, or decoded
     * while it streams when it has a {@code Content-Encoding} the exchange's {@link Decompression} decodes
     * (then without its {@code Content-Encoding} and {@code Content-Length} fields). The one place every
     * driver passes; a response without {@code Content-Encoding} costs one header lookup here.
     */
    public static Response received(
            ExchangeSpec spec,
            Request request,
            int status,
            ReasonPhrase reason,
            HttpVersion version,
            HttpHeaders headers,
            BodySource body) {
        if (body != BodySource.EMPTY) {
            Decompression decompression = spec.decompression();
            if (decompression.enabled() && headers.contains("Content-Encoding")) {
                Response decoded = decoded(spec, request, status, reason, version, headers, body, decompression);
                if (decoded != null) return decoded;
            }
        }
        return create(request, status, reason, version, headers, body, spec.maxBufferedBody());
    }

    /** The decoded response, or null when this one is handed back as it came. */
    private static @Nullable Response decoded(
            ExchangeSpec spec,
            Request request,
            int status,
            ReasonPhrase reason,
            HttpVersion version,
            HttpHeaders headers,
            BodySource body,
            Decompression decompression) {
        // A caller who asked for an encoding itself wants the bytes as sent; so does a range of a coded body
        // (206: the range is of the compressed bytes, which do not decode on their own).
        if (status == 206 || body.contentLength() == 0 || request.headers().contains("Accept-Encoding")) {
            return null;
        }
        List<String> codings = codings(headers);
        if (codings.isEmpty()) return null;
        for (String coding : codings) {
            if (!decompression.decodes(coding)) return null;
        }
        BodySource decoding = new DecodingSource(
                body,
                ContentDecoder.forCodings(codings),
                decompression.maxDecodedBytes(),
                decompression.maxRatio(),
                Decompression.RATIO_FLOOR);
        return create(request, status, reason, version, withoutCoding(headers), decoding, spec.maxBufferedBody());
    }

    /** The codings of every Content-Encoding field, in the order applied, without {@code identity}. */
    private static List<String> codings(HttpHeaders headers) {
        List<String> codings = new ArrayList<>(2);
        for (int i = 0, n = headers.size(); i < n; i++) {
            if (!HeaderRules.nameEquals(headers.name(i), "Content-Encoding")) continue;
            for (String c : headers.value(i).split(",")) {
                String coding = c.trim().toLowerCase(Locale.ROOT);
                if (coding.equals("x-gzip")) coding = "gzip";
                if (!coding.isEmpty() && !coding.equals("identity")) codings.add(coding);
            }
        }
        return codings;
    }

    private static HttpHeaders withoutCoding(HttpHeaders headers) {
        List<String> fields = new ArrayList<>(headers.size() * 2);
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i);
            if (HeaderRules.nameEquals(name, "Content-Encoding") || HeaderRules.nameEquals(name, "Content-Length")) {
                continue;
            }
            fields.add(name);
            fields.add(headers.value(i));
        }
        return new ArrayHeaders(fields.toArray(new String[0]));
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
