package io.aioduct.policy;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.Response;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Answers an authentication challenge: given a 401 (from the origin, challenges in {@code WWW-Authenticate})
 * or a 407 (from a proxy, in {@code Proxy-Authenticate}), returns the request to send again with credentials
 * ({@code Authorization}, respectively {@code Proxy-Authorization}: see {@link #credentialsField}), or null
 * to give up and hand the response back to the caller. Installed with {@code
 * AioductClient.Builder.authenticator(...)}; none by default. OkHttp's {@code Authenticator} is the model.
 *
 * <p>The client asks at most once per challenge: if the answered request is challenged again (the
 * credentials were rejected), that response goes back to the caller without asking again, so a wrong
 * password costs one extra request, never a loop. The one exception is a Digest challenge with {@code
 * stale=true}: the credentials were right but the nonce expired, so the client asks again (at most {@value
 * #MAX_STALE_RETRIES} times per call). A request whose body cannot be sent twice (a one-shot stream or
 * publisher) is never answered: the 401 goes back to the caller.
 *
 * <p>Rules for implementations: build the answer from {@code response.request()} (same origin: the client
 * refuses an answer aimed at another origin, so credentials never leave the origin that challenged); do not
 * read or close the response (the client disposes of it); be fast and thread-safe (called on an engine
 * thread in asynchronous calls, on the caller's in blocking ones); an exception thrown here fails the call.
 * Never put credentials in an exception message.
 *
 * <p>The built-ins, {@link #basic} and {@link #digest}, answer challenges from any origin the client talks
 * to; {@link #onlyFor} restricts one to an origin.
 */
@FunctionalInterface
public interface Authenticator {
    /** How many times per call a {@code stale=true} challenge is answered: a server that is always stale is broken. */
    int MAX_STALE_RETRIES = 3;

    /** Answers nothing: every 401 and 407 goes back to the caller. The client's default. */
    Authenticator NONE = (response, challenges) -> null;

    /**
     * The request to send instead of {@code response.request()}, with credentials for one of {@code
     * challenges} (parsed from {@code response}, in the order sent; may be empty), or null to hand {@code
     * response} back.
     */
    @Nullable
    Request authenticate(Response response, List<Challenge> challenges);

    /** This authenticator's answer, or when it gives none, {@code other}'s. */
    default Authenticator orElse(Authenticator other) {
        Objects.requireNonNull(other, "other");
        Authenticator self = this;
        return (response, challenges) -> {
            Request answer = self.authenticate(response, challenges);
            return answer != null ? answer : other.authenticate(response, challenges);
        };
    }

    /**
     * This authenticator for challenges from {@code origin} only ({@code scheme://host[:port]}, any path
     * ignored); challenges from elsewhere get no answer.
     *
     * @throws IllegalArgumentException if {@code origin} is not an http or https URL
     */
    default Authenticator onlyFor(String origin) {
        Origin only = Request.builder("GET", Objects.requireNonNull(origin, "origin"))
                .build()
                .origin();
        Authenticator self = this;
        return (response, challenges) ->
                response.request().origin().equals(only) ? self.authenticate(response, challenges) : null;
    }

    /**
     * Answers {@code Basic} challenges (RFC 7617) with {@code user} and {@code password}, UTF-8 encoded.
     * Gives up when the challenged request already carried these very credentials.
     *
     * @throws IllegalArgumentException if {@code user} contains ':' or either part a control character
     */
    static Authenticator basic(String user, String password) {
        return new BasicAuthenticator(user, password);
    }

    /**
     * Answers {@code Digest} challenges (RFC 7616) with {@code user} and {@code password}: algorithms
     * SHA-512-256, SHA-256 and MD5 and their {@code -sess} variants, preferred in that order when a response
     * offers several; {@code qop=auth} (or the RFC 2069 form when the server offers no qop; challenges offering
     * only {@code auth-int} are not answered); {@code userhash} when the server asks for it; a fresh random
     * cnonce per answer and a nonce count kept per nonce. A {@code stale=true} challenge is answered with its
     * new nonce.
     */
    static Authenticator digest(String user, String password) {
        SecureRandom random = new SecureRandom();
        return new DigestAuthenticator(user, password, () -> {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            return HexFormat.of().formatHex(bytes);
        });
    }

    /** The field that carries credentials in answer to {@code response}: Proxy-Authorization for a 407. */
    static String credentialsField(Response response) {
        return response.status() == 407 ? "Proxy-Authorization" : "Authorization";
    }
}
