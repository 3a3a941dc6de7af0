package io.aioduct.tunnel;

import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Drives a {@link Handshake} over a {@link LoopTransport}: a handler added at the end of the channel's
 * pipeline for the handshake's length, everything on the channel's event loop. The channel does not read
 * by itself (auto-read is off on the engine's channels), so the handler asks for each read. The timeout is
 * a task on the loop. When the handshake ends, either way, the handler leaves the pipeline; a failure also
 * closes the channel. Bytes read past the handshake's end wait in a {@link HeldTunnelBytes} for the next
 * reader.
 */
final class LoopTunnel extends ChannelInboundHandlerAdapter {
    private static final String NAME = "aioduct-tunnel";

    private final LoopTransport transport;
    private final Handshake handshake;
    private final Duration timeout;
    private final CompletableFuture<Transport> result = new CompletableFuture<>();
    private ByteBuffer input = Handshake.emptyInput();
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable ChannelHandlerContext ctx;
    private boolean finished;

    private LoopTunnel(LoopTransport transport, Handshake handshake, Duration timeout) {
        this.transport = transport;
        this.handshake = handshake;
        this.timeout = timeout;
    }

    static CompletionStage<Transport> open(LoopTransport transport, Handshake handshake, Duration timeout) {
        LoopTunnel tunnel = new LoopTunnel(transport, handshake, timeout);
        Channel channel = transport.channel();
        if (channel.eventLoop().inEventLoop()) {
            tunnel.start(channel);
        } else {
            try {
                channel.eventLoop().execute(() -> tunnel.start(channel));
            } catch (RejectedExecutionException e) {
                // The loop is shutting down (the runtime is closing): the channel goes with it.
                channel.close();
                tunnel.result.completeExceptionally(handshake.closedEarly(e));
            }
        }
        return tunnel.result;
    }

    private void start(Channel channel) {
        if (!channel.isActive()) {
            fail(handshake.closedEarly(null));
            return;
        }
        channel.pipeline().addLast(NAME, this);
        if (timeout.isPositive()) {
            timer = channel.eventLoop()
                    .schedule(() -> fail(handshake.timedOut(timeout)), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        send(handshake.start());
        channel.read();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    private void send(byte[] bytes) {
        transport.channel().writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(handshake.closedEarly(f.cause()));
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (finished || !(msg instanceof ByteBuf buf)) {
                return;
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            input = handshake.append(input, bytes, 0, bytes.length);
            byte[] send;
            while ((send = handshake.receive(input)) != null) {
                if (send.length > 0) {
                    send(send);
                }
                if (handshake.done()) {
                    succeed();
                    return;
                }
            }
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!finished) {
            ctx.read(); // auto-read is off: the handshake asks for each read itself
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(handshake.closedEarly(null));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(handshake.closedEarly(cause));
    }

    private void succeed() {
        finished = true;
        cancelTimer();
        ChannelHandlerContext c = ctx;
        if (c != null && !c.isRemoved()) {
            if (input.hasRemaining()) {
                ByteBuf rest = c.alloc().buffer(input.remaining()).writeBytes(input);
                c.pipeline().replace(this, HeldTunnelBytes.NAME, new HeldTunnelBytes(rest));
            } else {
                c.pipeline().remove(this);
            }
        }
        result.complete(transport);
    }

    private void fail(Throwable failure) {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimer();
        ChannelHandlerContext c = ctx;
        if (c != null && !c.isRemoved()) {
            c.pipeline().remove(this);
        }
        transport.close();
        result.completeExceptionally(failure);
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /**
     * What the proxy's last handshake read carried past the handshake: the origin's first bytes. Held until
     * whoever takes the channel over first reads (asks for a read, or turns auto-read on, which asks for
     * one), then fired from the head of the pipeline, so a TLS handler added in front by then decrypts them;
     * released if the channel closes first. Anything else read meanwhile is held behind them. Confined to the
     * channel's loop.
     */
    static final class HeldTunnelBytes extends ChannelDuplexHandler {
        static final String NAME = "aioduct-tunnel-held-bytes";

        private @Nullable ByteBuf held;

        HeldTunnelBytes(ByteBuf held) {
            this.held = held;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf h = held;
            if (h != null && msg instanceof ByteBuf more) {
                held = Unpooled.wrappedBuffer(h, more);
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // Nothing to complete for the handlers behind: they hear of the bytes when they are handed over.
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            ByteBuf h = held;
            held = null;
            ctx.pipeline().remove(this);
            if (h != null) {
                ctx.pipeline().fireChannelRead(h);
                ctx.pipeline().fireChannelReadComplete();
            }
            ctx.read();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            ByteBuf h = held;
            held = null;
            if (h != null) {
                h.release();
            }
        }
    }
}
