package io.aioduct.bench.load;

/** Something that takes turns in a scenario: a contender's worker JVM, or wrk / h2load. */
interface Runner extends AutoCloseable {
    String name();

    /** How the runner drives the client (for the table). */
    String mode();

    Sample run(Scenario scenario, String url, long warmMillis, long windowMillis) throws Exception;

    @Override
    void close();
}
