package io.aioduct.body;

import java.lang.ref.Cleaner;
import org.jspecify.annotations.Nullable;

/**
 * Watches a response body object for the case where the caller drops it before its end: then nothing
 * will read the rest, and the connection (or stream) must be closed rather than left waiting.
 *
 * <p>Once the body has ended, failed or been closed there is nothing left to do: {@link #disarm} then
 * unregisters the watch at once. That matters for the garbage collector: a registered watch keeps its
 * target reachable until a collection finds the response gone and the cleaner thread runs, so every
 * response's exchange state (and any array it held) survived a young collection. With the watch
 * disarmed at the end of the body, a finished exchange leaves nothing behind for the collector to copy.
 */
public final class AbandonWatch implements Runnable {

    /** What to tell when the watched body is dropped before its end. */
    public interface Target {
        void abandoned();
    }

    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "cleaner-aioduct-bodies");
        t.setDaemon(true);
        return t;
    });

    private volatile @Nullable Target target;
    private final Cleaner.Cleanable cleanable;

    private AbandonWatch(Object watched, Target target) {
        this.target = target;
        this.cleanable = CLEANER.register(watched, this);
    }

    /** Tells {@code target} if {@code watched} becomes unreachable before {@link #disarm}. */
    public static AbandonWatch watch(Object watched, Target target) {
        return new AbandonWatch(watched, target);
    }

    /** The body reached its end (or failed, or was closed): stop watching. Any thread; idempotent. */
    public void disarm() {
        if (target != null) {
            target = null;
            cleanable.clean();
        }
    }

    /** The cleaner's action, also run (as a no-op) by {@link #disarm}. */
    @Override
    public void run() {
        Target t = target;
        if (t != null) {
            target = null;
            t.abandoned();
        }
    }
}
