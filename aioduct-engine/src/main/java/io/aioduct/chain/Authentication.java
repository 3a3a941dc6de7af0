package io.aioduct.chain;

import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.event.EventListener;
import io.aioduct.exchange.Requests;
import io.aioduct.policy.Authenticator;
import io.aioduct.policy.Challenge;
import io.aioduct.tunnel.ProxyChallengeException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The follow-up that answers 401 and 407 challenges through the client's {@link Authenticator}: once per
 * challenge, never in a loop. The response to an answered request that is challenged again means the
 * credentials were refused, and it goes back to the caller; the exception is a Digest {@code stale=true},
 * answered up to {@link Authenticator#MAX_STALE_RETRIES} times (the credentials were right, the nonce old).
 * Immutable and thread-safe; what it counts lives in the {@link FollowUpCall}.
 *
 * <p>A proxy's 407 to the {@code CONNECT} of a tunnel is not a response but a failure of the dial ({@link
 * ProxyChallengeException}): it is answered the same way, once per challenge, the authenticator seeing it as
 * a 407 response to {@code CONNECT host:port} (the request a Digest answer is computed over). Its answer's
 * {@code Proxy-Authorization} goes on the request sent again, and the engine puts it on the {@code CONNECT}
 * of the new connection it dials (never on the request to the origin: see engine/Dialer). Unanswered, the
 * failure reaches the caller as it is: a {@code ProxyConnectException} {@code AUTHENTICATION_REQUIRED}.
 *
 * <p>Nothing it reports (events, exception messages) carries a credential: it names the status, the scheme
 * and the origins, never a field value it sends.
 */
public final class Authentication implements FollowUp {
    private static final String ANSWERED = "authentication.answered.";
    private static final String STALE = "authentication.stale";
    private static final String PROXY_AUTHORIZATION = "Proxy-Authorization";

    private final Authenticator authenticator;
    private final EventListener events;

    public Authentication(Authenticator authenticator, EventListener events) {
        this.authenticator = authenticator;
        this.events = events;
    }

    @Override
    public @Nullable Next onResponse(FollowUpCall call, Request sent, Response response) {
        int status = response.status();
        if (status != 401 && status != 407) return null;
        RequestBody body = sent.body();
        if (body != null && !body.repeatable()) return null; // a one-shot body is gone: the 401 is the answer
        Request answer = answer(call, sent, response, Challenge.of(response));
        if (answer == null) return null;
        FollowUpCall.discard(response);
        return Next.now(answer);
    }

    @Override
    public @Nullable Next onFailure(FollowUpCall call, Request sent, Throwable failure) {
        if (!(failure instanceof ProxyChallengeException challenged)) return null;
        RequestBody body = sent.body();
        if (body != null && !body.repeatable()) return null;
        // The 407 as the authenticator sees it: the answer to the CONNECT, with the credentials it carried.
        Request.Builder connect = Requests.connect(sent.origin()).toBuilder();
        String sentCredentials = sent.headers().first(PROXY_AUTHORIZATION);
        if (sentCredentials != null) connect.setHeader(PROXY_AUTHORIZATION, sentCredentials);
        Response.Builder made = Response.builder(connect.build(), 407);
        List<Challenge> challenges = new ArrayList<>(challenged.challenges().size());
        for (String value : challenged.challenges()) {
            try {
                made.header("Proxy-Authenticate", value);
                challenges.addAll(Challenge.parse(value));
            } catch (IllegalArgumentException unusable) {
                // a field value a header cannot hold: not a challenge to answer
            }
        }
        try (Response response = made.build()) {
            Request answer = answer(call, sent, response, challenges);
            if (answer == null) return null;
            String credentials = answer.headers().first(PROXY_AUTHORIZATION);
            if (credentials == null) return null; // an answer without credentials answers nothing
            return Next.now(
                    sent.toBuilder().setHeader(PROXY_AUTHORIZATION, credentials).build());
        }
    }

    /**
     * The authenticator's answer to {@code response} (the answer to {@code sent}, or made up from a tunnel's
     * 407), counted, and reported; null when it is not asked (asked already) or gives none.
     */
    private @Nullable Request answer(FollowUpCall call, Request sent, Response response, List<Challenge> challenges) {
        int status = response.status();
        String counter = ANSWERED + status + " " + sent.origin();
        boolean stale = isStale(sent, response, challenges);
        if (stale ? call.count(STALE) >= Authenticator.MAX_STALE_RETRIES : call.count(counter) > 0) {
            return null; // these credentials were refused (or the server keeps calling them stale)
        }
        Request answer = authenticator.authenticate(response, challenges);
        if (answer == null) return null;
        if (!answer.origin().equals(sent.origin())) {
            throw new IllegalStateException("authenticator "
                    + authenticator.getClass().getName()
                    + " answered a " + status + " from " + sent.origin() + " with a request to " + answer.origin()
                    + "; credentials go only to the origin that challenged");
        }
        call.increment(stale ? STALE : counter);
        events.authenticationChallenge(sent, status, scheme(answer, Authenticator.credentialsField(response)));
        return answer;
    }

    /**
     * Whether {@code response} refuses only the nonce of credentials {@code sent} carried (RFC 7616 3.3:
     * {@code stale=true} on a Digest challenge), not the credentials themselves.
     */
    private static boolean isStale(Request sent, Response response, List<Challenge> challenges) {
        if (!sent.headers().contains(Authenticator.credentialsField(response))) return false;
        for (Challenge c : challenges) {
            if (c.hasScheme("Digest") && "true".equalsIgnoreCase(c.parameter("stale"))) return true;
        }
        return false;
    }

    /** The auth-scheme of the credentials in {@code answer}, the only part of them fit for an event. */
    private static String scheme(Request answer, String field) {
        String value = answer.headers().first(field);
        if (value == null) return "";
        int space = value.indexOf(' ');
        return space < 0 ? "" : value.substring(0, space); // no space: not "scheme credentials", say nothing
    }

    @Override
    public String toString() {
        return "Authentication[" + authenticator + "]";
    }
}
