package io.aioduct.tls;

import org.jspecify.annotations.Nullable;

/**
 * Finds the fatal alert the server sent, if any, in a failed handshake's exception, whichever TLS
 * implementation raised it. The JDK says "Received fatal alert: handshake_failure"; BoringSSL (and
 * OpenSSL) report it as an error code whose reason is 1000 plus the alert's number
 * ("error:10000410:...:SSLV3_ALERT_HANDSHAKE_FAILURE"). An alert we sent ourselves (the JDK writes it as
 * "(certificate_unknown) PKIX path ...") is not the peer's and is not reported. Stateless.
 */
final class PeerAlert {
    private static final String JDK_RECEIVED = "Received fatal alert: ";
    private static final String OPENSSL_ERROR = "error:";
    // OpenSSL and BoringSSL put a received alert's number after this offset (SSL_AD_REASON_OFFSET).
    private static final int ALERT_REASON_OFFSET = 1000;
    private static final int ERR_LIB_SSL_BORING = 0x10;
    private static final int ERR_LIB_SSL_OPENSSL = 20;

    private PeerAlert() {}

    /** The name of the fatal alert the peer sent ({@code "handshake_failure"}), or null if none shows. */
    static @Nullable String find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            String alert = fromJdk(message);
            if (alert == null) {
                alert = fromOpenSsl(message);
            }
            if (alert != null) {
                return alert;
            }
        }
        return null;
    }

    private static @Nullable String fromJdk(String message) {
        int at = message.indexOf(JDK_RECEIVED);
        if (at < 0) {
            return null;
        }
        int start = at + JDK_RECEIVED.length();
        int end = start;
        while (end < message.length() && isNameChar(message.charAt(end))) end++;
        return end > start ? message.substring(start, end) : null;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
    }

    private static @Nullable String fromOpenSsl(String message) {
        int at = message.indexOf(OPENSSL_ERROR);
        if (at < 0 || message.length() < at + OPENSSL_ERROR.length() + 9) {
            return null;
        }
        int start = at + OPENSSL_ERROR.length();
        if (message.charAt(start + 8) != ':') {
            return null;
        }
        long code;
        try {
            code = Long.parseLong(message, start, start + 8, 16);
        } catch (NumberFormatException e) {
            return null;
        }
        // BoringSSL packs the library into the top byte; OpenSSL 1.1 too; OpenSSL 3 shifts it by 23.
        boolean ssl = (code >>> 24) == ERR_LIB_SSL_BORING
                || (code >>> 24) == ERR_LIB_SSL_OPENSSL
                || (code >>> 23) == ERR_LIB_SSL_OPENSSL;
        int reason = (int) (code & 0xfff);
        if (!ssl || reason < ALERT_REASON_OFFSET || reason > ALERT_REASON_OFFSET + 255) {
            return null;
        }
        return name(reason - ALERT_REASON_OFFSET);
    }

    /** An alert's name as the TLS RFCs spell it (RFC 8446 6, RFC 5246 7.2), or "alert N" if unknown. */
    static String name(int description) {
        return switch (description) {
            case 0 -> "close_notify";
            case 10 -> "unexpected_message";
            case 20 -> "bad_record_mac";
            case 21 -> "decryption_failed";
            case 22 -> "record_overflow";
            case 30 -> "decompression_failure";
            case 40 -> "handshake_failure";
            case 41 -> "no_certificate";
            case 42 -> "bad_certificate";
            case 43 -> "unsupported_certificate";
            case 44 -> "certificate_revoked";
            case 45 -> "certificate_expired";
            case 46 -> "certificate_unknown";
            case 47 -> "illegal_parameter";
            case 48 -> "unknown_ca";
            case 49 -> "access_denied";
            case 50 -> "decode_error";
            case 51 -> "decrypt_error";
            case 60 -> "export_restriction";
            case 70 -> "protocol_version";
            case 71 -> "insufficient_security";
            case 80 -> "internal_error";
            case 86 -> "inappropriate_fallback";
            case 90 -> "user_canceled";
            case 100 -> "no_renegotiation";
            case 109 -> "missing_extension";
            case 110 -> "unsupported_extension";
            case 111 -> "certificate_unobtainable";
            case 112 -> "unrecognized_name";
            case 113 -> "bad_certificate_status_response";
            case 114 -> "bad_certificate_hash_value";
            case 115 -> "unknown_psk_identity";
            case 116 -> "certificate_required";
            case 120 -> "no_application_protocol";
            default -> "alert " + description;
        };
    }
}
