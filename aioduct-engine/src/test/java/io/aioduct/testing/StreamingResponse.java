package io.aioduct.testing;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The body writer returned by {@link ServerExchange#respondStreaming}: lets a test trickle a body, stall
 * in the middle of it, or produce a large one without holding it in memory. Every method may be called
 * from any thread; calls run on the connection's event loop in call order.
 *
 * <p>Each {@link #write} returns a future completed once the bytes reached the socket; a producer of a
 * large body should wait for it before writing more, which gives it the client's backpressure. In
 * chunked mode every write is one chunk. In {@code Content-Length} mode the bytes go out as they are;
 * nothing checks that they add up to the announced length (sending fewer and calling {@link #end()} or
 * {@link #abort()} is a way to misbehave). For a {@code HEAD} request, writes are dropped.
 */
public final class StreamingResponse {

    private final ServerExchange exchange;
    private final Connection connection;
    private final boolean chunked;
    private final boolean headRequest;

    private boolean ended; // confined to the event loop

    StreamingResponse(ServerExchange exchange, Connection connection, boolean chunked, boolean headRequest) {
        this.exchange = exchange;
        this.connection = connection;
        this.chunked = chunked;
        this.headRequest = headRequest;
    }

    /**
     * Writes and flushes {@code data} (one chunk in chunked mode; an empty array writes nothing). The
     * future fails if the connection is gone, the body already ended or the server is closed.
     */
    public CompletableFuture<Void> write(byte[] data) {
        byte[] copy = data.clone();
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(done, () -> {
            if (ended) {
                throw new IllegalStateException("streaming response already ended");
            }
            if (headRequest || copy.length == 0) {
                done.complete(null);
                return;
            }
            ByteBuf buf = connection.channel.alloc().buffer(copy.length + 16);
            if (chunked) {
                Wire.chunk(buf, copy);
            } else {
                buf.writeBytes(copy);
            }
            Wire.toCompletable(connection.write(buf)).whenComplete((v, t) -> complete(done, t));
        });
        return done;
    }

    /** Writes {@code text} encoded as UTF-8. */
    public CompletableFuture<Void> write(String text) {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the body (the last chunk in chunked mode) and finishes the exchange. */
    public CompletableFuture<Void> end() {
        return end(Map.of());
    }

    /** Ends the body with trailer fields (chunked mode only; ignored otherwise) and finishes the exchange. */
    public CompletableFuture<Void> end(Map<String, String> trailers) {
        Map<String, String> copy = Map.copyOf(trailers);
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(done, () -> {
            if (ended) {
                done.complete(null);
                return;
            }
            ended = true;
            if (chunked && !headRequest) {
                ByteBuf buf = connection.channel.alloc().buffer(64);
                Wire.lastChunk(buf, copy);
                connection.write(buf);
            }
            var last = connection.flushed();
            exchange.finish(last);
            Wire.toCompletable(last).whenComplete((v, t) -> complete(done, t));
        });
        return done;
    }

    /** Closes the connection now, in the middle of the body. */
    public void abort() {
        exchange.close();
    }

    private void run(CompletableFuture<Void> done, Runnable task) {
        boolean accepted = connection.onLoop(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                done.completeExceptionally(e); // misuse (e.g. write after end) fails the returned future
            }
        });
        if (!accepted) {
            done.completeExceptionally(new IllegalStateException("the test server is closed"));
        }
    }

    private static void complete(CompletableFuture<Void> done, @Nullable Throwable failure) {
        if (failure == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(failure);
        }
    }
}
