package io.aioduct.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.HttpHeaders;
import io.aioduct.HttpProtocolException;
import io.aioduct.HttpVersion;
import io.aioduct.body.ByteSink;
import io.aioduct.testing.LeakRecordingDetector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.jspecify.annotations.Nullable;

/**
 * Shared helpers for the HTTP/1.1 codec tests: wire bytes from strings, snapshots of what the parser
 * and the body decoder produced (so one-shot and incremental runs can be compared with equals), and a
 * reader that drives {@link ResponseParser} and {@link BodyDecoder} the way a connection does.
 */
final class CodecFixtures {
    static final int MAX_HEAD = 8 * 1024;
    static final int MAX_TRAILER = 1024;

    private CodecFixtures() {}

    static byte[] bytes(String wire) {
        return wire.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * A leak-tracked buffer holding {@code wire} as ISO-8859-1; the caller releases it. Netty tracks
     * only allocator-made direct (or pooled) buffers, not unpooled heap ones, so the tests use these
     * wherever the cost of paranoid tracking (a stack trace per access) is affordable.
     */
    static ByteBuf buf(String wire) {
        byte[] b = bytes(wire);
        return tracked(b.length).writeBytes(b);
    }

    /** An empty leak-tracked buffer; the caller releases it. */
    static ByteBuf tracked(int initialCapacity) {
        return UnpooledByteBufAllocator.DEFAULT.directBuffer(Math.max(initialCapacity, 16));
    }

    /** The readable bytes of {@code in}, without consuming them. */
    static String readable(ByteBuf in) {
        return in.toString(in.readerIndex(), in.readableBytes(), StandardCharsets.ISO_8859_1);
    }

    /** Every field as "name: value", in order. */
    static List<String> fields(HttpHeaders headers) {
        List<String> out = new ArrayList<>(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            out.add(headers.name(i) + ": " + headers.value(i));
        }
        return out;
    }

    /** What the parser produced for one head. */
    record Head(
            int status,
            String reason,
            HttpVersion version,
            List<String> fields,
            long contentLength,
            boolean chunked,
            boolean connectionClose,
            boolean keepAlive) {

        static Head of(ResponseParser p) {
            return new Head(
                    p.status,
                    p.reason().reasonPhrase(),
                    p.version,
                    CodecFixtures.fields(p.headers),
                    p.contentLength,
                    p.chunked,
                    p.connectionClose,
                    p.keepAlive);
        }
    }

    /** Parses the one complete head in {@code wire} in a single call, checking it consumed exactly the head. */
    static Head parseHead(String wire) {
        ResponseParser parser = new ResponseParser(MAX_HEAD);
        ByteBuf in = buf(wire);
        try {
            assertThat(parser.parse(in)).as("parse(%s)", wire).isTrue();
            return Head.of(parser);
        } finally {
            in.release();
        }
    }

    /** A parser that has just parsed the one complete head in {@code wire}. */
    static ResponseParser parsed(String wire) {
        ResponseParser parser = new ResponseParser(MAX_HEAD);
        ByteBuf in = buf(wire);
        try {
            assertThat(parser.parse(in)).as("parse(%s)", wire).isTrue();
            return parser;
        } finally {
            in.release();
        }
    }

    /** The framing a connection picks for the parsed head (HEAD requests aside). */
    static BodyDecoder.Framing framingOf(ResponseParser p) {
        if (p.status == 204 || p.status == 304) {
            return BodyDecoder.Framing.NONE;
        }
        if (p.chunked) {
            return BodyDecoder.Framing.CHUNKED;
        }
        return p.contentLength >= 0 ? BodyDecoder.Framing.LENGTH : BodyDecoder.Framing.UNTIL_CLOSE;
    }

    /** A sink that copies what it is handed and checks each range lies in the buffer's readable bytes. */
    static final class CollectingSink implements ByteSink {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        int calls;

        @Override
        public void onData(ByteBuf in, int index, int length) {
            assertThat(length).as("payload length").isPositive();
            assertThat(index).as("payload index").isGreaterThanOrEqualTo(in.readerIndex());
            assertThat(index + length).as("payload end").isLessThanOrEqualTo(in.writerIndex());
            byte[] b = new byte[length];
            in.getBytes(index, b);
            data.writeBytes(b);
            calls++;
        }

        String text() {
            return data.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Everything observable about reading one response: head, payload, trailers, the end, leftovers. */
    record Result(
            List<Head> heads,
            String body,
            List<String> trailers,
            boolean complete,
            @Nullable String endOfInput,
            String leftover) {}

    /**
     * Reads one response (after any 1xx interim heads) from bytes fed in pieces, as a connection does:
     * one cumulation buffer, parse until a final head, then decode the body from what is left.
     */
    static final class Reader implements AutoCloseable {
        private final ResponseParser parser = new ResponseParser(MAX_HEAD);
        private final BodyDecoder decoder = new BodyDecoder(MAX_TRAILER);
        private final CollectingSink sink = new CollectingSink();
        private final ByteBuf cumulation = tracked(64);
        private final List<Head> heads = new ArrayList<>();
        private final boolean compact;
        private boolean inBody;
        private boolean done;

        /** @param compact discard read bytes before each write, moving the unread ones to index 0 */
        Reader(boolean compact) {
            this.compact = compact;
        }

        void feed(byte[] b, int off, int len) {
            if (compact) {
                cumulation.discardReadBytes();
            }
            cumulation.writeBytes(b, off, len);
            process();
        }

        private void process() {
            while (!inBody) {
                if (!parser.parse(cumulation)) {
                    return;
                }
                heads.add(Head.of(parser));
                if (parser.status >= 200) {
                    inBody = true;
                    decoder.start(framingOf(parser), parser.contentLength);
                }
            }
            if (!done) {
                done = decoder.decode(cumulation, sink, Integer.MAX_VALUE);
            }
        }

        Result finish() {
            String eoi = inBody ? decoder.endOfInput() : "no head";
            return new Result(
                    List.copyOf(heads),
                    sink.text(),
                    fields(decoder.trailers()),
                    decoder.complete(),
                    eoi,
                    readable(cumulation));
        }

        @Override
        public void close() {
            cumulation.release();
        }
    }

    static Result readAtOnce(byte[] wire) {
        try (Reader r = new Reader(false)) {
            r.feed(wire, 0, wire.length);
            return r.finish();
        }
    }

    /** Two reads: bytes [0, split) and then the rest. */
    static Result readSplit(byte[] wire, int split) {
        try (Reader r = new Reader(false)) {
            r.feed(wire, 0, split);
            r.feed(wire, split, wire.length - split);
            return r.finish();
        }
    }

    /** One read per byte, compacting the cumulation buffer before each. */
    static Result readByteByByte(byte[] wire) {
        try (Reader r = new Reader(true)) {
            for (int i = 0; i < wire.length; i++) {
                r.feed(wire, i, 1);
            }
            return r.finish();
        }
    }

    /** Parses {@code wire} in one call with the given head limit, expecting a protocol error. */
    static AbstractThrowableAssert<?, ? extends Throwable> assertHeadRejected(String wire, int maxHeadBytes) {
        ResponseParser parser = new ResponseParser(maxHeadBytes);
        ByteBuf in = buf(wire);
        try {
            return assertThatThrownBy(() -> parser.parse(in))
                    .as("parse(%s)", wire)
                    .isInstanceOf(HttpProtocolException.class);
        } finally {
            in.release();
        }
    }

    static AbstractThrowableAssert<?, ? extends Throwable> assertHeadRejected(String wire) {
        return assertHeadRejected(wire, MAX_HEAD);
    }

    /** Fails if any Netty buffer was reported leaked since the last call. */
    static void assertNoLeaks() {
        assertThat(LeakRecordingDetector.collectLeaks())
                .as("Netty buffer leaks")
                .isEmpty();
    }
}
