package io.aioduct.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Ticker;
import io.aioduct.connect.BlockingTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/**
 * The hand-off between a virtual thread's read and the {@link ReadDeadlines} watcher: the watcher closes
 * the socket only while the very read it saw is still armed. A watcher that read a deadline a moment
 * before that read completed (and the connection went on to its next read, or back to the pool) must not
 * close the socket under what came after.
 */
class ReadDeadlineHandOffTest {

    @Test
    void aWatcherLateForACompletedReadLeavesTheSocketOpen() throws IOException {
        try (Pair p = new Pair()) {
            BlockingSocketReader reader = p.reader();
            reader.armedUntil = 42; // a read armed until 42 ...
            reader.armedUntil = 0; // ... completed (the reader clears it as its read returns)
            reader.deadlinePassed(42); // the watcher, having seen 42 just before

            assertThat(reader.isOpen()).isTrue();
            assertThat(reader.readDeadlinePassed()).isFalse();
        }
    }

    @Test
    void aWatcherLateForAReadThatArmedAgainLeavesTheSocketOpen() throws IOException {
        try (Pair p = new Pair()) {
            BlockingSocketReader reader = p.reader();
            reader.armedUntil = 42;
            reader.armedUntil = 99; // the next read armed its own, later deadline
            reader.deadlinePassed(42);

            assertThat(reader.isOpen()).isTrue();
            assertThat(reader.readDeadlinePassed()).isFalse();
        }
    }

    @Test
    void aReadStillArmedAtItsDeadlineIsWokenByClosingTheSocket() throws IOException {
        try (Pair p = new Pair()) {
            BlockingSocketReader reader = p.reader();
            reader.armedUntil = 42;
            reader.deadlinePassed(42);

            assertThat(reader.isOpen()).isFalse();
            assertThat(reader.readDeadlinePassed()).isTrue();
        }
    }

    /** A connected loopback pair; the reader reads the client end. */
    private static final class Pair implements AutoCloseable {
        final ServerSocketChannel server;
        final SocketChannel client;
        final SocketChannel accepted;

        Pair() throws IOException {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client = SocketChannel.open(server.getLocalAddress());
            accepted = server.accept();
        }

        BlockingSocketReader reader() {
            BlockingTransport t =
                    new BlockingTransport(client, Channels.newInputStream(client), Channels.newOutputStream(client));
            return new BlockingSocketReader(t, Ticker.SYSTEM);
        }

        @Override
        public void close() throws IOException {
            accepted.close();
            client.close();
            server.close();
        }
    }
}
