package io.aioduct.http2;

import io.aioduct.ConnectionClosedException;
import io.aioduct.HttpProtocolException;
import io.aioduct.StreamResetException;
import io.aioduct.protocol.Http2Options;
import io.aioduct.syntax.HeaderRules;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The client side of one HTTP/2 connection, without I/O: {@link #receive} takes the bytes that arrived,
 * the write methods queue frames, and {@link #drainOutbound} hands the driver what to send. It speaks
 * RFC 9113: the preface and SETTINGS exchange, HPACK ({@link HpackEncoder}, {@link HpackDecoder}), CONTINUATION,
 * flow control in both directions, PING, RST_STREAM and GOAWAY. Push is refused (ENABLE_PUSH 0).
 *
 * <p>Errors: a stream error resets that stream only; a connection error sends GOAWAY, fails every
 * stream with a protocol error and marks the session {@link #closed()}, after which the driver flushes
 * and closes the transport. Nothing is thrown out of {@link #receive}. A malformed response (RFC 9113
 * section 8: a header block {@link ResponseHeaderBlock} rejects, a misplaced or missing {@code :status},
 * DATA that does not add up to the content-length) is a stream error PROTOCOL_ERROR, found before the
 * stream's handler hears of the block or the DATA frame at fault.
 *
 * <p>Threading: none of its own. The driver calls it from one thread at a time (an event loop, or
 * under a lock); handlers are called on that thread.
 *
 * <p>File size (over 500 lines): one class on purpose. Every frame handler reads and writes the same
 * connection state (the stream table, both flow-control windows, the HPACK encoder and decoder, the
 * GOAWAY bound), so splitting inbound from outbound would only move that state behind accessors both
 * halves call; it reads top to bottom as the RFC's sections do (starting, sending, receiving each frame
 * type, errors). The parts with no share in that state already live apart: {@link Frames} (wire
 * constants and frame headers), the HPACK codec ({@link HpackEncoder}, {@link HpackDecoder}), {@link ResponseHeaderBlock}
 * (decoded header checks), {@link
 * Http2Messages} (requests and responses as HTTP messages).
 */
public final class Http2Session {

    /** Connection-level events the driver cares about. */
    public interface Listener {
        /** The number of streams the connection can take changed (SETTINGS, GOAWAY, a stream ended). */
        void onCapacityChanged();

        /** A PING we sent was answered. */
        void onPingAcknowledged();
    }

    private static final class Stream {
        final int id;
        final StreamHandler handler;
        int sendWindow;
        int recvWindow;
        int unacknowledged;
        boolean localEnded;
        boolean remoteEnded;
        boolean headersReceived;
        boolean blocked;
        // Response framing (RFC 9113 8.1.1): what content-length announced (-1: nothing to hold the DATA
        // to), and the DATA payload that arrived.
        boolean headRequest;
        long announcedLength = -1;
        long dataReceived;

        Stream(int id, StreamHandler handler, int sendWindow, int recvWindow) {
            this.id = id;
            this.handler = handler;
            this.sendWindow = sendWindow;
            this.recvWindow = recvWindow;
        }
    }

    private final Http2Options options;
    private final ByteBufAllocator alloc;
    private final Listener listener;
    private final IntObjectHashMap<Stream> streams = new IntObjectHashMap<>();
    private final HpackEncoder encoder = new HpackEncoder();
    private final HpackDecoder decoder;
    private final ResponseHeaderBlock receivedBlock = new ResponseHeaderBlock();
    private @Nullable ByteBuf outbound;
    private int nextStreamId = 1;
    private long remoteMaxConcurrentStreams = Long.MAX_VALUE;
    private int remoteInitialWindow = Frames.DEFAULT_WINDOW;
    private int remoteMaxFrameSize = Frames.DEFAULT_MAX_FRAME_SIZE;
    // Volatile: read by checkHeaderListSize on a blocking driver's thread before it takes the session.
    private volatile long remoteMaxHeaderListSize = Long.MAX_VALUE;
    private boolean settingsReceived;
    private int connectionSendWindow = Frames.DEFAULT_WINDOW;
    private int connectionRecvWindow = Frames.DEFAULT_WINDOW;
    private int connectionUnacknowledged;
    private int goAwayLastStreamId = Integer.MAX_VALUE;
    private boolean goingAway;
    private boolean closed;
    private @Nullable Throwable closeCause;
    // A header block spread over HEADERS + CONTINUATION frames.
    private int continuationStream;
    private boolean continuationEndStream;
    private @Nullable ByteBuf headerBlock;
    private int lastSentHeaderBytes;
    private int lastReceivedHeaderBytes;
    private final List<Stream> writable = new ArrayList<>();

    public Http2Session(Http2Options options, ByteBufAllocator alloc, Listener listener) {
        this.options = options;
        this.alloc = alloc;
        this.listener = listener;
        // We send no SETTINGS_HEADER_TABLE_SIZE, so the server's encoder may use the default 4096 octets.
        this.decoder = new HpackDecoder(Frames.DEFAULT_HEADER_TABLE_SIZE, options.maxHeaderListSize());
    }

    // ---- starting ----

    /** Queues the connection preface, our SETTINGS and the connection window increase. Call once, first. */
    public void start() {
        ByteBuf out = out();
        out.writeBytes(Frames.PREFACE);
        int settings = 5;
        Frames.writeHeader(out, settings * 6, Frames.SETTINGS, 0, 0);
        setting(out, Frames.SETTINGS_ENABLE_PUSH, 0);
        setting(out, Frames.SETTINGS_MAX_CONCURRENT_STREAMS, 0);
        setting(out, Frames.SETTINGS_INITIAL_WINDOW_SIZE, options.streamWindow());
        setting(out, Frames.SETTINGS_MAX_FRAME_SIZE, options.maxFrameSize());
        setting(out, Frames.SETTINGS_MAX_HEADER_LIST_SIZE, options.maxHeaderListSize());
        int increase = options.connectionWindow() - Frames.DEFAULT_WINDOW;
        if (increase > 0) {
            windowUpdate(0, increase);
            connectionRecvWindow += increase;
        }
    }

    private static void setting(ByteBuf out, int id, long value) {
        out.writeShort(id);
        out.writeInt((int) value);
    }

    // ---- state ----

    public boolean closed() {
        return closed;
    }

    /** Whether the server sent GOAWAY (no new streams) or the session closed. */
    public boolean goingAway() {
        return goingAway || closed;
    }

    public int activeStreams() {
        return streams.size();
    }

    /**
     * How many streams may be open at once now: min(server limit, our cap); 0 once going away. Until the
     * server's first SETTINGS arrive its limit is unknown (RFC 9113 section 6.5.2 lets a client assume
     * 100, yet a server that allows fewer refuses the excess, or, before it sees our acknowledgement,
     * does not even enforce its limit): one stream, so nothing is opened beyond what the server allows.
     */
    public int capacity() {
        if (goingAway()) {
            return 0;
        }
        long limit = Math.min(remoteMaxConcurrentStreams, options.maxConcurrentStreams());
        if (!settingsReceived) {
            limit = Math.min(limit, 1);
        }
        return (int) Math.min(limit, Integer.MAX_VALUE);
    }

    /** Whether the server's first SETTINGS arrived, so {@link #capacity()} is its real limit. */
    public boolean settingsReceived() {
        return settingsReceived;
    }

    /** Why the session closed, or null. */
    public @Nullable Throwable closeCause() {
        return closeCause;
    }

    /** Size of the HPACK block last encoded (by {@link #openStream} or {@link #writeTrailers}), for events. */
    public int lastSentHeaderBytes() {
        return lastSentHeaderBytes;
    }

    /** Size of the HPACK block of the headers being delivered now, for events (valid inside onHeaders). */
    public int lastReceivedHeaderBytes() {
        return lastReceivedHeaderBytes;
    }

    // ---- sending ----

    /**
     * Opens a stream with a request head (checked first with {@link #checkHeaderListSize}). Returns its id,
     * or -1 when no stream can open now (going away, at the stream limit, ids exhausted).
     */
    public int openStream(StreamHandler handler, HeaderList headers, boolean endStream) {
        if (goingAway() || streams.size() >= capacity() || nextStreamId < 0) {
            return -1;
        }
        int id = nextStreamId;
        nextStreamId += 2;
        Stream s = new Stream(id, handler, remoteInitialWindow, options.streamWindow());
        s.localEnded = endStream;
        s.headRequest = "HEAD".equals(headers.first(":method"));
        streams.put(id, s);
        writeHeaderBlock(id, headers, endStream);
        return id;
    }

    /** Sends trailers, ending the request. */
    public void writeTrailers(int id, HeaderList trailers) {
        Stream s = streams.get(id);
        if (s == null || s.localEnded) {
            return;
        }
        s.localEnded = true;
        writeHeaderBlock(id, trailers, true);
        maybeRemove(s);
    }

    /**
     * Throws {@link IllegalArgumentException} for a header list larger than the server's
     * SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 section 6.5.2), which it would refuse. Any thread: the
     * drivers check a request head before they take the session.
     */
    void checkHeaderListSize(HeaderList headers) {
        long limit = remoteMaxHeaderListSize;
        long size = headers.listSize();
        if (size > limit) {
            throw new IllegalArgumentException("the request's HTTP/2 header list of " + size
                    + " bytes exceeds the server's SETTINGS_MAX_HEADER_LIST_SIZE of " + limit);
        }
    }

    private void writeHeaderBlock(int id, HeaderList headers, boolean endStream) {
        ByteBuf block = alloc.buffer();
        try {
            encoder.encode(block, headers);
            lastSentHeaderBytes = block.readableBytes();
            ByteBuf out = out();
            int flags = endStream ? Frames.FLAG_END_STREAM : 0;
            int first = Math.min(block.readableBytes(), remoteMaxFrameSize);
            boolean last = first == block.readableBytes();
            Frames.writeHeader(out, first, Frames.HEADERS, flags | (last ? Frames.FLAG_END_HEADERS : 0), id);
            out.writeBytes(block, first);
            while (block.isReadable()) {
                int n = Math.min(block.readableBytes(), remoteMaxFrameSize);
                last = n == block.readableBytes();
                Frames.writeHeader(out, n, Frames.CONTINUATION, last ? Frames.FLAG_END_HEADERS : 0, id);
                out.writeBytes(block, n);
            }
        } finally {
            block.release();
        }
    }

    /**
     * Sends as much of {@code data} as flow control allows, in frames of at most the server's frame
     * size, advancing its reader index. With {@code endStream}, the last frame ends the request once all
     * of {@code data} is sent. Returns whether everything was sent; if not, the handler's {@link
     * StreamHandler#onWritable()} is called when the window opens.
     */
    public boolean writeData(int id, ByteBuf data, boolean endStream) {
        Stream s = streams.get(id);
        if (s == null || s.localEnded) {
            data.skipBytes(data.readableBytes());
            return true;
        }
        ByteBuf out = out();
        while (true) {
            int remaining = data.readableBytes();
            int n = Math.min(remaining, Math.min(remoteMaxFrameSize, Math.min(s.sendWindow, connectionSendWindow)));
            if (n <= 0 && remaining > 0) {
                s.blocked = true;
                if (!writable.contains(s)) writable.add(s);
                return false;
            }
            boolean last = n == remaining;
            int flags = last && endStream ? Frames.FLAG_END_STREAM : 0;
            Frames.writeHeader(out, n, Frames.DATA, flags, id);
            out.writeBytes(data, n);
            s.sendWindow -= n;
            connectionSendWindow -= n;
            if (last) {
                if (endStream) {
                    s.localEnded = true;
                    maybeRemove(s);
                }
                return true;
            }
        }
    }

    /** Resets a stream from our side (the caller gave up): RST_STREAM and forget it. */
    public void reset(int id, int errorCode) {
        Stream s = streams.remove(id);
        if (s != null) {
            rstStream(id, errorCode);
            writable.remove(s);
            listener.onCapacityChanged();
        }
    }

    /**
     * The application consumed {@code bytes} of a stream's payload: grow the stream's window back once
     * half of it is used. (The connection window grows as bytes arrive, so one slow stream never stalls
     * the others; each stream's own window bounds what it buffers.)
     */
    public void consumed(int id, int bytes) {
        Stream s = streams.get(id);
        if (s == null || s.remoteEnded || bytes <= 0) {
            return;
        }
        s.unacknowledged += bytes;
        if (s.unacknowledged >= options.streamWindow() / 2) {
            windowUpdate(id, s.unacknowledged);
            s.recvWindow += s.unacknowledged;
            s.unacknowledged = 0;
        }
    }

    public void ping(long payload) {
        ByteBuf out = out();
        Frames.writeHeader(out, 8, Frames.PING, 0, 0);
        out.writeLong(payload);
    }

    /** Ends the connection from our side: GOAWAY, fail every stream with {@code cause}, closed. */
    public void goAway(int errorCode, String debug, Throwable cause) {
        if (closed) {
            return;
        }
        ByteBuf out = out();
        byte[] text = debug.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Frames.writeHeader(out, 8 + text.length, Frames.GOAWAY, 0, 0);
        out.writeInt(0); // we accept no server-initiated streams
        out.writeInt(errorCode);
        out.writeBytes(text);
        close(cause);
    }

    /** The transport closed: every stream fails with {@code cause}. Idempotent. */
    public void transportClosed(Throwable cause) {
        close(cause);
    }

    private void close(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        closeCause = cause;
        releaseHeaderBlock();
        List<Stream> all = new ArrayList<>(streams.values());
        streams.clear();
        writable.clear();
        for (Stream s : all) {
            s.handler.onClosed(cause, false);
        }
        listener.onCapacityChanged();
    }

    /** The frames queued since the last call, or null. The caller owns (writes and releases) the buffer. */
    public @Nullable ByteBuf drainOutbound() {
        ByteBuf out = outbound;
        outbound = null;
        if (out != null && !out.isReadable()) {
            out.release();
            return null;
        }
        return out;
    }

    private ByteBuf out() {
        if (outbound == null) {
            outbound = alloc.buffer(256);
        }
        return outbound;
    }

    private void windowUpdate(int id, int increment) {
        ByteBuf out = out();
        Frames.writeHeader(out, 4, Frames.WINDOW_UPDATE, 0, id);
        out.writeInt(increment);
    }

    private void rstStream(int id, int code) {
        ByteBuf out = out();
        Frames.writeHeader(out, 4, Frames.RST_STREAM, 0, id);
        out.writeInt(code);
    }

    /**
     * Forgets a stream whose response ended, before its handler hears of the end: the handler may start
     * the next exchange at once, and that one must find the stream's slot free. A response that ended
     * while the request body was still being sent (RFC 9113 section 8.1 lets a server answer early) ends
     * the request too, with RST_STREAM(NO_ERROR): the exchange is over, and a stream left half-closed
     * would count against the server's SETTINGS_MAX_CONCURRENT_STREAMS for ever. The handler stops its
     * body; {@link #writeData} drops what it still offers.
     */
    private boolean removeIfClosed(Stream s) {
        if (s.remoteEnded && !s.localEnded) {
            s.localEnded = true;
            rstStream(s.id, Frames.NO_ERROR);
        }
        if (s.localEnded && s.remoteEnded && streams.remove(s.id) != null) {
            writable.remove(s);
            return true;
        }
        return false;
    }

    private void maybeRemove(Stream s) {
        if (s.localEnded && s.remoteEnded && streams.remove(s.id) != null) {
            writable.remove(s);
            listener.onCapacityChanged();
        }
    }

    // ---- receiving ----

    /** Consumes every complete frame in {@code in}, leaving a partial frame for the next call. */
    public void receive(ByteBuf in) {
        while (!closed && in.readableBytes() >= Frames.HEADER_LENGTH) {
            int start = in.readerIndex();
            int length = in.getUnsignedMedium(start);
            if (length > options.maxFrameSize()) {
                connectionError(
                        Frames.FRAME_SIZE_ERROR,
                        "frame of " + length + " bytes exceeds the " + options.maxFrameSize()
                                + "-byte limit we advertised");
                return;
            }
            if (in.readableBytes() < Frames.HEADER_LENGTH + length) {
                return;
            }
            int type = in.getUnsignedByte(start + 3);
            int flags = in.getUnsignedByte(start + 4);
            int streamId = in.getInt(start + 5) & Integer.MAX_VALUE;
            ByteBuf payload = in.slice(start + Frames.HEADER_LENGTH, length);
            in.readerIndex(start + Frames.HEADER_LENGTH + length);
            if (continuationStream != 0 && type != Frames.CONTINUATION) {
                connectionError(
                        Frames.PROTOCOL_ERROR, Frames.typeName(type) + " frame in the middle of a header block");
                return;
            }
            frame(type, flags, streamId, payload);
        }
    }

    private void frame(int type, int flags, int streamId, ByteBuf payload) {
        switch (type) {
            case Frames.DATA -> onData(flags, streamId, payload);
            case Frames.HEADERS -> onHeaders(flags, streamId, payload);
            case Frames.PRIORITY -> {
                if (payload.readableBytes() != 5) {
                    streamError(
                            streamId,
                            Frames.FRAME_SIZE_ERROR,
                            "PRIORITY frame of " + payload.readableBytes() + " bytes");
                }
            }
            case Frames.RST_STREAM -> onRstStream(streamId, payload);
            case Frames.SETTINGS -> onSettings(flags, streamId, payload);
            case Frames.PUSH_PROMISE ->
                connectionError(
                        Frames.PROTOCOL_ERROR,
                        "PUSH_PROMISE received although push is disabled (SETTINGS_ENABLE_PUSH = 0)");
            case Frames.PING -> onPing(flags, streamId, payload);
            case Frames.GOAWAY -> onGoAway(streamId, payload);
            case Frames.WINDOW_UPDATE -> onWindowUpdate(streamId, payload);
            case Frames.CONTINUATION -> onContinuation(flags, streamId, payload);
            default -> {
                // Unknown frame types are ignored (RFC 9113 section 4.1).
            }
        }
    }

    private void onData(int flags, int streamId, ByteBuf payload) {
        if (streamId == 0) {
            connectionError(Frames.PROTOCOL_ERROR, "DATA frame on stream 0");
            return;
        }
        int length = payload.readableBytes();
        int padding = 0;
        if ((flags & Frames.FLAG_PADDED) != 0) {
            if (length < 1) {
                connectionError(Frames.FRAME_SIZE_ERROR, "padded DATA frame without a pad length");
                return;
            }
            padding = payload.readUnsignedByte() + 1;
            if (padding > length) {
                connectionError(Frames.PROTOCOL_ERROR, "DATA padding longer than the frame");
                return;
            }
        }
        connectionRecvWindow -= length;
        if (connectionRecvWindow < 0) {
            connectionError(Frames.FLOW_CONTROL_ERROR, "the server sent more than the connection window allows");
            return;
        }
        connectionUnacknowledged += length;
        if (connectionUnacknowledged >= options.connectionWindow() / 2) {
            windowUpdate(0, connectionUnacknowledged);
            connectionRecvWindow += connectionUnacknowledged;
            connectionUnacknowledged = 0;
        }
        Stream s = streams.get(streamId);
        if (s == null) {
            if (streamId >= nextStreamId) {
                connectionError(Frames.PROTOCOL_ERROR, "DATA frame on stream " + streamId + " that was never opened");
            }
            // A stream we reset or finished: its late frames are dropped (the connection window was counted).
            return;
        }
        if (s.remoteEnded || !s.headersReceived) {
            streamError(
                    streamId,
                    Frames.STREAM_CLOSED,
                    s.remoteEnded ? "DATA after the end of the response" : "DATA before the response headers");
            return;
        }
        s.recvWindow -= length;
        if (s.recvWindow < 0) {
            streamError(streamId, Frames.FLOW_CONTROL_ERROR, "the server sent more than the stream window allows");
            return;
        }
        boolean end = (flags & Frames.FLAG_END_STREAM) != 0;
        int data = payload.readableBytes() - (padding > 0 ? padding - 1 : 0);
        s.dataReceived += data;
        if (s.announcedLength >= 0
                && (s.dataReceived > s.announcedLength || (end && s.dataReceived != s.announcedLength))) {
            streamError(streamId, Frames.PROTOCOL_ERROR, lengthMismatch(s));
            return;
        }
        if (padding > 0) {
            // Padding is flow-controlled but never reaches the application: count it consumed now.
            s.unacknowledged += padding;
        }
        boolean removed = false;
        if (end) {
            s.remoteEnded = true;
            removed = removeIfClosed(s);
        }
        s.handler.onData(payload, payload.readerIndex(), data, end);
        if (removed) {
            listener.onCapacityChanged();
        }
    }

    private void onHeaders(int flags, int streamId, ByteBuf payload) {
        if (streamId == 0) {
            connectionError(Frames.PROTOCOL_ERROR, "HEADERS frame on stream 0");
            return;
        }
        int padding = 0;
        if ((flags & Frames.FLAG_PADDED) != 0) {
            if (!payload.isReadable()) {
                connectionError(Frames.FRAME_SIZE_ERROR, "padded HEADERS frame without a pad length");
                return;
            }
            padding = payload.readUnsignedByte();
        }
        if ((flags & Frames.FLAG_PRIORITY) != 0) {
            if (payload.readableBytes() < 5) {
                connectionError(Frames.FRAME_SIZE_ERROR, "HEADERS priority fields missing");
                return;
            }
            payload.skipBytes(5);
        }
        if (padding > payload.readableBytes()) {
            connectionError(Frames.PROTOCOL_ERROR, "HEADERS padding longer than the frame");
            return;
        }
        // The payload is this frame's own slice: dropping the padding from its end needs no second slice.
        ByteBuf fragment = payload.writerIndex(payload.writerIndex() - padding);
        boolean end = (flags & Frames.FLAG_END_STREAM) != 0;
        if ((flags & Frames.FLAG_END_HEADERS) != 0) {
            headerBlockDone(streamId, end, fragment);
        } else {
            continuationStream = streamId;
            continuationEndStream = end;
            headerBlock = alloc.buffer(fragment.readableBytes() * 2);
            headerBlock.writeBytes(fragment);
        }
    }

    private void onContinuation(int flags, int streamId, ByteBuf payload) {
        if (continuationStream == 0 || streamId != continuationStream) {
            connectionError(
                    Frames.PROTOCOL_ERROR,
                    "CONTINUATION frame without a header block in progress on stream " + streamId);
            return;
        }
        ByteBuf block = headerBlock;
        if (block.readableBytes() + payload.readableBytes() > options.maxHeaderListSize() * 2L + 1024) {
            // Compressed size far beyond any list we would accept: stop buffering (a CONTINUATION flood).
            connectionError(
                    Frames.ENHANCE_YOUR_CALM,
                    "header block over " + options.maxHeaderListSize() + " bytes split into CONTINUATION frames");
            return;
        }
        block.writeBytes(payload);
        if ((flags & Frames.FLAG_END_HEADERS) != 0) {
            headerBlock = null;
            continuationStream = 0;
            try {
                headerBlockDone(streamId, continuationEndStream, block);
            } finally {
                block.release();
            }
        }
    }

    private void releaseHeaderBlock() {
        if (headerBlock != null) {
            headerBlock.release();
            headerBlock = null;
        }
        continuationStream = 0;
    }

    /** A complete header block arrived: decode it (always, to keep HPACK in step), then apply it. */
    private void headerBlockDone(int streamId, boolean endStream, ByteBuf block) {
        lastReceivedHeaderBytes = block.readableBytes();
        ResponseHeaderBlock fields = receivedBlock;
        fields.reset();
        boolean fits;
        try {
            fits = decoder.decode(block, fields);
        } catch (HpackDecoder.CompressionException e) {
            connectionError(Frames.COMPRESSION_ERROR, "malformed header block: " + e.getMessage());
            return;
        }
        if (!fits) {
            streamError(
                    streamId,
                    Frames.PROTOCOL_ERROR,
                    "response headers exceed the " + options.maxHeaderListSize() + "-byte header list limit");
            return;
        }
        Stream s = streams.get(streamId);
        if (s == null) {
            if (streamId >= nextStreamId || streamId % 2 == 0) {
                connectionError(Frames.PROTOCOL_ERROR, "HEADERS on stream " + streamId + " that was never opened");
            }
            return;
        }
        if (s.remoteEnded) {
            streamError(streamId, Frames.STREAM_CLOSED, "HEADERS after the end of the response");
            return;
        }
        if (s.headersReceived) {
            trailersReceived(s, fields, endStream);
        } else {
            headReceived(s, fields, endStream);
        }
    }

    /** An interim or final response head; a malformed one is a stream error (RFC 9113 8.1.1). */
    private void headReceived(Stream s, ResponseHeaderBlock head, boolean endStream) {
        String problem = head.headProblem();
        int code = problem == null ? parseStatus(head.status()) : -1;
        if (problem == null && code < 100) {
            // 600-999 are no HTTP status, yet a client treats them as 5xx (RFC 9110 15): passed on.
            problem = "response :status '" + HeaderRules.printable(head.status())
                    + "' is not a three-digit status code of at least 100 (RFC 9113 §8.3.2, RFC 9110 §15)";
        } else if (problem == null && code == 101) {
            problem = "interim response 101 Switching Protocols, which HTTP/2 does not allow (RFC 9113 §8.6)";
        } else if (problem == null && code < 200 && endStream) {
            problem = "interim response " + code + " ends the stream (RFC 9113 §8.1)";
        }
        if (problem == null && code >= 200) {
            boolean noContent = s.headRequest || code == 204 || code == 304;
            // HEAD, 204 and 304 responses may announce a length they never carry (RFC 9113 8.1.1).
            s.announcedLength = noContent ? -1 : head.contentLength();
            if (endStream && s.announcedLength > 0) {
                problem = lengthMismatch(s);
            }
        }
        if (problem != null) {
            streamError(s.id, Frames.PROTOCOL_ERROR, problem);
            return;
        }
        if (code < 200) {
            s.handler.onInterim(code); // 1xx: the real head follows
            return;
        }
        s.headersReceived = true;
        boolean removed = false;
        if (endStream) {
            s.remoteEnded = true;
            removed = removeIfClosed(s);
        }
        s.handler.onResponse(code, head.headers(), head.contentLength(), endStream);
        if (removed) {
            listener.onCapacityChanged();
        }
    }

    /** A header block after the final head: trailers, which end the stream (RFC 9113 8.1). */
    private void trailersReceived(Stream s, ResponseHeaderBlock trailers, boolean endStream) {
        String problem = trailers.trailersProblem();
        if (problem == null && !endStream) {
            problem = "trailers without END_STREAM (RFC 9113 §8.1)";
        }
        if (problem == null && s.announcedLength >= 0 && s.dataReceived != s.announcedLength) {
            problem = lengthMismatch(s);
        }
        if (problem != null) {
            streamError(s.id, Frames.PROTOCOL_ERROR, problem);
            return;
        }
        s.remoteEnded = true;
        boolean removed = removeIfClosed(s);
        s.handler.onTrailers(trailers.headers());
        if (removed) {
            listener.onCapacityChanged();
        }
    }

    private static String lengthMismatch(Stream s) {
        return "content-length announced " + s.announcedLength + " bytes but "
                + (s.dataReceived > s.announcedLength
                        ? s.dataReceived + " arrived"
                        : "the response ended after " + s.dataReceived)
                + " (RFC 9113 §8.1.1)";
    }

    private static int parseStatus(String status) {
        if (status.length() != 3) {
            return -1;
        }
        int code = 0;
        for (int i = 0; i < 3; i++) {
            char c = status.charAt(i);
            if (c < '0' || c > '9') return -1;
            code = code * 10 + (c - '0');
        }
        return code;
    }

    private void onRstStream(int streamId, ByteBuf payload) {
        if (streamId == 0 || payload.readableBytes() != 4) {
            connectionError(streamId == 0 ? Frames.PROTOCOL_ERROR : Frames.FRAME_SIZE_ERROR, "malformed RST_STREAM");
            return;
        }
        long code = payload.readUnsignedInt();
        Stream s = streams.remove(streamId);
        if (s == null) {
            return;
        }
        writable.remove(s);
        boolean refused = code == Frames.REFUSED_STREAM;
        if (code == Frames.NO_ERROR && s.remoteEnded) {
            // The server finished its response and asks us to stop sending the request body: fine.
            listener.onCapacityChanged();
            return;
        }
        s.handler.onClosed(new StreamResetException(streamId, code, Frames.errorName(code)), refused);
        listener.onCapacityChanged();
    }

    private void onSettings(int flags, int streamId, ByteBuf payload) {
        if (streamId != 0) {
            connectionError(Frames.PROTOCOL_ERROR, "SETTINGS frame on stream " + streamId);
            return;
        }
        if ((flags & Frames.FLAG_ACK) != 0) {
            if (payload.isReadable()) {
                connectionError(Frames.FRAME_SIZE_ERROR, "SETTINGS acknowledgement with a payload");
            }
            return;
        }
        if (payload.readableBytes() % 6 != 0) {
            connectionError(Frames.FRAME_SIZE_ERROR, "SETTINGS payload of " + payload.readableBytes() + " bytes");
            return;
        }
        boolean capacityChanged = !settingsReceived;
        settingsReceived = true;
        while (payload.isReadable()) {
            int id = payload.readUnsignedShort();
            long value = payload.readUnsignedInt();
            switch (id) {
                case Frames.SETTINGS_HEADER_TABLE_SIZE -> encoder.peerMaxTableSize(value);
                case Frames.SETTINGS_ENABLE_PUSH -> {
                    if (value > 1) {
                        connectionError(Frames.PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH " + value);
                        return;
                    }
                }
                case Frames.SETTINGS_MAX_CONCURRENT_STREAMS -> {
                    remoteMaxConcurrentStreams = value;
                    capacityChanged = true;
                }
                case Frames.SETTINGS_INITIAL_WINDOW_SIZE -> {
                    if (value > Frames.MAX_WINDOW) {
                        connectionError(
                                Frames.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE " + value + " too large");
                        return;
                    }
                    int delta = (int) value - remoteInitialWindow;
                    remoteInitialWindow = (int) value;
                    for (Stream s : streams.values()) {
                        long w = (long) s.sendWindow + delta;
                        if (w > Frames.MAX_WINDOW) {
                            connectionError(Frames.FLOW_CONTROL_ERROR, "stream window overflow after SETTINGS");
                            return;
                        }
                        s.sendWindow = (int) w;
                    }
                }
                case Frames.SETTINGS_MAX_FRAME_SIZE -> {
                    if (value < Frames.DEFAULT_MAX_FRAME_SIZE || value > 16_777_215) {
                        connectionError(Frames.PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE " + value + " out of range");
                        return;
                    }
                    remoteMaxFrameSize = (int) value;
                }
                case Frames.SETTINGS_MAX_HEADER_LIST_SIZE -> remoteMaxHeaderListSize = value;
                default -> {
                    // Unknown settings are ignored (RFC 9113 section 6.5.2).
                }
            }
        }
        Frames.writeHeader(out(), 0, Frames.SETTINGS, Frames.FLAG_ACK, 0);
        wakeWritable();
        if (capacityChanged) {
            listener.onCapacityChanged();
        }
    }

    private void onPing(int flags, int streamId, ByteBuf payload) {
        if (streamId != 0 || payload.readableBytes() != 8) {
            connectionError(streamId != 0 ? Frames.PROTOCOL_ERROR : Frames.FRAME_SIZE_ERROR, "malformed PING");
            return;
        }
        if ((flags & Frames.FLAG_ACK) != 0) {
            listener.onPingAcknowledged();
            return;
        }
        ByteBuf out = out();
        Frames.writeHeader(out, 8, Frames.PING, Frames.FLAG_ACK, 0);
        out.writeBytes(payload, 8);
    }

    private void onGoAway(int streamId, ByteBuf payload) {
        if (streamId != 0 || payload.readableBytes() < 8) {
            connectionError(Frames.PROTOCOL_ERROR, "malformed GOAWAY");
            return;
        }
        int last = payload.readInt() & Integer.MAX_VALUE;
        long code = payload.readUnsignedInt();
        String debug = payload.toString(java.nio.charset.StandardCharsets.UTF_8);
        goingAway = true;
        goAwayLastStreamId = Math.min(goAwayLastStreamId, last);
        // First announce that no new stream may open here, so refused streams retried from their
        // callbacks below go to another connection.
        listener.onCapacityChanged();
        // Streams above the last id were never processed: they go elsewhere. The rest may still finish.
        List<Stream> refused = new ArrayList<>();
        for (Stream s : streams.values()) {
            if (s.id > goAwayLastStreamId) refused.add(s);
        }
        for (Stream s : refused) {
            streams.remove(s.id);
            writable.remove(s);
            s.handler.onClosed(
                    new ConnectionClosedException(
                            "the server sent GOAWAY (" + Frames.errorName(code) + (debug.isEmpty() ? "" : ": " + debug)
                                    + ") before processing stream " + s.id,
                            null),
                    true);
        }
        listener.onCapacityChanged();
    }

    private void onWindowUpdate(int streamId, ByteBuf payload) {
        if (payload.readableBytes() != 4) {
            connectionError(Frames.FRAME_SIZE_ERROR, "WINDOW_UPDATE of " + payload.readableBytes() + " bytes");
            return;
        }
        int increment = payload.readInt() & Integer.MAX_VALUE;
        if (streamId == 0) {
            if (increment == 0) {
                connectionError(Frames.PROTOCOL_ERROR, "connection WINDOW_UPDATE of 0");
                return;
            }
            if ((long) connectionSendWindow + increment > Frames.MAX_WINDOW) {
                connectionError(Frames.FLOW_CONTROL_ERROR, "connection window overflow");
                return;
            }
            connectionSendWindow += increment;
            wakeWritable();
            return;
        }
        Stream s = streams.get(streamId);
        if (s == null) {
            return;
        }
        if (increment == 0) {
            streamError(streamId, Frames.PROTOCOL_ERROR, "stream WINDOW_UPDATE of 0");
            return;
        }
        if ((long) s.sendWindow + increment > Frames.MAX_WINDOW) {
            streamError(streamId, Frames.FLOW_CONTROL_ERROR, "stream window overflow");
            return;
        }
        s.sendWindow += increment;
        if (s.blocked && s.sendWindow > 0 && connectionSendWindow > 0) {
            s.blocked = false;
            writable.remove(s);
            s.handler.onWritable();
        }
    }

    /** Tells blocked streams the window opened, in the order they blocked. */
    private void wakeWritable() {
        if (writable.isEmpty() || connectionSendWindow <= 0) {
            return;
        }
        List<Stream> ready = new ArrayList<>();
        for (Stream s : writable) {
            if (s.sendWindow > 0) ready.add(s);
        }
        for (Stream s : ready) {
            writable.remove(s);
            s.blocked = false;
            s.handler.onWritable();
        }
    }

    // ---- errors ----

    private void streamError(int streamId, int code, String message) {
        Stream s = streams.remove(streamId);
        rstStream(streamId, code);
        if (s != null) {
            writable.remove(s);
            s.handler.onClosed(
                    new HttpProtocolException(
                            "HTTP/2 stream " + streamId + " error (" + Frames.errorName(code) + "): " + message),
                    false);
            listener.onCapacityChanged();
        }
    }

    private void connectionError(int code, String message) {
        goAway(
                code,
                message,
                new HttpProtocolException("HTTP/2 connection error (" + Frames.errorName(code) + "): " + message));
    }

    @Override
    public String toString() {
        return "Http2Session[streams=" + streams.size() + ", capacity=" + capacity() + ", closed=" + closed + "]";
    }
}
