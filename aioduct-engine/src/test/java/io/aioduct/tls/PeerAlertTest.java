package io.aioduct.tls;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The server's fatal alert is found in the exception of either TLS implementation, and only the server's. */
class PeerAlertTest {

    @Test
    void findsTheAlertTheJdkReceived() {
        assertThat(PeerAlert.find(
                        new SSLHandshakeException("(handshake_failure) Received fatal alert: handshake_failure")))
                .isEqualTo("handshake_failure");
    }

    @Test
    void findsTheAlertBoringSslReceivedByItsErrorCode() {
        assertThat(PeerAlert.find(new SSLHandshakeException(
                        "error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE")))
                .isEqualTo("handshake_failure");
        // certificate_required (116): BoringSSL's reason name does not follow the ..._ALERT_<NAME> pattern.
        assertThat(PeerAlert.find(new SSLHandshakeException(
                        "error:1000045c:SSL routines:OPENSSL_internal:TLSV1_CERTIFICATE_REQUIRED")))
                .isEqualTo("certificate_required");
    }

    @Test
    void findsTheAlertOpenSsl3Received() {
        assertThat(PeerAlert.find(
                        new SSLHandshakeException("error:0A00042E:SSL routines::tlsv1 alert protocol version")))
                .isEqualTo("protocol_version");
    }

    @Test
    void looksThroughTheCauses() {
        Exception wrapped = new RuntimeException(
                "decoder failed", new SSLHandshakeException("Received fatal alert: unrecognized_name"));

        assertThat(PeerAlert.find(wrapped)).isEqualTo("unrecognized_name");
    }

    @Test
    void anAlertWeSentOurselvesIsNotThePeers() {
        assertThat(PeerAlert.find(new SSLHandshakeException(
                        "(certificate_unknown) PKIX path building failed: unable to find valid certification path")))
                .isNull();
        assertThat(PeerAlert.find(new SSLHandshakeException(
                        "error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED")))
                .isNull();
    }

    @Test
    void anUnknownAlertIsNamedByItsNumber() {
        assertThat(PeerAlert.find(new SSLHandshakeException("error:100004b0:SSL routines:OPENSSL_internal:UNKNOWN")))
                .isEqualTo("alert 200");
    }

    @Test
    void noMessageNoAlert() {
        assertThat(PeerAlert.find(new SSLHandshakeException(null))).isNull();
        assertThat(PeerAlert.find(new SSLHandshakeException("error:zzzzzzzz:nonsense")))
                .isNull();
    }
}
