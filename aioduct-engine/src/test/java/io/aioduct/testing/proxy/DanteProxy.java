package io.aioduct.testing.proxy;

import io.aioduct.proxy.Proxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real SOCKS5 proxy: Debian's {@code dante-server} ({@code danted} 1.4), run by {@link ProxyProcess} on
 * 127.0.0.1, allowing CONNECT to loopback targets only. With credentials it asks for username/password
 * (RFC 1929) and accepts only {@link #USERNAME}/{@link #PASSWORD}.
 *
 * <p>dante checks a username/password against the system's password database ({@code getpwnam} and
 * {@code getspnam}), which a test must not touch; so the proxy runs with {@code libnss-wrapper}
 * preloaded, which makes those calls read a passwd and a shadow file of the proxy's temporary directory
 * (its one user's password hash is a constant: SHA-512 crypt of {@link #PASSWORD}, made by {@code openssl
 * passwd -6 -salt aioductdante s3cret}). No privileges are needed: dante runs as the current user, with
 * {@code user.privileged} and {@code user.unprivileged} left to that user.
 */
public final class DanteProxy implements AutoCloseable {
    public static final Path DANTED = Path.of("/usr/sbin/danted");
    /** Where Debian's {@code libnss-wrapper} puts the library: under the machine's multiarch directory. */
    public static final Path NSS_WRAPPER = nssWrapper();

    public static final String USERNAME = "alice";
    public static final String PASSWORD = "s3cret";
    private static final String PASSWORD_HASH =
            "$6$aioductdante$4xP0V6RoBQ6DbBApmx3Fzs8FD73NnsQJFWqrBd.GH8rm1X6hFobNwFOA2Rw9HEfkjZwCF3GiuOVG7xcQQAvfe0";

    private final ProxyProcess process;

    private DanteProxy(ProxyProcess process) {
        this.process = process;
    }

    /** dante without authentication. */
    public static DanteProxy start() {
        return start(false);
    }

    /** dante requiring {@link #USERNAME}/{@link #PASSWORD} when {@code authenticate}. */
    public static DanteProxy start(boolean authenticate) {
        if (authenticate && !Files.exists(NSS_WRAPPER)) {
            throw new IllegalStateException(
                    NSS_WRAPPER + " is missing, so dante cannot check a test's credentials."
                            + " Run scripts/ensure-test-packages, or: apt-get install -y --no-install-recommends libnss-wrapper");
        }
        String uid = String.valueOf(unix("uid"));
        String gid = String.valueOf(unix("gid"));
        String user = System.getProperty("user.name");
        return new DanteProxy(ProxyProcess.start(
                "danted",
                DANTED,
                "dante-server",
                port -> Map.of(
                        "danted.conf", config(port, authenticate),
                        "passwd",
                                user + ":x:" + uid + ":" + gid + "::/tmp:/bin/false\n" + USERNAME + ":x:" + uid + ":"
                                        + gid + "::/tmp:/bin/false\n",
                        "group", user + ":x:" + gid + ":\n",
                        "shadow", USERNAME + ":" + PASSWORD_HASH + ":19000:0:99999:7:::\n"),
                (dir, port) -> List.of(
                        DANTED.toString(),
                        "-f",
                        dir.resolve("danted.conf").toString(),
                        "-p",
                        dir.resolve("danted.pid").toString(),
                        "-N",
                        "1"),
                dir -> authenticate
                        ? Map.of(
                                "LD_PRELOAD", NSS_WRAPPER.toString(),
                                "NSS_WRAPPER_PASSWD", dir.resolve("passwd").toString(),
                                "NSS_WRAPPER_GROUP", dir.resolve("group").toString(),
                                "NSS_WRAPPER_SHADOW", dir.resolve("shadow").toString())
                        : Map.of()));
    }

    private static String config(int port, boolean authenticate) {
        return """
                # Written by io.aioduct.testing.proxy.DanteProxy for one test run.
                logoutput: @DIR@/danted.log
                internal: 127.0.0.1 port = %d
                external: 127.0.0.1
                clientmethod: none
                socksmethod: %s
                client pass {
                    from: 127.0.0.0/8 to: 0.0.0.0/0
                }
                socks pass {
                    from: 127.0.0.0/8 to: 127.0.0.0/8
                    command: connect
                    log: error
                }
                socks block {
                    from: 0.0.0.0/0 to: 0.0.0.0/0
                    log: connect error
                }
                """.formatted(port, authenticate ? "username" : "none");
    }

    private static Path nssWrapper() {
        try (var dirs = Files.newDirectoryStream(Path.of("/usr/lib"), "*-linux-gnu*")) {
            for (Path dir : dirs) {
                Path lib = dir.resolve("libnss_wrapper.so");
                if (Files.exists(lib)) return lib;
            }
        } catch (IOException e) {
            // No /usr/lib to look in: reported as missing below.
        }
        return Path.of("/usr/lib/x86_64-linux-gnu/libnss_wrapper.so");
    }

    private static int unix(String attribute) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:" + attribute);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return process.port();
    }

    /** This proxy as a client's {@link Proxy}, without credentials. */
    public Proxy proxy() {
        return Proxy.socks5("127.0.0.1", port());
    }

    public String logs() {
        return process.logs();
    }

    @Override
    public void close() {
        process.close();
    }
}
