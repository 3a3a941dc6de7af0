package io.aioduct.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.connect.BlockingTransport;
import io.aioduct.connect.ConnectObserver;
import io.aioduct.connect.LoopTransport;
import io.aioduct.connect.Transport;
import io.aioduct.proxy.Proxy;
import io.aioduct.testing.LeakRecordingDetector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bytes that arrive in the same read as the proxy's answer belong to the origin: each driver hands them to
 * whoever reads next, deterministically (the answer and the bytes are delivered as one read here, which a
 * real socket only usually does).
 */
class TunnelLeftoverBytesTest {
    private static final Proxy PROXY = Proxy.http("127.0.0.1", 3128);

    @AfterEach
    void noLeaks() {
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("Netty buffer leaks")
                .isEmpty();
    }

    @Test
    void onALoopChannelTheyWaitForTheFirstReadAndEnterAtThePipelinesHead() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        CompletableFuture<Transport> opened = open(new LoopTransport(channel));
        ByteBuf request = channel.readOutbound();
        assertThat(request.toString(StandardCharsets.US_ASCII)).startsWith("CONNECT example.com:443 HTTP/1.1\r\n");
        request.release();

        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\nearly", StandardCharsets.US_ASCII));
        assertThat(opened).isCompleted();
        assertThat(channel.pipeline().names()).contains(LoopTunnel.HeldTunnelBytes.NAME);

        // What the engine does next: a handler in front (TLS) and one behind (the protocol), then a read.
        List<String> front = new ArrayList<>();
        List<String> behind = new ArrayList<>();
        channel.pipeline().addFirst("front", recorder(front, true));
        channel.pipeline().addLast("behind", recorder(behind, false));
        assertThat(front).as("nothing is handed on before the first read").isEmpty();
        channel.read();
        assertThat(front).containsExactly("early");
        assertThat(behind).containsExactly("early");
        assertThat(channel.pipeline().names()).noneMatch(n -> n.startsWith("aioduct-tunnel"));
        channel.finishAndReleaseAll();
    }

    @Test
    void onALoopChannelThatClosesFirstTheyAreReleased() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        CompletableFuture<Transport> opened = open(new LoopTransport(channel));
        ((ByteBuf) channel.readOutbound()).release();
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\nearly", StandardCharsets.US_ASCII));
        assertThat(opened).isCompleted();
        channel.close();
        assertThat(channel.pipeline().names()).noneMatch(n -> n.startsWith("aioduct-tunnel"));
        channel.finishAndReleaseAll();
    }

    @Test
    void onABlockingSocketTheyArePutBackInFrontOfTheInput() throws Exception {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        try (SocketChannel unused = SocketChannel.open()) {
            BlockingTransport transport = new BlockingTransport(
                    unused,
                    new ByteArrayInputStream(
                            "HTTP/1.1 200 OK\r\n\r\nearly, then more".getBytes(StandardCharsets.US_ASCII)),
                    sent);
            Transport opened = open(transport).get();
            assertThat(opened).isSameAs(transport);
            assertThat(sent.toString(StandardCharsets.US_ASCII)).startsWith("CONNECT example.com:443 HTTP/1.1\r\n");
            assertThat(new String(transport.input().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("early, then more");
        }
    }

    private static CompletableFuture<Transport> open(Transport transport) {
        return Tunnel.open(transport, PROXY, "example.com", 443, null, Duration.ZERO, ConnectObserver.NONE)
                .toCompletableFuture();
    }

    /** Records the text of each read and passes it on (or, at the end of the pipeline, releases it). */
    private static ChannelInboundHandlerAdapter recorder(List<String> into, boolean passOn) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                into.add(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                if (passOn) {
                    ctx.fireChannelRead(msg);
                } else {
                    ((ByteBuf) msg).release();
                }
            }
        };
    }
}
