package io.aioduct.testing.proxy;

import io.aioduct.proxy.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real HTTP proxy: Debian's {@code tinyproxy} (1.11), run by {@link ProxyProcess} in the foreground on
 * 127.0.0.1 as the current user, answering {@code CONNECT} to any port, requiring Basic credentials
 * {@link #USERNAME}/{@link #PASSWORD}. Without credentials it answers 407 with {@code Proxy-Authenticate:
 * Basic realm="Tinyproxy"}; with wrong ones, 401.
 */
public final class TinyProxy implements AutoCloseable {
    public static final Path TINYPROXY = Path.of("/usr/bin/tinyproxy");
    public static final String USERNAME = "alice";
    public static final String PASSWORD = "s3cret";

    private final ProxyProcess process;

    private TinyProxy(ProxyProcess process) {
        this.process = process;
    }

    public static TinyProxy start() {
        return new TinyProxy(ProxyProcess.start(
                "tinyproxy",
                TINYPROXY,
                "tinyproxy",
                port -> Map.of("tinyproxy.conf", """
                        # Written by io.aioduct.testing.proxy.TinyProxy for one test run.
                        Port %d
                        Listen 127.0.0.1
                        Timeout 60
                        LogFile "@DIR@/tinyproxy.log"
                        LogLevel Info
                        PidFile "@DIR@/tinyproxy.pid"
                        MaxClients 50
                        Allow 127.0.0.1
                        BasicAuth %s %s
                        DisableViaHeader Yes
                        """.formatted(port, USERNAME, PASSWORD)),
                (dir, port) -> List.of(
                        TINYPROXY.toString(),
                        "-d",
                        "-c",
                        dir.resolve("tinyproxy.conf").toString()),
                dir -> Map.of()));
    }

    public int port() {
        return process.port();
    }

    /** This proxy as a client's {@link Proxy}, without credentials. */
    public Proxy proxy() {
        return Proxy.http("127.0.0.1", port());
    }

    public String logs() {
        return process.logs();
    }

    @Override
    public void close() {
        process.close();
    }
}
