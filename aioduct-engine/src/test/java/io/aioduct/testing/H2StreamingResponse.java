package io.aioduct.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The body writer returned by {@link H2ServerExchange#respondStreaming}: DATA frames sent later, from any
 * thread, then the end of the stream with or without trailers. Calls run on the connection's event loop
 * in call order.
 *
 * <p>Each {@link #write} returns a future completed once its bytes reached the socket, which under
 * HTTP/2 flow control means once the client granted the window for them: a producer of a large body
 * that waits for each future gets the client's backpressure. For a {@code HEAD} request, data is
 * dropped. To end the stream abnormally use {@link H2ServerExchange#reset} instead of {@link #end()}.
 */
public final class H2StreamingResponse {

    private final H2ServerExchange exchange;
    private final H2Connection connection;
    private final boolean headRequest;

    private boolean ended; // confined to the event loop

    H2StreamingResponse(H2ServerExchange exchange, H2Connection connection, boolean headRequest) {
        this.exchange = exchange;
        this.connection = connection;
        this.headRequest = headRequest;
    }

    /** Sends {@code data} as DATA (split as flow control and frame size require; empty sends nothing). */
    public CompletableFuture<Void> write(byte[] data) {
        byte[] copy = data.clone();
        return run(() -> {
            checkOpen();
            if (headRequest || copy.length == 0) {
                return connection.channel.newSucceededFuture();
            }
            return writeData(copy, false);
        });
    }

    /** Sends {@code text} encoded as UTF-8. */
    public CompletableFuture<Void> write(String text) {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the stream with an empty DATA frame carrying END_STREAM. */
    public CompletableFuture<Void> end() {
        return run(() -> {
            checkOpen();
            ended = true;
            return writeData(new byte[0], true);
        });
    }

    /** Ends the stream with a trailing HEADERS frame holding {@code trailers} (names lower-cased). */
    public CompletableFuture<Void> end(Map<String, String> trailers) {
        if (trailers.isEmpty()) {
            return end();
        }
        var fields = H2ServerExchange.fields(trailers);
        return run(() -> {
            checkOpen();
            ended = true;
            ChannelHandlerContext ctx = connection.ctx();
            ChannelFuture f =
                    connection.encoder().writeHeaders(ctx, exchange.streamId(), fields, 0, true, ctx.newPromise());
            connection.flushH2();
            return f;
        });
    }

    private ChannelFuture writeData(byte[] data, boolean endStream) {
        ChannelHandlerContext ctx = connection.ctx();
        ChannelFuture f = connection
                .encoder()
                .writeData(ctx, exchange.streamId(), Unpooled.wrappedBuffer(data), 0, endStream, ctx.newPromise());
        connection.flushH2();
        return f;
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("streaming response already ended");
        }
        if (exchange.isClosed()) {
            throw new IllegalStateException("stream " + exchange.streamId() + " is closed");
        }
    }

    private CompletableFuture<Void> run(Supplier<ChannelFuture> task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean accepted = connection.onLoop(() -> {
            try {
                Wire.toCompletable(task.get()).whenComplete((v, t) -> {
                    if (t == null) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(t);
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(e); // misuse (write after end, stream gone) fails the future
            }
        });
        if (!accepted) {
            done.completeExceptionally(new IllegalStateException("the test server is closed"));
        }
        return done;
    }
}
