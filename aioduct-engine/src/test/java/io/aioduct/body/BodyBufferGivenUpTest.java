package io.aioduct.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A body its reader gave up on (closed before its end, or failed) stops its connection reading at the
 * next bytes that arrive, before the abort it sent reaches the connection's thread. Without that, a loop
 * kept reading and dropping what the server had already sent until the abort ran, and could reach the end
 * of the message first, keeping a connection the caller gave up on (the cause of a flaky
 * DecompressionTest case on io_uring).
 */
class BodyBufferGivenUpTest {

    /** What a connection is asked to do, in order. */
    private static final class Recording implements BodyBuffer.Control {
        final List<String> calls = new ArrayList<>();

        @Override
        public void pauseReading() {
            calls.add("pause");
        }

        @Override
        public void resumeReading() {
            calls.add("resume");
        }

        @Override
        public void abort(BodyBuffer body, String reason) {
            calls.add("abort");
        }

        @Override
        public boolean onLoop() {
            return false;
        }
    }

    @Test
    void bytesAfterCloseStopReadingOnceAndAreNotKept() {
        Recording control = new Recording();
        BodyBuffer body = new BodyBuffer(control, -1, 64 * 1024, 0);
        ByteBuf first = bytes(100);
        body.onData(first, 0, 100);
        first.release();

        body.close(); // the reader gives up before the end: the connection is to be aborted
        assertThat(control.calls).containsExactly("abort");

        ByteBuf late = bytes(4096);
        body.onData(late, 0, 4096);
        body.onData(late, 0, 4096);
        assertThat(control.calls)
                .as("one pause, at the first bytes after the close")
                .containsExactly("abort", "pause");
        assertThat(late.refCnt()).as("late bytes are not kept").isEqualTo(1);
        late.release();
    }

    @Test
    void bytesAfterAFailureStopReading() {
        Recording control = new Recording();
        BodyBuffer body = new BodyBuffer(control, -1, 64 * 1024, 0);
        body.onError(new IllegalStateException("the connection broke"));

        ByteBuf late = bytes(10);
        body.onData(late, 0, 10);
        assertThat(control.calls).containsExactly("pause");
        assertThat(late.refCnt()).isEqualTo(1);
        late.release();
    }

    @Test
    void aPausedBodyIsNotPausedAgainAfterClose() {
        Recording control = new Recording();
        BodyBuffer body = new BodyBuffer(control, -1, 1024, 0);
        ByteBuf full = bytes(2048);
        body.onData(full, 0, 2048); // past the high-water mark: paused
        full.release();
        body.close();

        ByteBuf late = bytes(10);
        body.onData(late, 0, 10);
        assertThat(control.calls).containsExactly("pause", "abort");
        late.release();
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.buffer(n).writeZero(n);
    }
}
