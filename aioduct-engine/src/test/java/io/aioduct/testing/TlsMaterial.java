package io.aioduct.testing;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Throwaway TLS material made at test time: a CA and, signed by it, a certificate for {@code localhost}
 * (SANs {@code DNS:localhost}, {@code IP:127.0.0.1}, {@code IP:::1}), one for the wrong name
 * {@code wrong.example}, an expired one for {@code localhost} and a client certificate for mutual TLS;
 * plus a self-signed {@code localhost} certificate the CA never signed. Every key is EC P-256.
 *
 * <p>Built in memory with BouncyCastle (no external tool, so it works the same on every machine), then
 * written as PEM files (certificate, PKCS#8 private key) into a temporary directory that is deleted when
 * the JVM exits, for consumers that want files (nginx, {@code curl}). Java consumers use the objects or
 * the ready-made {@link #serverContext Netty server contexts}, {@link #clientSslContext() JDK client
 * contexts} and {@link #trustStore() key stores}.
 *
 * <p>Immutable and safe to share between threads; {@link #shared()} is generated once per JVM, which is
 * what most tests want (generation costs some tens of milliseconds).
 */
public final class TlsMaterial {

    /** The password of every {@link KeyStore} this class builds. */
    public static final String KEY_STORE_PASSWORD = "changeit";

    private static final Duration VALIDITY = Duration.ofDays(365);
    // A day of slack before "now" so a certificate is valid even if a peer's clock is a little behind.
    private static final Duration CLOCK_SLACK = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Path> TO_DELETE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> TO_DELETE.forEach(TlsMaterial::deleteTree), "tls-material-cleanup"));
    }

    /** One certificate with its private key, as objects and as PEM files. */
    public record Identity(
            String name, X509Certificate certificate, PrivateKey privateKey, Path certificatePem, Path privateKeyPem) {
        public Identity {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(certificatePem, "certificatePem");
            Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        }

        @Override
        public String toString() {
            return "Identity[" + name + ", " + certificate.getSubjectX500Principal() + "]";
        }
    }

    private static @Nullable TlsMaterial shared;

    private final Path directory;
    private final Identity ca;
    private final Identity localhost;
    private final Identity wrongHost;
    private final Identity expired;
    private final Identity selfSigned;
    private final Identity expiredSelfSigned;
    private final Identity client;

    private TlsMaterial(Instant now) throws GeneralSecurityException, IOException {
        directory = Files.createTempDirectory("aioduct-tls-");
        TO_DELETE.add(directory);
        Instant from = now.minus(CLOCK_SLACK);
        Instant until = now.plus(VALIDITY);

        KeyPair caKeys = newKeyPair();
        X500Name caName = new X500Name("CN=aioduct test CA, O=aioduct tests");
        X509v3CertificateBuilder caBuilder = builder(caName, caName, caKeys, from, until.plus(VALIDITY))
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(
                        Extension.keyUsage,
                        true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        ca = write("ca", sign(caBuilder, caKeys.getPrivate()), caKeys.getPrivate());

        localhost = serverLeaf("localhost", "localhost", true, from, until);
        wrongHost = serverLeaf("wrong-host", "wrong.example", false, from, until);
        expired = serverLeaf("expired", "localhost", true, now.minus(Duration.ofDays(30)), now.minus(CLOCK_SLACK));
        selfSigned = selfSignedLocalhost("self-signed", from, until);
        expiredSelfSigned =
                selfSignedLocalhost("expired-self-signed", now.minus(Duration.ofDays(30)), now.minus(CLOCK_SLACK));
        client = clientIdentity(from, until);
    }

    /** Material generated once per JVM and shared by every test that asks. */
    public static synchronized TlsMaterial shared() {
        TlsMaterial material = shared;
        if (material == null) {
            material = generate();
            shared = material;
        }
        return material;
    }

    /** Fresh material with its own CA, valid from a day ago for a year. */
    public static TlsMaterial generate() {
        try {
            return new TlsMaterial(Instant.now());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write TLS material to a temporary directory", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not generate TLS material", e);
        }
    }

    // ---- the identities ----

    /** The temporary directory holding every PEM file; deleted when the JVM exits. */
    public Path directory() {
        return directory;
    }

    /** The CA that signed every certificate here except {@link #selfSigned()}. */
    public Identity ca() {
        return ca;
    }

    /** The CA's certificate as a PEM file: what a client should trust. */
    public Path caCertificatePem() {
        return ca.certificatePem();
    }

    /** {@code CN=localhost}, SANs {@code DNS:localhost, IP:127.0.0.1, IP:::1}, signed by the CA. */
    public Identity localhost() {
        return localhost;
    }

    /** {@code CN=wrong.example} (SAN {@code DNS:wrong.example} only), signed by the CA: fails hostname checks. */
    public Identity wrongHost() {
        return wrongHost;
    }

    /** Like {@link #localhost()}, signed by the CA, but its validity ended a day ago. */
    public Identity expired() {
        return expired;
    }

    /** Like {@link #localhost()}, but self-signed: no chain to the CA. */
    public Identity selfSigned() {
        return selfSigned;
    }

    /** Like {@link #selfSigned()}, but its validity ended a day ago: a trust anchor that has expired. */
    public Identity expiredSelfSigned() {
        return expiredSelfSigned;
    }

    /** {@code CN=aioduct test client} with extended key usage clientAuth, signed by the CA, for mutual TLS. */
    public Identity client() {
        return client;
    }

    // ---- server side ----

    /**
     * A Netty server context presenting {@link #localhost()}, no client certificate asked, offering the
     * given ALPN protocols in order of preference (e.g. {@code "h2", "http/1.1"}); none means no ALPN.
     */
    public SslContext serverContext(String... alpnProtocols) {
        return serverContext(localhost, false, alpnProtocols);
    }

    /**
     * A Netty server context presenting {@code identity}. With {@code requireClientCertificate} the
     * handshake fails unless the client presents a certificate signed by the CA.
     */
    public SslContext serverContext(Identity identity, boolean requireClientCertificate, String... alpnProtocols) {
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(identity.privateKey(), identity.certificate())
                    .sslProvider(SslProvider.JDK);
            if (requireClientCertificate) {
                builder.clientAuth(ClientAuth.REQUIRE).trustManager(ca.certificate());
            }
            if (alpnProtocols.length > 0) {
                builder.applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        // The only behaviours the JDK provider supports; a client offering none of the
                        // protocols gets a handshake without ALPN and the server decides what to speak.
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        alpnProtocols));
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- client side ----

    /** A PKCS#12 key store holding only the CA certificate, as a trust store (password {@value #KEY_STORE_PASSWORD}). */
    public KeyStore trustStore() {
        try {
            KeyStore store = emptyStore();
            store.setCertificateEntry("aioduct-test-ca", ca.certificate());
            return store;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#12 key store holding {@code identity}'s key and certificate chain (password {@value #KEY_STORE_PASSWORD}). */
    public KeyStore keyStore(Identity identity) {
        try {
            KeyStore store = emptyStore();
            Certificate[] chain = identity == selfSigned || identity == expiredSelfSigned || identity == ca
                    ? new Certificate[] {identity.certificate()}
                    : new Certificate[] {identity.certificate(), ca.certificate()};
            store.setKeyEntry(identity.name(), identity.privateKey(), KEY_STORE_PASSWORD.toCharArray(), chain);
            return store;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trust managers that trust the CA and nothing else. */
    public TrustManagerFactory trustManagerFactory() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore());
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JDK client context that trusts the CA only (for {@code java.net.http.HttpClient} and sockets). */
    public SSLContext clientSslContext() {
        return sslContext(null);
    }

    /** A JDK client context that trusts the CA and presents {@code clientIdentity} when asked (mutual TLS). */
    public SSLContext clientSslContext(Identity clientIdentity) {
        return sslContext(clientIdentity);
    }

    @Override
    public String toString() {
        return "TlsMaterial[" + directory + "]";
    }

    // ---- generation ----

    private Identity serverLeaf(String file, String host, boolean withLoopbackIps, Instant from, Instant until)
            throws GeneralSecurityException, IOException {
        KeyPair keys = newKeyPair();
        X509v3CertificateBuilder b = builder(ca.certificate(), new X500Name("CN=" + host), keys, from, until)
                .addExtension(Extension.subjectAlternativeName, false, subjectAltNames(host, withLoopbackIps));
        addLeafUsage(b, true);
        return write(file, sign(b, ca.privateKey()), keys.getPrivate());
    }

    private Identity selfSignedLocalhost(String file, Instant from, Instant until)
            throws GeneralSecurityException, IOException {
        KeyPair keys = newKeyPair();
        X500Name name = new X500Name("CN=localhost, O=aioduct self-signed");
        X509v3CertificateBuilder b = builder(name, name, keys, from, until)
                .addExtension(Extension.subjectAlternativeName, false, subjectAltNames("localhost", true));
        addLeafUsage(b, true);
        return write(file, sign(b, keys.getPrivate()), keys.getPrivate());
    }

    private Identity clientIdentity(Instant from, Instant until) throws GeneralSecurityException, IOException {
        KeyPair keys = newKeyPair();
        X509v3CertificateBuilder b =
                builder(ca.certificate(), new X500Name("CN=aioduct test client, O=aioduct tests"), keys, from, until);
        addLeafUsage(b, false);
        return write("client", sign(b, ca.privateKey()), keys.getPrivate());
    }

    private static void addLeafUsage(X509v3CertificateBuilder b, boolean server) throws IOException {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(
                        Extension.extendedKeyUsage,
                        false,
                        new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
    }

    private static GeneralNames subjectAltNames(String host, boolean withLoopbackIps) throws IOException {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, host));
        if (withLoopbackIps) {
            names.add(ip("127.0.0.1"));
            names.add(ip("::1"));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static GeneralName ip(String literal) throws IOException {
        return new GeneralName(
                GeneralName.iPAddress,
                new DEROctetString(InetAddress.getByName(literal).getAddress()));
    }

    private static X509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, KeyPair keys, Instant from, Instant until)
            throws GeneralSecurityException, IOException {
        return new JcaX509v3CertificateBuilder(
                        issuer,
                        new BigInteger(63, RANDOM).add(BigInteger.ONE),
                        Date.from(from),
                        Date.from(until),
                        subject,
                        keys.getPublic())
                .addExtension(
                        Extension.subjectKeyIdentifier,
                        false,
                        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
    }

    private static X509v3CertificateBuilder builder(
            X509Certificate issuer, X500Name subject, KeyPair keys, Instant from, Instant until)
            throws GeneralSecurityException, IOException {
        return builder(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), subject, keys, from, until)
                .addExtension(
                        Extension.authorityKeyIdentifier,
                        false,
                        new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException("could not create a signer", e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private Identity write(String file, X509Certificate certificate, PrivateKey key)
            throws GeneralSecurityException, IOException {
        Path cert = directory.resolve(file + ".crt.pem");
        Path keyFile = directory.resolve(file + ".key.pem");
        Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        // Java encodes private keys as PKCS#8, which Netty, the JDK and nginx all read.
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
        return new Identity(file, certificate, key, cert, keyFile);
    }

    private static String pem(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }

    private SSLContext sslContext(@Nullable Identity clientIdentity) {
        try {
            KeyManagerFactory keys = null;
            if (clientIdentity != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(keyStore(clientIdentity), KEY_STORE_PASSWORD.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    keys == null ? null : keys.getKeyManagers(),
                    trustManagerFactory().getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, KEY_STORE_PASSWORD.toCharArray());
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    /** Deletes {@code root} and everything under it, best effort (used at JVM exit). */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // At JVM exit there is no one left to tell; the OS cleans its temp directory eventually.
        }
    }
}
