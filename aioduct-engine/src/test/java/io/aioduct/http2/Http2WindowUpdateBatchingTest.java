package io.aioduct.http2;

import static io.aioduct.http2.H2Support.await;
import static io.aioduct.http2.H2Support.h2c;
import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.AioductClient;
import io.aioduct.Response;
import io.aioduct.testing.EngineTest;
import io.aioduct.testing.RuntimeKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Receive windows are given back in batches, not per DATA frame: the connection's once half its window
 * (2 of 4 MiB) has arrived, a stream's once half its window (1 of 2 MiB) was consumed. A 64 KiB body in
 * four 16 KiB DATA frames therefore costs no WINDOW_UPDATE of its own; 64 of them at once on one
 * connection (4 MiB, 256 DATA frames) cost two connection updates beyond the opening one. Counted on a
 * raw peer that records every frame the client sends; no clock involved.
 */
class Http2WindowUpdateBatchingTest extends EngineTest {
    private static final int BODY = 64 * 1024;
    private static final int STREAMS = 64;

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void sixtyFour64KiBBodiesOnOneConnectionCostTwoWindowUpdates(RuntimeKind kind) {
        try (RawH2Peer peer = RawH2Peer.start().bodyBytes(BODY)) {
            AioductClient client = H2Support.client(singlePoolEngine(kind, h2c()));
            List<CompletableFuture<Response>> responses = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++)
                responses.add(client.get(peer.uri("/" + i)).send());
            for (CompletableFuture<Response> r : responses) {
                assertThat(await(r).body().bytes()).hasSize(BODY);
            }
            awaitQuiet(client.engine());

            assertThat(peer.connectionsAccepted()).isEqualTo(1);
            // The last update is written when the last DATA arrives, flushed at the end of that read: the
            // caller may have its body before the peer has read the frame.
            int expected = 1 + STREAMS * BODY / (2 * 1024 * 1024);
            awaitTrue(
                    () -> peer.frames(RawH2Peer.WINDOW_UPDATE).size() >= expected,
                    () -> "WINDOW_UPDATE frames " + peer.frames(RawH2Peer.WINDOW_UPDATE));
            List<RawH2Peer.Frame> updates = peer.frames(RawH2Peer.WINDOW_UPDATE);
            assertThat(updates)
                    .as("stream window updates (a 64 KiB body is far below half a 2 MiB stream window)")
                    .noneMatch(f -> f.streamId() != 0);
            // The opening update raises the connection window to 4 MiB; then one per 2 MiB that arrived.
            assertThat(updates)
                    .as("connection window updates for %d x 64 KiB in %d DATA frames", STREAMS, STREAMS * 4)
                    .hasSize(expected);
            assertThat(peer.failures()).isEmpty();
        }
    }
}
