package io.aioduct.chain;

import io.aioduct.Request;
import io.aioduct.Response;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The state of one call through the follow-ups: the request the caller sent, how many follow-ups were
 * sent, and whatever a follow-up counts for itself ({@link #count}). Confined to the call (its steps run one
 * after another, never at once), so nothing here is synchronised.
 */
public final class FollowUpCall {
    /** Redirect bodies up to this size are read and dropped so the connection stays reusable. */
    static final long DRAIN_LIMIT = 64 * 1024;

    private final Request original;
    private int followUps;
    private @Nullable Map<String, Integer> counters;
    /** The last response a bridge saw, the one handed back when no follow-up takes it. */
    @Nullable
    Response result;

    FollowUpCall(Request original) {
        this.original = original;
    }

    /** The request as the caller (or the last user interceptor) sent it. */
    public Request original() {
        return original;
    }

    /** Follow-up requests sent so far in this call, of every kind. */
    public int followUps() {
        return followUps;
    }

    void followed() {
        followUps++;
    }

    Response result() {
        Response r = result;
        if (r == null) throw new IllegalStateException("no response yet");
        return r;
    }

    /** The counter {@code key} (0 at first); {@link #increment} raises it. */
    public int count(String key) {
        return counters == null ? 0 : counters.getOrDefault(key, 0);
    }

    /** Raises the counter {@code key} and returns its new value. */
    public int increment(String key) {
        if (counters == null) counters = new HashMap<>(4);
        return counters.merge(key, 1, Integer::sum);
    }

    /**
     * Lets go of a response the call will not return: a small body (announced at most 64 KiB) is read in the
     * background and dropped so its connection goes back to the pool; any other is closed, which closes the
     * connection. Never waits: in a blocking call the next request must start on the caller's thread, not on
     * the event loop that finishes the read.
     */
    public static void discard(Response response) {
        long length = response.body().contentLength();
        if (length <= 0 || length > DRAIN_LIMIT) {
            response.close();
            return;
        }
        try {
            response.body().bytesAsync().exceptionally(e -> null);
        } catch (RuntimeException e) {
            response.close();
        }
    }
}
