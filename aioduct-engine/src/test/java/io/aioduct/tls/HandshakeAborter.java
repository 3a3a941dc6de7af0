package io.aioduct.tls;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server that breaks off every TLS handshake: it reads the client's first TLS record (its
 * ClientHello), then either closes the connection or sends a fatal alert and closes. Serves
 * connections one after the other on one virtual thread until closed.
 */
final class HandshakeAborter implements AutoCloseable {
    /** The handshake_failure alert (RFC 8446 6.2), the one servers send when they can agree on nothing. */
    static final int HANDSHAKE_FAILURE = 40;

    private static final int HANDSHAKE_RECORD = 22;
    private static final int ALERT_RECORD = 21;
    private static final int FATAL = 2;

    private final ServerSocket listener;
    private final byte[] reply;
    private final boolean reset;
    private final Thread acceptor;
    private final AtomicInteger clientHellos = new AtomicInteger();

    private HandshakeAborter(byte[] reply, boolean reset) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.reply = reply;
        this.reset = reset;
        this.acceptor = Thread.ofVirtual().name("handshake-aborter").start(this::serve);
    }

    /** Closes each connection (a FIN, no alert) once the ClientHello is read. */
    static HandshakeAborter closingAfterClientHello() throws IOException {
        return new HandshakeAborter(new byte[0], false);
    }

    /** Resets each connection (a TCP RST) once the ClientHello is read. */
    static HandshakeAborter resettingAfterClientHello() throws IOException {
        return new HandshakeAborter(new byte[0], true);
    }

    /** Answers each ClientHello with a fatal alert of {@code description}, then closes. */
    static HandshakeAborter alertingAfterClientHello(int description) throws IOException {
        // A plaintext alert record: type, legacy version TLS 1.2, length 2, level, description.
        return new HandshakeAborter(new byte[] {ALERT_RECORD, 3, 3, 0, 2, FATAL, (byte) description}, false);
    }

    int port() {
        return listener.getLocalPort();
    }

    String uri() {
        return "https://localhost:" + port() + "/";
    }

    /** How many complete ClientHello records were read. */
    int clientHellosRead() {
        return clientHellos.get();
    }

    private void serve() {
        while (!listener.isClosed()) {
            try (Socket s = listener.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] header = new byte[5];
                in.readFully(header);
                if (header[0] != HANDSHAKE_RECORD) {
                    continue;
                }
                in.readFully(new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)]);
                clientHellos.incrementAndGet();
                if (reset) {
                    s.setSoLinger(true, 0); // close() then sends RST instead of FIN
                }
                OutputStream out = s.getOutputStream();
                out.write(reply);
                out.flush();
            } catch (IOException e) {
                // The listener was closed (or a client gave up early): nothing to serve.
            }
        }
    }

    @Override
    public void close() throws Exception {
        listener.close();
        acceptor.join();
    }
}
