package io.aioduct.tls;

import io.aioduct.AioductException;
import io.aioduct.ConnectFailedException;
import io.aioduct.TimedOutException;
import java.io.EOFException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.Locale;

/** Turns a failed handshake's exception into one that says what failed. Stateless. */
final class TlsFailures {
    private TlsFailures() {}

    static AioductException classify(Throwable failure, String host, int port, Duration handshakeTimeout) {
        String where = host + ":" + port;
        if (failure instanceof AioductException a) {
            return a;
        }
        if (failure instanceof io.netty.handler.ssl.SslHandshakeTimeoutException
                || failure instanceof java.net.SocketTimeoutException) {
            return new TimedOutException(
                    TimedOutException.Kind.TLS_HANDSHAKE, handshakeTimeout, "TLS handshake with " + where);
        }
        String alert = PeerAlert.find(failure);
        if (alert != null) {
            return fromPeerAlert(alert, where, failure);
        }
        if (closedByPeer(failure)) {
            return new TlsHandshakeException(
                    TlsHandshakeException.Reason.OTHER,
                    "TLS handshake with " + where
                            + " failed: the server closed the connection during the TLS handshake",
                    failure);
        }
        String all = messages(failure).toLowerCase(Locale.ROOT);
        if (has(failure, CertificateExpiredException.class) || all.contains("validity check failed")) {
            return new TlsHandshakeException(
                    TlsHandshakeException.Reason.UNTRUSTED_CERTIFICATE,
                    "TLS handshake with " + where + " failed: the server's certificate has expired or is not yet valid",
                    failure);
        }
        if (all.contains("no subject alternative")
                || all.contains("no name matching")
                || all.contains("does not match")) {
            return new TlsHandshakeException(
                    TlsHandshakeException.Reason.HOSTNAME_MISMATCH,
                    "TLS handshake with " + where + " failed: the server's certificate is not issued for '" + host
                            + "'",
                    failure);
        }
        if (has(failure, CertPathValidatorException.class)
                || all.contains("pkix path")
                || all.contains("unable to find valid certification path")
                || has(failure, CertificateException.class)) {
            return new TlsHandshakeException(
                    TlsHandshakeException.Reason.UNTRUSTED_CERTIFICATE,
                    "TLS handshake with " + where + " failed: the server's certificate is not trusted",
                    failure);
        }
        if (all.contains("protocol_version")
                || all.contains("no appropriate protocol")
                || all.contains("unsupported protocol")
                || all.contains("handshake_failure")
                || all.contains("no negotiable cipher")
                || all.contains("no cipher suites in common")) {
            return new TlsHandshakeException(
                    TlsHandshakeException.Reason.PROTOCOL_VERSION,
                    "TLS handshake with " + where + " failed: client and server share no TLS version or cipher suite",
                    failure);
        }
        if (all.contains("bad_certificate")
                || all.contains("certificate_required")
                || all.contains("unknown_ca")
                || all.contains("certificate_unknown")) {
            return new TlsHandshakeException(
                    TlsHandshakeException.Reason.CLIENT_CERTIFICATE_REJECTED,
                    "TLS handshake with " + where
                            + " failed: the server rejected our client certificate (or wanted one)",
                    failure);
        }
        if (failure instanceof javax.net.ssl.SSLException) {
            return new TlsHandshakeException(
                    TlsHandshakeException.Reason.OTHER,
                    "TLS handshake with " + where + " failed: " + failure.getMessage(),
                    failure);
        }
        return new ConnectFailedException("TLS handshake with " + where + " failed: " + failure, failure);
    }

    /** The server ended the handshake with a fatal alert: say which, and what it usually means. */
    private static TlsHandshakeException fromPeerAlert(String alert, String where, Throwable failure) {
        TlsHandshakeException.Reason reason = switch (alert) {
            case "handshake_failure", "protocol_version", "insufficient_security" ->
                TlsHandshakeException.Reason.PROTOCOL_VERSION;
            case "bad_certificate",
                    "unsupported_certificate",
                    "certificate_revoked",
                    "certificate_expired",
                    "certificate_unknown",
                    "unknown_ca",
                    "certificate_required" -> TlsHandshakeException.Reason.CLIENT_CERTIFICATE_REJECTED;
            default -> TlsHandshakeException.Reason.OTHER;
        };
        String meaning = switch (reason) {
            case PROTOCOL_VERSION -> ": client and server share no TLS version or cipher suite";
            case CLIENT_CERTIFICATE_REJECTED -> ": the server rejected our client certificate (or wanted one)";
            default -> "";
        };
        return new TlsHandshakeException(
                reason,
                "TLS handshake with " + where + " failed: the server sent the fatal alert " + alert + meaning,
                failure);
    }

    /**
     * Whether the connection ended under the handshake without an alert: Netty fails the handshake with a
     * ClosedChannelException, the JDK's SSLSocket with an EOFException ("Remote host terminated the
     * handshake"), and a reset shows as a SocketException; all mean the server went away mid-handshake.
     */
    private static boolean closedByPeer(Throwable failure) {
        return has(failure, ClosedChannelException.class)
                || has(failure, EOFException.class)
                || has(failure, SocketException.class);
    }

    private static boolean has(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) return true;
        }
        return false;
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getSimpleName())
                    .append(": ")
                    .append(c.getMessage())
                    .append(" | ");
        }
        return sb.toString();
    }
}
