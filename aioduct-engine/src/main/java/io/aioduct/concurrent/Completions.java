package io.aioduct.concurrent;

import io.aioduct.AioductException;
import io.aioduct.RequestCancelledException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Waiting on stages and unwrapping their failures the same way everywhere. */
public final class Completions {
    private Completions() {}

    /** Waits for {@code stage} on the calling thread (which must be allowed to block). */
    public static <T> T await(CompletionStage<T> stage) {
        CompletableFuture<T> future = stage.toCompletableFuture();
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException("interrupted while waiting for " + future, e);
        } catch (ExecutionException e) {
            throw propagate(e.getCause());
        } catch (CancellationException e) {
            throw new RequestCancelledException("the awaited operation was cancelled", e);
        }
    }

    /** The exception to rethrow for a failed stage: unchecked as is, checked wrapped. */
    public static RuntimeException propagate(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new AioductException(String.valueOf(t.getMessage()), t);
    }

    /** Strips the CompletionException/ExecutionException wrappers stages add. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Throws at once when a runtime's event-loop thread tries to block. */
    public static void checkMayBlock(boolean onEventLoop, String what) {
        if (onEventLoop) {
            throw new IllegalStateException(what + " would block event-loop thread '"
                    + Thread.currentThread().getName()
                    + "', which would stall every connection on it; use the async form (send(), bytesAsync(), ...) "
                    + "or call it from another thread");
        }
    }
}
