package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns a host name into addresses. Implementations must not block the calling thread when it may be
 * an event loop: complete the stage later from elsewhere. A failure completes the stage with a {@link
 * ConnectFailedException} naming the host. Thread-safe.
 *
 * <p>The engine asks through {@link #resolveEach}, which lets a resolver hand over the answer of each
 * address family as it arrives (RFC 8305 §3: the connect race starts on the first answer instead of
 * waiting for both); its default delivers {@link #resolve}'s list as one answer, so a resolver that
 * implements only {@code resolve} works unchanged. {@link #dns()} queries A and AAAA separately. See
 * docs/connect.md.
 */
@FunctionalInterface
public interface Resolver {

    /** Every address of {@code host}, in the order to prefer them. */
    CompletionStage<List<InetAddress>> resolve(String host);

    /**
     * Resolves {@code host}, telling {@code answers} each batch of addresses as it arrives (typically one per
     * address family) and each lookup that failed, then {@link Answers#complete()} exactly once, last. May be
     * called on an event loop: must not block. The default delivers {@link #resolve}'s list in one batch.
     */
    default void resolveEach(String host, Answers answers) {
        CompletionStage<List<InetAddress>> all;
        try {
            all = resolve(host);
        } catch (RuntimeException e) {
            answers.failed(e);
            answers.complete();
            return;
        }
        all.whenComplete((found, failure) -> {
            if (failure != null) {
                answers.failed(failure);
            } else {
                answers.addresses(found);
            }
            answers.complete();
        });
    }

    /**
     * Receives a host's addresses as its lookups answer ({@link #resolveEach}). Calls may come from any
     * thread, but not at once for one host: a resolver calls them one after another. Must not block.
     */
    interface Answers {
        /** Some addresses of the host (one family's answer, say); more may follow until {@link #complete()}. */
        void addresses(List<InetAddress> found);

        /** One lookup failed (say, the AAAA query); the others may still answer. */
        void failed(Throwable cause);

        /** Every lookup has answered or failed: nothing follows. */
        void complete();
    }

    /**
     * A resolver that asks DNS servers itself, A and AAAA in two queries at once (Netty's DNS resolver):
     * the name servers, search domains and {@code /etc/hosts} of the platform, a shared daemon thread for its
     * sockets. Not the default, see {@link DnsResolver} and docs/connect.md.
     */
    static DnsResolver dns() {
        return DnsResolver.builder().build();
    }

    /**
     * The JDK's resolver ({@link InetAddress#getAllByName}). IP literals resolve at once without a
     * lookup; on a virtual thread the lookup runs inline (it only parks); anywhere else it runs on a
     * fresh virtual thread, so no event loop or caller thread ever waits on DNS.
     */
    static Resolver system() {
        return SystemResolver.INSTANCE;
    }

    /** A resolver for tests and fixed set-ups: names in the map resolve to their addresses, others fail. */
    static Resolver of(Map<String, List<InetAddress>> table) {
        var copy = Map.copyOf(table);
        return host -> {
            List<InetAddress> found = copy.get(host);
            return found != null
                    ? CompletableFuture.completedFuture(found)
                    : CompletableFuture.failedFuture(new ConnectFailedException(
                            "cannot resolve host '" + host + "': not in the resolver's table " + copy.keySet(), null));
        };
    }
}
