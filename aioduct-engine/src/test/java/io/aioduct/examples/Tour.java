package io.aioduct.examples;

import com.sun.net.httpserver.HttpServer;
import io.aioduct.Aioduct;
import io.aioduct.AioductClient;
import io.aioduct.RequestBody;
import io.aioduct.Response;
import io.aioduct.engine.HttpEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A runnable tour of the engine (the README's "run" command): starts a small server on loopback, then
 * sends the same requests on each of the three runtimes and prints what happened.
 */
public final class Tour {
    private Tour() {}

    public static void main(String[] args) throws Exception {
        ExecutorService serverThreads = Executors.newVirtualThreadPerTaskExecutor();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hello", ex -> reply(ex, 200, "hello from " + ex.getRequestURI()));
        server.createContext(
                "/echo", ex -> reply(ex, 200, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        server.setExecutor(serverThreads);
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        System.out.println("aioduct tour: server on " + base);
        List<Supplier<HttpEngine>> engines = List.of(Aioduct::pooled, Aioduct::virtualThreads, Aioduct::ioUring);
        try {
            for (Supplier<HttpEngine> make : engines) {
                try (HttpEngine engine = make.get()) {
                    tour(engine, base);
                }
            }
        } finally {
            server.stop(0);
            serverThreads.shutdown();
        }
    }

    private static void tour(HttpEngine engine, String base) {
        AioductClient client = AioductClient.builder(engine).build();
        String name = engine.runtime().name();
        try (Response r = client.get(base + "/hello").query("runtime", name).execute()) {
            System.out.printf("[%s] GET  %d %s%n", name, r.status(), r.body().string());
        }
        try (Response r = client.post(base + "/echo")
                .body(RequestBody.ofString("echo me"))
                .execute()) {
            System.out.printf("[%s] POST %d %s%n", name, r.status(), r.body().string());
        }
        long start = System.nanoTime();
        int n = 200;
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            all[i] =
                    client.get(base + "/hello").send().thenCompose(r -> r.body().bytesAsync());
        }
        CompletableFuture.allOf(all).join();
        System.out.printf(
                "[%s] %d concurrent GETs in %.1f ms; pools: %s%n",
                name, n, (System.nanoTime() - start) / 1e6, engine.poolStats());
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
        try (InputStream ignored = ex.getRequestBody()) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }
}
