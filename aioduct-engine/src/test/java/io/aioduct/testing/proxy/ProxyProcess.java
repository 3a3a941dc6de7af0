package io.aioduct.testing.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A real proxy (dante, tinyproxy) run as a child process of the test JVM, as the current user, on a free
 * port of 127.0.0.1, in the foreground, with its configuration, pid file and logs in a temporary directory:
 * the shared part of {@link DanteProxy} and {@link TinyProxy}, on the pattern of {@link
 * io.aioduct.testing.NginxServer}. {@link #close()} stops the process (SIGTERM, then SIGKILL) and deletes
 * the directory; a shutdown hook does the same if a test forgets. Thread-safe.
 */
public final class ProxyProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int START_ATTEMPTS = 3;

    private final String name;
    private final Path directory;
    private final Process process;
    private final int port;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private ProxyProcess(String name, Path directory, Process process, int port) {
        this.name = name;
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.shutdownHook = new Thread(this::stopAndClean, name + "-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code binary} with the command {@code command} gives for a port, after writing the files {@code
     * files} gives for that port into a new temporary directory; waits until the port accepts connections.
     *
     * @param packageName the Debian package that installs the binary, for the message when it is missing
     * @param files for a port, the files to write (name relative to the directory, content)
     * @param command for the directory and a port, the command line
     * @param environment extra environment variables for the process, given the directory
     */
    public static ProxyProcess start(
            String name,
            Path binary,
            String packageName,
            IntFunction<Map<String, String>> files,
            CommandLine command,
            Function<Path, Map<String, String>> environment) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing, so the " + name + " interop tests cannot run. Run"
                    + " scripts/ensure-test-packages (the project's set-up; scripts/test and CI run it), or:"
                    + " apt-get install -y --no-install-recommends " + packageName);
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("aioduct-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String lastFailure = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                int port = freePort();
                for (Map.Entry<String, String> file : files.apply(port).entrySet()) {
                    Files.writeString(
                            directory.resolve(file.getKey()), file.getValue().replace("@DIR@", directory.toString()));
                }
                ProcessBuilder builder = new ProcessBuilder(command.of(directory, port))
                        .redirectErrorStream(true)
                        .redirectOutput(directory.resolve("console.log").toFile());
                builder.environment().putAll(environment.apply(directory));
                ProxyProcess proxy = new ProxyProcess(name, directory, builder.start(), port);
                if (proxy.awaitListening()) {
                    return proxy;
                }
                // Most likely another process took the free port between the probe and the proxy's bind.
                lastFailure = proxy.logs();
                proxy.stopProcess();
                proxy.removeHook();
            } catch (IOException e) {
                lastFailure = e.toString();
            }
        }
        deleteTree(directory);
        throw new IllegalStateException(
                name + " did not start in " + START_ATTEMPTS + " attempts; last output:\n" + lastFailure);
    }

    /** The command line for a directory and a port. */
    @FunctionalInterface
    public interface CommandLine {
        List<String> of(Path directory, int port);
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The console output and every {@code *.log} file in the directory, for a failing test's message. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(directory)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                sb.append("--- ").append(file.getFileName()).append(" ---\n").append(Files.readString(file));
            }
        } catch (IOException e) {
            sb.append("(could not read the logs: ").append(e).append(")\n");
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopAndClean();
        removeHook();
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", 127.0.0.1:" + port + "]";
    }

    private synchronized void stopAndClean() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess();
        deleteTree(directory);
    }

    private void stopProcess() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting: the hook runs (or ran) anyway.
        }
    }

    private boolean awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (process.isAlive() && System.nanoTime() - deadline < 0) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return true;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // A temporary directory left behind is harmless; the test's outcome is what matters.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
