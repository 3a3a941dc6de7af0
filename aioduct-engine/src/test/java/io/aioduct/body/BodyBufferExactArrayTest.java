package io.aioduct.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code bytes()} of a body of unknown length (chunked, or h2 without content-length) that ended before it
 * was asked for allocates one array of exactly the body's size. Before, the queued slices were appended to
 * a growable array of at least 8 KiB and then trimmed: a 4 KiB echoed POST response cost 12 KiB of heap, and
 * the load benchmark's h1-post-4k row doubled its bytes per request (6.7 to 14.0 KB). Counted with the
 * thread's allocation counter, not a clock.
 */
class BodyBufferExactArrayTest {
    private static final int PIECE = 2048;

    private static final BodyBuffer.Control IGNORED = new BodyBuffer.Control() {
        @Override
        public void pauseReading() {}

        @Override
        public void resumeReading() {}

        @Override
        public void abort(BodyBuffer body, String reason) {}

        @Override
        public boolean onLoop() {
            return false;
        }
    };

    @Test
    void anEndedBodyOfUnknownLengthIsReadIntoOneArrayOfItsSize() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] allocated = new long[25];
        for (int i = 0; i < 200 + allocated.length; i++) {
            ByteBuf first = filled(PIECE, (byte) 1);
            ByteBuf second = filled(PIECE, (byte) 2);
            BodyBuffer body = new BodyBuffer(IGNORED, -1, 64 * 1024, 8 * 1024);
            body.onData(first, 0, PIECE);
            body.onData(second, 0, PIECE);
            body.onEnd();

            long before = threads.getCurrentThreadAllocatedBytes();
            byte[] bytes =
                    body.readAllAsync(Long.MAX_VALUE).toCompletableFuture().join();
            long cost = threads.getCurrentThreadAllocatedBytes() - before;
            if (i >= 200) allocated[i - 200] = cost;

            assertThat(bytes).hasSize(2 * PIECE);
            assertThat(bytes[0]).isEqualTo((byte) 1);
            assertThat(bytes[2 * PIECE - 1]).isEqualTo((byte) 2);
            assertThat(first.refCnt()).as("the queued slices are released").isEqualTo(1);
            assertThat(second.refCnt()).isEqualTo(1);
            first.release();
            second.release();
        }
        Arrays.sort(allocated);
        long median = allocated[allocated.length / 2];
        // The 4 KiB array (4,112 bytes with its header) and a completed future; the old way allocated an
        // 8 KiB array, then the 4 KiB copy.
        assertThat(median)
                .as("bytes allocated by bytes() of an ended 4 KiB body")
                .isLessThan(2 * PIECE + 1024);
    }

    private static ByteBuf filled(int n, byte value) {
        byte[] a = new byte[n];
        Arrays.fill(a, value);
        return Unpooled.wrappedBuffer(a);
    }
}
