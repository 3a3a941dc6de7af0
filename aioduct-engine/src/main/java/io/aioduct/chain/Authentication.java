package io.aioduct.chain;

import io.aioduct.Request;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.event.EventListener;
import io.aioduct.policy.Authenticator;
import io.aioduct.policy.Challenge;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The follow-up that answers 401 and 407 challenges through the client's {@link Authenticator}: once per
 * challenge, never in a loop. The response to an answered request that is challenged again means the
 * credentials were refused, and it goes back to the caller; the exception is a Digest {@code stale=true},
 * answered up to {@link Authenticator#MAX_STALE_RETRIES} times (the credentials were right, the nonce old).
 * Immutable and thread-safe; what it counts lives in the {@link FollowUpCall}.
 *
 * <p>Nothing it reports (events, exception messages) carries a credential: it names the status, the scheme
 * and the origins, never a field value it sends.
 */
public final class Authentication implements FollowUp {
    private static final String ANSWERED = "authentication.answered.";
    private static final String STALE = "authentication.stale";

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
        List<Challenge> challenges = Challenge.of(response);
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
        FollowUpCall.discard(response);
        return Next.now(answer);
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
