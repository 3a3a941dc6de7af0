package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * One host's lookups in progress ({@link Resolver#resolveEach}): the addresses found so far, whether every
 * lookup has answered, and the failures. The engine starts it, waits for the {@link #firstAnswer()} and
 * hands it to the connector in {@link SocketConfig#resolving()}, so the connect race takes the addresses
 * that arrive after it started (RFC 8305 §3). A connector that does not look at it sees only the first
 * answer's addresses in {@link SocketConfig#addresses()}.
 *
 * <p>Thread-safe: the resolver's answers arrive on its threads; {@link #onChange} tells the one subscriber
 * (the race) on that thread, outside any lock, and the race reads the state when it gets there.
 */
public final class Resolution {
    private final String host;
    private final List<InetAddress> found = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>(2);
    private final CompletableFuture<List<InetAddress>> first = new CompletableFuture<>();
    private final CompletableFuture<List<InetAddress>> all = new CompletableFuture<>();
    private boolean complete;
    private @Nullable Runnable subscriber;

    private Resolution(String host) {
        this.host = host;
    }

    /** Starts resolving {@code host} with {@code resolver}; answers may arrive before this returns. */
    public static Resolution start(Resolver resolver, String host) {
        Objects.requireNonNull(resolver, "resolver");
        Resolution r = new Resolution(Objects.requireNonNull(host, "host"));
        Resolver.Answers answers = r.new Listener();
        try {
            resolver.resolveEach(host, answers);
        } catch (RuntimeException e) {
            answers.failed(e);
            answers.complete();
        }
        return r;
    }

    /** A resolution already complete with {@code addresses} (an IP literal, a test). */
    public static Resolution of(String host, List<InetAddress> addresses) {
        Resolution r = new Resolution(Objects.requireNonNull(host, "host"));
        Resolver.Answers answers = r.new Listener();
        answers.addresses(addresses);
        answers.complete();
        return r;
    }

    public String host() {
        return host;
    }

    /**
     * Completes with the addresses known when the first answer with any arrived (more may follow), or fails
     * when every lookup failed or found nothing: the single failure as it came, or a {@link
     * ConnectFailedException} naming the host and every cause (the first as its cause, the others suppressed).
     */
    public CompletionStage<List<InetAddress>> firstAnswer() {
        return first;
    }

    /** Completes with every address once every lookup has answered, or fails like {@link #firstAnswer()}. */
    public CompletionStage<List<InetAddress>> all() {
        return all;
    }

    /** Every address found so far, in the order the answers brought them. */
    public synchronized List<InetAddress> addresses() {
        return List.copyOf(found);
    }

    /** Whether every lookup has answered: {@link #addresses()} is final. */
    public synchronized boolean isComplete() {
        return complete;
    }

    /**
     * Runs {@code onChange} after each later answer (on the resolver's thread; it must not block); the
     * subscriber reads {@link #addresses()} and {@link #isComplete()} then. One subscriber: a second replaces
     * the first. Whatever arrived before subscribing is read from the state, not told.
     */
    public synchronized void onChange(Runnable onChange) {
        this.subscriber = Objects.requireNonNull(onChange, "onChange");
    }

    /** The lookups' failures, for the race's error when no address connected. */
    synchronized List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void changed() {
        Runnable s;
        synchronized (this) {
            s = subscriber;
        }
        if (s != null) s.run();
    }

    private Throwable failure() {
        List<Throwable> causes = failures();
        if (causes.size() == 1) {
            return causes.get(0);
        }
        if (causes.isEmpty()) {
            return new ConnectFailedException("cannot resolve host '" + host + "': no addresses found", null);
        }
        StringBuilder why = new StringBuilder("cannot resolve host '" + host + "': ");
        for (int i = 0; i < causes.size(); i++) {
            if (i > 0) why.append("; ");
            why.append(causes.get(i).getMessage());
        }
        ConnectFailedException e = new ConnectFailedException(why.toString(), causes.get(0));
        for (int i = 1; i < causes.size(); i++) e.addSuppressed(causes.get(i));
        return e;
    }

    /** The resolver's side, kept off the public surface. */
    private final class Listener implements Resolver.Answers {
        @Override
        public void addresses(List<InetAddress> addresses) {
            List<InetAddress> now;
            synchronized (Resolution.this) {
                if (complete) return;
                found.addAll(addresses);
                now = List.copyOf(found);
            }
            if (!now.isEmpty()) first.complete(now);
            changed();
        }

        @Override
        public void failed(Throwable cause) {
            Throwable t = cause instanceof CompletionException || cause instanceof ExecutionException
                    ? Objects.requireNonNullElse(cause.getCause(), cause)
                    : cause;
            synchronized (Resolution.this) {
                if (complete) return;
                failures.add(t);
            }
            changed();
        }

        @Override
        public void complete() {
            List<InetAddress> now;
            synchronized (Resolution.this) {
                if (complete) return;
                complete = true;
                now = List.copyOf(found);
            }
            if (now.isEmpty()) {
                Throwable why = failure();
                first.completeExceptionally(why);
                all.completeExceptionally(why);
            } else {
                first.complete(now);
                all.complete(now);
            }
            changed();
        }
    }
}
