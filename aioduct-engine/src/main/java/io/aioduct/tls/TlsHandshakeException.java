package io.aioduct.tls;

import io.aioduct.ConnectFailedException;
import org.jspecify.annotations.Nullable;

/**
 * The TLS handshake with the server failed; {@link #reason()} says why, and the message names the host.
 * The TCP connection was made and has been closed. (A handshake that runs out of time is a {@link
 * io.aioduct.TimedOutException} of kind {@code TLS_HANDSHAKE}.)
 */
public class TlsHandshakeException extends ConnectFailedException {

    /** What went wrong in the handshake. */
    public enum Reason {
        /** The server's certificate chain does not lead to a trusted certificate, or has expired. */
        UNTRUSTED_CERTIFICATE,
        /** The certificate is trusted but not issued for the host name (or IP address) connected to. */
        HOSTNAME_MISMATCH,
        /** Client and server share no TLS protocol version (or cipher suite). */
        PROTOCOL_VERSION,
        /** The server refused our client certificate, or required one and got none. */
        CLIENT_CERTIFICATE_REJECTED,
        /** Anything else; see the cause. */
        OTHER
    }

    private final Reason reason;

    public TlsHandshakeException(Reason reason, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
