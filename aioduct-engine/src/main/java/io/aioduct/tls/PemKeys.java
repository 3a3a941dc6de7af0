package io.aioduct.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/** Reads PKCS#8 private keys from PEM files, plain or password-encrypted, RSA, EC or EdDSA. */
final class PemKeys {
    private static final List<String> ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    private PemKeys() {}

    static PrivateKey read(Path pem, char @Nullable [] password) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the private key " + pem + ": " + e.getMessage(), e);
        }
        if (text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")) {
            throw new IllegalArgumentException("the private key " + pem + " is in the legacy PKCS#1/SEC1 format; "
                    + "convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        boolean encrypted = text.contains("BEGIN ENCRYPTED PRIVATE KEY");
        byte[] der = block(text, encrypted ? "ENCRYPTED PRIVATE KEY" : "PRIVATE KEY", pem);
        try {
            PKCS8EncodedKeySpec spec;
            if (encrypted) {
                if (password == null) {
                    throw new IllegalArgumentException("the private key " + pem + " is encrypted; give its password");
                }
                EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
                SecretKeyFactory factory = SecretKeyFactory.getInstance(info.getAlgName());
                Cipher cipher = Cipher.getInstance(info.getAlgName());
                cipher.init(
                        Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(password)), info.getAlgParameters());
                spec = info.getKeySpec(cipher);
            } else {
                spec = new PKCS8EncodedKeySpec(der);
            }
            for (String algorithm : ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(spec);
                } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException wrongAlgorithm) {
                    // Try the next algorithm: PKCS#8 names it inside, but KeyFactory wants it up front.
                }
            }
            throw new IllegalArgumentException("the private key " + pem + " is not an RSA, EC or EdDSA key");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot read the private key " + pem + ": " + e.getMessage(), e);
        }
    }

    private static byte[] block(String text, String label, Path source) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end, b + 1);
        if (b < 0 || e < 0) {
            throw new IllegalArgumentException(source + " holds no '" + label + "' PEM block");
        }
        return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    }
}
