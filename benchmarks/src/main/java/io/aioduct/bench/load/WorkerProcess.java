package io.aioduct.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link LoadWorker} JVM for one contender, pinned to the client CPU, driven line by line. */
final class WorkerProcess implements Runner {
    private final String name;
    private final String mode;
    private final Process process;
    private final PrintWriter in;
    private final BufferedReader out;
    private final Path log;

    WorkerProcess(String name, Protocol protocol, int maxConnections, int cpu, List<String> jvmArgs, Path log)
            throws IOException {
        this(name, name, System.getProperty("java.class.path"), protocol, maxConnections, cpu, jvmArgs, log);
    }

    /**
     * A worker that runs {@code contender} from another build's {@code classPath} and reports itself as
     * {@code name}: how one run alternates a baseline build with the current one (the {@code baseline} setting).
     */
    WorkerProcess(
            String name,
            String contender,
            String classPath,
            Protocol protocol,
            int maxConnections,
            int cpu,
            List<String> jvmArgs,
            Path log)
            throws IOException {
        this.name = name;
        this.log = log;
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        // For profiling a run, e.g. AIODUCT_BENCH_WORKER_OPTS=-XX:StartFlightRecording=filename=/tmp/w-%p.jfr
        String extra = System.getenv("AIODUCT_BENCH_WORKER_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of(
                "-cp",
                classPath,
                LoadWorker.class.getName(),
                contender,
                protocol.name(),
                Integer.toString(maxConnections)));
        process = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = answer("READY");
        if (!ready.startsWith("READY ")) {
            close();
            throw new IOException(name + " did not start: " + ready + " (log: " + log + ")");
        }
        this.mode = ready.substring(6);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String mode() {
        return mode;
    }

    @Override
    public Sample run(Scenario s, String url, long warmMillis, long windowMillis) throws IOException {
        in.println("run url=" + url + " method=" + s.method() + " body=" + s.body() + " close=" + s.close()
                + " concurrency=" + s.concurrency() + " warm=" + warmMillis + " window=" + windowMillis);
        String a = answer("RESULT ");
        if (!a.startsWith("RESULT ")) {
            throw new IOException(name + " failed " + s.id() + ": " + a + " (log: " + log + ")");
        }
        return Sample.parse(a.substring(7));
    }

    /** The idle-connections measurement: key=value pairs as {@link LoadWorker} prints them. */
    String idle(String url, int n) throws IOException {
        in.println("idle url=" + url + " n=" + n);
        String a = answer("IDLE ");
        if (!a.startsWith("IDLE ")) {
            throw new IOException(name + " failed idle: " + a + " (log: " + log + ")");
        }
        return a.substring(5);
    }

    private String answer(String expected) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(expected) || line.startsWith("FAILED")) {
                return line;
            }
        }
        return "exited with " + waitExit();
    }

    private int waitExit() {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            return process.isAlive() ? -1 : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        in.println("quit");
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
