package io.aioduct.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * One contender in its own JVM (pinned to the client core by the runner), taking orders on stdin, one
 * per line, and answering one line on stdout each:
 *
 * <pre>
 * run url=http://127.0.0.1:8080/small method=GET body=0 close=false concurrency=64 warm=2000 window=2000
 *   -> RESULT requests=.. errors=.. nanos=.. p50=.. p99=.. p999=.. cpu=.. alloc=..
 * idle url=http://127.0.0.1:8080/slow n=10000
 *   -> IDLE sockets=.. heap=.. rss=..      (growth over the state before, in bytes)
 * quit
 * </pre>
 *
 * Arguments: contender name, protocol (H1 or H2C), connection limit. Prints {@code READY} once the
 * client is built (with its mode: {@code async} or {@code blocking-virtual-threads}); a failed order answers {@code FAILED <reason>} and the worker goes on.
 */
public final class LoadWorker {
    private LoadWorker() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: LoadWorker <contender> <H1|H2C> <maxConnections>");
        }
        // The JDK client refuses a Connection header unless allowed (the new-connection scenario sets it).
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        // Client libraries log to stdout now and then; answers go on their own lines with a prefix.
        System.setOut(System.err);
        try (Contender contender = Contenders.create(args[0], Protocol.valueOf(args[1]), Integer.parseInt(args[2]))) {
            out.println("READY " + (contender.mode() == Contender.Mode.ASYNC ? "async" : "blocking-virtual-threads"));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                line = line.trim();
                if (line.isEmpty()) continue;
                if (line.equals("quit")) break;
                int sp = line.indexOf(' ');
                String verb = sp < 0 ? line : line.substring(0, sp);
                Map<String, String> a = KeyValues.parse(sp < 0 ? "" : line.substring(sp + 1));
                try {
                    switch (verb) {
                        case "run" -> out.println("RESULT " + run(contender, a).toLine());
                        case "idle" -> out.println("IDLE " + idle(contender, a));
                        default -> out.println("FAILED unknown order " + verb);
                    }
                } catch (Exception | Error e) {
                    e.printStackTrace();
                    out.println("FAILED " + String.valueOf(e).replace('\n', ' '));
                }
            }
        }
        System.exit(0);
    }

    private static Sample run(Contender contender, Map<String, String> a) throws InterruptedException {
        int bodySize = Integer.parseInt(a.getOrDefault("body", "0"));
        Call call = new Call(
                a.getOrDefault("method", "GET"),
                URI.create(a.get("url")),
                bodySize > 0 ? body(bodySize) : null,
                Boolean.parseBoolean(a.getOrDefault("close", "false")));
        LoadDriver driver = new LoadDriver(contender, call, Integer.parseInt(a.get("concurrency")));
        Sample s = driver.run(Long.parseLong(a.get("warm")), Long.parseLong(a.get("window")));
        if (driver.firstError() != null) {
            System.err.println("first failure: ");
            driver.firstError().printStackTrace();
        }
        return s;
    }

    private static byte[] body(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) ('a' + i % 26);
        return b;
    }

    /**
     * Opens {@code n} connections by sending {@code n} requests at once to a slow URL (the server holds
     * each for a while, so none can reuse another's connection), waits for all to finish (the
     * connections then sit idle in the pool), and reports the growth of open sockets, heap in use after
     * a full GC, and resident memory, over the state before.
     */
    private static String idle(Contender contender, Map<String, String> a) throws Exception {
        int n = Integer.parseInt(a.get("n"));
        Call call = new Call("GET", URI.create(a.get("url")), null, false);
        // A first request, so that lazily created parts (threads, pools) are not counted per connection.
        sendAll(contender, call, 1);
        long sockets0 = sockets();
        long heap0 = heapAfterGc();
        long rss0 = rss();
        long failed = sendAll(contender, call, n);
        long sockets1 = sockets();
        long heap1 = heapAfterGc();
        long rss1 = rss();
        return "n=" + n + " failed=" + failed + " sockets=" + (sockets1 - sockets0) + " heap=" + (heap1 - heap0)
                + " rss=" + (rss1 - rss0);
    }

    private static long sendAll(Contender contender, Call call, int n) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(n);
        AtomicLong failed = new AtomicLong();
        AtomicReference<Throwable> first = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (contender.mode() == Contender.Mode.ASYNC) {
                contender.send(call, (bytes, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        first.compareAndSet(null, e);
                    }
                    latch.countDown();
                });
            } else {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        contender.call(call);
                    } catch (Exception | Error e) {
                        failed.incrementAndGet();
                        first.compareAndSet(null, e);
                    } finally {
                        latch.countDown();
                    }
                }));
            }
        }
        if (!latch.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(latch.getCount() + " of " + n + " requests still running after 120 s");
        }
        if (first.get() != null) {
            System.err.println("idle: first failure:");
            first.get().printStackTrace();
        }
        return failed.get();
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long sockets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                        try {
                            return Files.readSymbolicLink(p).toString().startsWith("socket:");
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .count();
        }
    }

    private static long rss() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
