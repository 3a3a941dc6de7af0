package io.aioduct.bench.load;

/** What a contender speaks to the server: HTTP/1.1, or HTTP/2 in cleartext by prior knowledge. */
public enum Protocol {
    H1,
    H2C
}
