package io.aioduct.policy;

import io.aioduct.Request;
import io.aioduct.Response;
import io.aioduct.syntax.Credentials;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@link Authenticator#basic}: the Basic credentials are encoded once; immutable. */
final class BasicAuthenticator implements Authenticator {
    private final String credentials;

    BasicAuthenticator(String user, String password) {
        this.credentials = Credentials.basic(user, password);
    }

    @Override
    public @Nullable Request authenticate(Response response, List<Challenge> challenges) {
        boolean offered = false;
        for (Challenge c : challenges) {
            offered |= c.hasScheme("Basic");
        }
        if (!offered) return null;
        Request challenged = response.request();
        String field = Authenticator.credentialsField(response);
        if (credentials.equals(challenged.headers().first(field))) {
            return null; // these very credentials were just refused
        }
        return challenged.toBuilder().setHeader(field, credentials).build();
    }

    @Override
    public String toString() {
        return "Authenticator.basic"; // never the credentials
    }
}
