package io.aioduct.bench.load;

import java.util.List;

/**
 * One measured situation: a group (the contenders of a group share one JVM each), the protocol, the
 * path on the bench server, method and body size, requests in flight, and whether every request asks
 * for a new connection.
 */
public record Scenario(
        String id,
        String group,
        Protocol protocol,
        String path,
        String method,
        int body,
        int concurrency,
        boolean close) {

    public static final String H1 = "h1";
    public static final String H2C = "h2c";
    public static final String SPRING = "spring";
    public static final String IDLE = "idle";

    /** Every scenario, in the order they run (and appear in the report). */
    public static List<Scenario> all() {
        return List.of(
                new Scenario("h1-get-small-c64", H1, Protocol.H1, "/small", "GET", 0, 64, false),
                new Scenario("h1-get-small-c1", H1, Protocol.H1, "/small", "GET", 0, 1, false),
                new Scenario("h1-get-small-c16", H1, Protocol.H1, "/small", "GET", 0, 16, false),
                new Scenario("h1-get-small-c256", H1, Protocol.H1, "/small", "GET", 0, 256, false),
                new Scenario("h1-get-64k-c64", H1, Protocol.H1, "/64k", "GET", 0, 64, false),
                new Scenario("h1-get-1m-c64", H1, Protocol.H1, "/1m", "GET", 0, 64, false),
                new Scenario("h1-post-4k-c64", H1, Protocol.H1, "/echo", "POST", 4096, 64, false),
                new Scenario("h1-newconn-small-c16", H1, Protocol.H1, "/small", "GET", 0, 16, true),
                new Scenario("h2c-get-small-s64", H2C, Protocol.H2C, "/small", "GET", 0, 64, false),
                new Scenario("h2c-get-64k-s64", H2C, Protocol.H2C, "/64k", "GET", 0, 64, false),
                new Scenario("h2c-get-1m-s64", H2C, Protocol.H2C, "/1m", "GET", 0, 64, false),
                new Scenario("spring-get-small-c64", SPRING, Protocol.H1, "/small", "GET", 0, 64, false),
                new Scenario("idle-10k", IDLE, Protocol.H1, "/slow", "GET", 0, 10_000, false));
    }
}
