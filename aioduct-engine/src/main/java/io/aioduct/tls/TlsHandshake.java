package io.aioduct.tls;

import io.aioduct.ConnectFailedException;
import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.SocketConfig;
import io.aioduct.connect.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/** Runs the client handshake over a freshly connected transport of either kind. */
final class TlsHandshake {
    private TlsHandshake() {}

    static CompletionStage<Transport> run(
            Transport plain, SocketConfig socket, TlsContexts contexts, TlsConfig config) {
        socket.observer().tlsStart();
        if (plain instanceof LoopTransport ct) {
            return overChannel(ct.channel(), socket, contexts, config);
        }
        CompletableFuture<Transport> result = new CompletableFuture<>();
        try {
            result.complete(overSocket((BlockingTransport) plain, socket, contexts, config));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private static CompletionStage<Transport> overChannel(
            Channel ch, SocketConfig socket, TlsContexts contexts, TlsConfig config) {
        CompletableFuture<Transport> result = new CompletableFuture<>();
        Runnable install = () -> {
            SslHandler tls = contexts.netty().newHandler(ch.alloc(), socket.host(), socket.port());
            tls.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
            HandshakeErrors errors = new HandshakeErrors();
            ch.pipeline().addFirst("aioduct-tls", tls);
            ch.pipeline().addAfter("aioduct-tls", "aioduct-tls-handshake", errors);
            ch.config().setAutoRead(true); // the handshake reads; the application's bytes wait (below)
            tls.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    // The SslHandler notifies this listener in the middle of a read, and goes on to fire what
                    // else that read decrypted: a server's first application data (an h2 server's SETTINGS,
                    // sent with its last handshake flight) reaches the pipeline before any connection has its
                    // handler there. It waits in HeldReads until the connection reads.
                    ch.pipeline().replace(errors, "aioduct-tls-held-reads", new HeldReads());
                    // As after the TCP connect: reading resumes once the connection's handler is in place.
                    ch.config().setAutoRead(false);
                    String alpn = TlsContexts.nullIfEmpty(tls.applicationProtocol());
                    socket.observer().tlsEnd(tls.engine().getSession().getProtocol(), alpn);
                    result.complete(new LoopTransport(ch, alpn));
                } else {
                    ch.close();
                    RuntimeException failure =
                            TlsFailures.classify(f.cause(), socket.host(), socket.port(), config.handshakeTimeout());
                    errors.attachTo(failure);
                    socket.observer().tlsFailed(failure);
                    result.completeExceptionally(failure);
                }
            });
        };
        if (ch.eventLoop().inEventLoop()) {
            install.run();
        } else {
            ch.eventLoop().execute(install);
        }
        return result;
    }

    /**
     * Sits behind the SslHandler while the handshake runs. A failed handshake is reported through its
     * future, and Netty then also fires the failure (and any read error, such as a reset, that came
     * first) down the pipeline, where no handler is installed yet: without this one each would be
     * logged as an unhandled exception. One that comes before the handshake fails (a reset: the
     * handshake then fails with a bare ClosedChannelException) is attached to the reported failure.
     * Removed once the handshake succeeds; confined to the channel's loop.
     */
    private static final class HandshakeErrors extends ChannelInboundHandlerAdapter {
        private @Nullable Throwable first;

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (first == null) {
                first = cause;
            }
            // The handshake cannot go on: closing fails its future if nothing has failed it yet.
            ctx.close();
        }

        void attachTo(RuntimeException failure) {
            Throwable seen = first;
            if (seen != null) {
                failure.addSuppressed(seen);
            }
        }
    }

    /**
     * Sits behind the SslHandler from the end of the handshake until the connection that takes the
     * channel over first reads (turning auto-read on, or asking for a read): holds the application data
     * the handshake's last read decrypted, then removes itself, handing what it held to the handler
     * behind it, in order, as Netty's decoders hand over their leftovers. If the channel closes first,
     * the pipeline's teardown removes it, and what it held goes to the pipeline's tail, which releases it.
     * Confined to the channel's loop.
     */
    private static final class HeldReads extends ChannelDuplexHandler {
        private final ArrayDeque<Object> held = new ArrayDeque<>(2);

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            held.addLast(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // Nothing to complete for the handler behind: it hears of the data when it is handed over.
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            // The connection's handler is in place and wants bytes: hand it what arrived so far, first.
            ctx.pipeline().remove(this);
            ctx.read();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (held.isEmpty()) {
                return;
            }
            Object msg;
            while ((msg = held.pollFirst()) != null) {
                ctx.fireChannelRead(msg);
            }
            ctx.fireChannelReadComplete();
        }
    }

    private static BlockingTransport overSocket(
            BlockingTransport plain, SocketConfig socket, TlsContexts contexts, TlsConfig config) {
        if (socket.unixSocket() != null) {
            // The JDK layers TLS over a java.net.Socket only, and a UNIX-family channel has none.
            plain.close();
            throw new ConnectFailedException(
                    "cannot connect to https://" + socket.host() + ":" + socket.port() + " over the Unix domain socket "
                            + socket.unixSocket() + ": TLS over a Unix domain socket is not supported on blocking "
                            + "sockets (the virtual runtime); use http, or the pooled or io-uring runtime",
                    null);
        }
        try {
            SSLSocket tls = (SSLSocket) contexts.jdk()
                    .getSocketFactory()
                    .createSocket(plain.channel().socket(), socket.host(), socket.port(), true);
            tls.setSSLParameters(contexts.parameters(socket.host()));
            plain.readTimeoutMillis(
                    (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis()));
            tls.startHandshake();
            plain.readTimeoutMillis(0);
            String alpn = TlsContexts.nullIfEmpty(tls.getApplicationProtocol());
            socket.observer().tlsEnd(tls.getSession().getProtocol(), alpn);
            return new BlockingTransport(plain.channel(), tls.getInputStream(), tls.getOutputStream(), alpn);
        } catch (IOException | RuntimeException e) {
            plain.close();
            RuntimeException failure = TlsFailures.classify(e, socket.host(), socket.port(), config.handshakeTimeout());
            socket.observer().tlsFailed(failure);
            throw failure;
        }
    }
}
