package io.aioduct.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * A deliberately simple, blocking HTTP/2 client over a plain socket (h2c with prior knowledge) or TLS
 * with ALPN {@code h2}, which sees every frame. Tests of the test servers use it where the JDK client
 * cannot go (prior knowledge, raw frames, what exactly came on the wire); it is no model for the engine.
 *
 * <p>It HPACK-encodes and decodes with Netty's codec, acknowledges SETTINGS and PING, and (unless told
 * otherwise) tops receive windows up once half used, counting any DATA the server sent beyond the
 * window it had been granted. It does not flow-control what it sends. Reads block at most
 * {@value #READ_TIMEOUT_MILLIS} ms. Single-threaded: one test thread drives it.
 */
final class RawH2Client implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 10_000;
    static final int FLAG_END_STREAM = 0x1;
    static final int FLAG_ACK = 0x1;
    static final int FLAG_END_HEADERS = 0x4;
    static final int FLAG_PADDED = 0x8;
    static final int FLAG_PRIORITY = 0x20;
    static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    static final int SETTINGS_ENABLE_PUSH = 0x2;
    static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
    static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

    private static final int DEFAULT_WINDOW = 65_535;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FRAME = 16_384;

    /** One frame as read: header fields and the raw payload (padding included). */
    record Frame(int type, int flags, int streamId, byte[] payload) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        @Override
        public String toString() {
            return "Frame[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", stream=" + streamId + ", "
                    + payload.length + " bytes]";
        }
    }

    /** A GOAWAY the server sent. */
    record GoAway(int lastStreamId, long errorCode, String debugData) {}

    /** What arrived on one stream. */
    static final class Response {
        final int streamId;
        final List<RecordedRequest.Header> headers = new ArrayList<>();
        final List<List<RecordedRequest.Header>> informational = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<RecordedRequest.Header> trailers = List.of();
        long headerListSize;
        boolean ended;
        long resetCode = -1;

        Response(int streamId) {
            this.streamId = streamId;
        }

        @Nullable
        String header(String name) {
            for (RecordedRequest.Header h : headers) {
                if (h.name().equalsIgnoreCase(name)) {
                    return h.value();
                }
            }
            return null;
        }

        int status() {
            String status = header(":status");
            return status == null ? -1 : Integer.parseInt(status);
        }

        byte[] bodyBytes() {
            return body.toByteArray();
        }

        String bodyAsString() {
            return body.toString(StandardCharsets.UTF_8);
        }

        boolean done() {
            return ended || resetCode >= 0;
        }

        @Override
        public String toString() {
            return "Response[stream " + streamId + ", " + headers + ", " + body.size() + " body bytes, ended=" + ended
                    + ", reset=" + resetCode + "]";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String authority;
    private final String scheme;
    private final int initialWindow;
    private final DefaultHttp2HeadersEncoder encoder =
            new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 16L << 20);

    private final List<Frame> frames = new ArrayList<>();
    private final Map<Integer, Response> responses = new HashMap<>();
    private final Map<Integer, Long> serverSettings = new HashMap<>();
    private final List<GoAway> goAways = new ArrayList<>();
    private final Map<Integer, Long> receiveWindows = new HashMap<>();
    private long connectionReceiveWindow = DEFAULT_WINDOW;
    private int flowControlViolations;
    private boolean autoWindowUpdate = true;
    private boolean eof;
    private int nextStreamId = 1;
    private final ByteArrayOutputStream headerBlock = new ByteArrayOutputStream();
    private int headerBlockStream;
    private boolean headerBlockEndsStream;

    private RawH2Client(Socket socket, String scheme, int initialWindow, Map<Integer, Long> extraSettings)
            throws IOException {
        this.socket = socket;
        this.scheme = scheme;
        this.initialWindow = initialWindow;
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.authority =
                (scheme.equals("https") ? "localhost" : remote.getAddress().getHostAddress()) + ":" + remote.getPort();
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(PREFACE);
        Map<Integer, Long> settings = new HashMap<>(extraSettings);
        settings.putIfAbsent(SETTINGS_ENABLE_PUSH, 0L);
        settings.put(SETTINGS_INITIAL_WINDOW_SIZE, (long) initialWindow);
        sendSettings(settings);
        out.flush();
    }

    /** Connects with prior knowledge (h2c), advertising a {@code initialWindow} stream receive window. */
    static RawH2Client connect(InetSocketAddress address, int initialWindow, Map<Integer, Long> settings)
            throws IOException {
        Socket socket = new Socket();
        socket.connect(address, READ_TIMEOUT_MILLIS);
        return new RawH2Client(socket, "http", initialWindow, settings);
    }

    /** Connects with prior knowledge (h2c), default settings. */
    static RawH2Client connect(InetSocketAddress address) throws IOException {
        return connect(address, DEFAULT_WINDOW, Map.of());
    }

    /** Connects over TLS to {@code localhost:port} with ALPN offering only {@code h2}; fails if not chosen. */
    static RawH2Client connectTls(int port, SSLContext context) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) {
            String chosen = socket.getApplicationProtocol();
            socket.close();
            throw new IOException("server did not choose h2 by ALPN but '" + chosen + "'");
        }
        return new RawH2Client(socket, "https", DEFAULT_WINDOW, Map.of());
    }

    /** Whether receive windows are topped up by WINDOW_UPDATEs once half used (the default). */
    RawH2Client autoWindowUpdate(boolean on) {
        autoWindowUpdate = on;
        return this;
    }

    // ---- sending ----

    /** Sends a request on the next stream: HEADERS (ending the stream when {@code body} is null), then DATA. */
    int request(String method, String path, byte @Nullable [] body, String... headerNameValuePairs) throws IOException {
        int streamId = nextStreamId();
        Http2Headers headers = requestHeaders(method, path, headerNameValuePairs);
        sendHeaders(streamId, headers, body == null);
        if (body != null) {
            sendData(streamId, body, true);
        }
        return streamId;
    }

    /** A GET on the next stream. */
    int get(String path) throws IOException {
        return request("GET", path, null);
    }

    int nextStreamId() {
        int id = nextStreamId;
        nextStreamId += 2;
        return id;
    }

    Http2Headers requestHeaders(String method, String path, String... headerNameValuePairs) {
        Http2Headers headers = new DefaultHttp2Headers(false)
                .method(method)
                .scheme(scheme)
                .authority(authority)
                .path(path);
        List<String> pairs = Wire.pairs(headerNameValuePairs);
        for (int i = 0; i < pairs.size(); i += 2) {
            headers.add(pairs.get(i), pairs.get(i + 1));
        }
        return headers;
    }

    /** HPACK-encodes {@code headers} into HEADERS (+ CONTINUATION) frames. */
    void sendHeaders(int streamId, Http2Headers headers, boolean endStream) throws IOException {
        ByteBuf block = Unpooled.buffer();
        try {
            encoder.encodeHeaders(streamId, headers, block);
            byte[] bytes = ByteBufUtil.getBytes(block);
            int first = Math.min(bytes.length, MAX_FRAME);
            int flags = (endStream ? FLAG_END_STREAM : 0) | (first == bytes.length ? FLAG_END_HEADERS : 0);
            writeFrame(Http2FrameTypes.HEADERS, flags, streamId, bytes, 0, first);
            for (int offset = first; offset < bytes.length; offset += MAX_FRAME) {
                int n = Math.min(MAX_FRAME, bytes.length - offset);
                int cflags = offset + n == bytes.length ? FLAG_END_HEADERS : 0;
                writeFrame(Http2FrameTypes.CONTINUATION, cflags, streamId, bytes, offset, n);
            }
            out.flush();
        } catch (Http2Exception e) {
            throw new IOException("could not encode headers", e);
        } finally {
            block.release();
        }
    }

    /** Sends {@code data} in DATA frames of at most 16 KiB (an empty array sends one empty frame). */
    void sendData(int streamId, byte[] data, boolean endStream) throws IOException {
        int offset = 0;
        do {
            int n = Math.min(MAX_FRAME, data.length - offset);
            boolean last = offset + n == data.length;
            writeFrame(Http2FrameTypes.DATA, last && endStream ? FLAG_END_STREAM : 0, streamId, data, offset, n);
            offset += n;
        } while (offset < data.length);
        out.flush();
    }

    void sendFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
        writeFrame(type, flags, streamId, payload, 0, payload.length);
        out.flush();
    }

    void sendRstStream(int streamId, long errorCode) throws IOException {
        sendFrame(
                Http2FrameTypes.RST_STREAM,
                0,
                streamId,
                ByteBuffer.allocate(4).putInt((int) errorCode).array());
    }

    void sendWindowUpdate(int streamId, int increment) throws IOException {
        sendFrame(
                Http2FrameTypes.WINDOW_UPDATE,
                0,
                streamId,
                ByteBuffer.allocate(4).putInt(increment).array());
        if (streamId == 0) {
            connectionReceiveWindow += increment;
        } else {
            receiveWindows.merge(streamId, (long) increment, Long::sum);
        }
    }

    void sendSettings(Map<Integer, Long> settings) throws IOException {
        ByteBuffer payload = ByteBuffer.allocate(6 * settings.size());
        settings.forEach((id, value) -> payload.putShort((short) (int) id).putInt((int) (long) value));
        writeFrame(Http2FrameTypes.SETTINGS, 0, 0, payload.array(), 0, payload.capacity());
    }

    // ---- receiving ----

    /** Reads one frame and handles it (SETTINGS/PING acks, HPACK, windows); fails on EOF or timeout. */
    Frame readFrame() throws IOException {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int streamId = in.readInt() & 0x7FFF_FFFF;
        byte[] payload = new byte[length];
        in.readFully(payload);
        Frame frame = new Frame(type, flags, streamId, payload);
        frames.add(frame);
        handle(frame);
        return frame;
    }

    /** Reads frames until {@code streamId} ended or was reset, or a GOAWAY excluded it; then returns it. */
    Response awaitResponse(int streamId) throws IOException {
        Response response = response(streamId);
        while (!response.done() && !excludedByGoAway(streamId)) {
            readFrame();
        }
        return response;
    }

    /** Reads frames until a GOAWAY arrives; returns it. */
    GoAway awaitGoAway() throws IOException {
        int seen = goAways.size();
        while (goAways.size() == seen) {
            readFrame();
        }
        return goAways.get(goAways.size() - 1);
    }

    /** Reads (and handles) frames until the server closes the connection; returns what came meanwhile. */
    List<Frame> readUntilEof() throws IOException {
        List<Frame> read = new ArrayList<>();
        try {
            while (true) {
                read.add(readFrame());
            }
        } catch (EOFException | SocketException | SSLException closed) {
            eof = true;
            return read;
        }
    }

    /**
     * Reads (and handles) frames for {@code quiet}, returning them; stops early at EOF. For checking that
     * something does <em>not</em> come, e.g. a WINDOW_UPDATE while the server stalls.
     */
    List<Frame> readFor(Duration quiet) throws IOException {
        List<Frame> read = new ArrayList<>();
        long deadline = System.nanoTime() + quiet.toNanos();
        try {
            while (true) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                if (System.nanoTime() - deadline >= 0) {
                    return read;
                }
                socket.setSoTimeout((int) left);
                read.add(readFrame());
            }
        } catch (SocketTimeoutException timeUp) {
            return read;
        } catch (EOFException closed) {
            eof = true;
            return read;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            }
        }
    }

    Response response(int streamId) {
        return responses.computeIfAbsent(streamId, Response::new);
    }

    List<Frame> frames() {
        return List.copyOf(frames);
    }

    List<GoAway> goAways() {
        return List.copyOf(goAways);
    }

    /** The server's SETTINGS as received (identifier to value), merged over all its SETTINGS frames. */
    Map<Integer, Long> serverSettings() {
        return Map.copyOf(serverSettings);
    }

    /** DATA frames that exceeded the receive window the server had been granted. */
    int flowControlViolations() {
        return flowControlViolations;
    }

    boolean eof() {
        return eof;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private boolean excludedByGoAway(int streamId) {
        for (GoAway goAway : goAways) {
            if (streamId > goAway.lastStreamId()) {
                return true;
            }
        }
        return false;
    }

    private void handle(Frame f) throws IOException {
        switch (f.type()) {
            case Http2FrameTypes.SETTINGS -> {
                if (!f.has(FLAG_ACK)) {
                    ByteBuffer p = ByteBuffer.wrap(f.payload());
                    while (p.remaining() >= 6) {
                        serverSettings.put(p.getShort() & 0xFFFF, p.getInt() & 0xFFFF_FFFFL);
                    }
                    sendFrame(Http2FrameTypes.SETTINGS, FLAG_ACK, 0, new byte[0]);
                }
            }
            case Http2FrameTypes.PING -> {
                if (!f.has(FLAG_ACK) && f.payload().length == 8) {
                    sendFrame(Http2FrameTypes.PING, FLAG_ACK, 0, f.payload());
                }
            }
            case Http2FrameTypes.GO_AWAY -> {
                ByteBuffer p = ByteBuffer.wrap(f.payload());
                int last = p.getInt() & 0x7FFF_FFFF;
                long code = p.getInt() & 0xFFFF_FFFFL;
                goAways.add(new GoAway(
                        last, code, new String(f.payload(), 8, f.payload().length - 8, StandardCharsets.UTF_8)));
            }
            case Http2FrameTypes.RST_STREAM ->
                response(f.streamId()).resetCode = ByteBuffer.wrap(f.payload()).getInt() & 0xFFFF_FFFFL;
            case Http2FrameTypes.DATA -> onData(f);
            case Http2FrameTypes.HEADERS -> {
                int offset = 0;
                int end = f.payload().length;
                if (f.has(FLAG_PADDED)) {
                    end -= f.payload()[0] & 0xFF;
                    offset = 1;
                }
                if (f.has(FLAG_PRIORITY)) {
                    offset += 5;
                }
                headerBlock.reset();
                headerBlock.write(f.payload(), offset, end - offset);
                headerBlockStream = f.streamId();
                headerBlockEndsStream = f.has(FLAG_END_STREAM);
                if (f.has(FLAG_END_HEADERS)) {
                    onHeaderBlock();
                }
            }
            case Http2FrameTypes.CONTINUATION -> {
                headerBlock.write(f.payload(), 0, f.payload().length);
                if (f.has(FLAG_END_HEADERS)) {
                    onHeaderBlock();
                }
            }
            default -> {
                // WINDOW_UPDATE, PRIORITY, unknown types: kept in frames() for the test to look at.
            }
        }
    }

    private void onData(Frame f) throws IOException {
        int length = f.payload().length;
        long window = receiveWindows.getOrDefault(f.streamId(), (long) initialWindow) - length;
        receiveWindows.put(f.streamId(), window);
        connectionReceiveWindow -= length;
        if (window < 0 || connectionReceiveWindow < 0) {
            flowControlViolations++;
        }
        int offset = 0;
        int end = length;
        if (f.has(FLAG_PADDED)) {
            end -= f.payload()[0] & 0xFF;
            offset = 1;
        }
        Response response = response(f.streamId());
        response.body.write(f.payload(), offset, end - offset);
        if (f.has(FLAG_END_STREAM)) {
            response.ended = true;
        }
        if (autoWindowUpdate) {
            returnWindow(f.streamId(), response.ended);
        }
    }

    /** Like most clients: tops a window up to its initial size once less than half of it is left. */
    private void returnWindow(int streamId, boolean streamEnded) {
        try {
            if (connectionReceiveWindow < DEFAULT_WINDOW / 2) {
                sendWindowUpdate(0, (int) (DEFAULT_WINDOW - connectionReceiveWindow));
            }
            long window = receiveWindows.getOrDefault(streamId, (long) initialWindow);
            if (!streamEnded && window < initialWindow / 2) {
                sendWindowUpdate(streamId, (int) (initialWindow - window));
            }
        } catch (IOException serverGone) {
            // The server closed the connection after its last frame; reading on will show that.
        }
    }

    private void onHeaderBlock() throws IOException {
        Http2Headers headers;
        ByteBuf block = Unpooled.wrappedBuffer(headerBlock.toByteArray());
        try {
            headers = decoder.decodeHeaders(headerBlockStream, block);
        } catch (Http2Exception e) {
            throw new IOException("server sent an undecodable header block on stream " + headerBlockStream, e);
        } finally {
            block.release();
        }
        List<RecordedRequest.Header> fields = new ArrayList<>();
        long size = 0;
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            fields.add(new RecordedRequest.Header(
                    e.getKey().toString(), e.getValue().toString()));
            size += 32 + e.getKey().length() + e.getValue().length();
        }
        Response response = response(headerBlockStream);
        CharSequence status = headers.status();
        if (status != null && status.charAt(0) == '1') {
            response.informational.add(List.copyOf(fields));
        } else if (response.headers.isEmpty()) {
            response.headers.addAll(fields);
            response.headerListSize = size;
        } else {
            response.trailers = List.copyOf(fields);
        }
        if (headerBlockEndsStream) {
            response.ended = true;
        }
    }

    private void writeFrame(int type, int flags, int streamId, byte[] payload, int offset, int length)
            throws IOException {
        byte[] header = {
            (byte) (length >>> 16),
            (byte) (length >>> 8),
            (byte) length,
            (byte) type,
            (byte) flags,
            (byte) (streamId >>> 24),
            (byte) (streamId >>> 16),
            (byte) (streamId >>> 8),
            (byte) streamId
        };
        out.write(header);
        out.write(payload, offset, length);
    }
}
