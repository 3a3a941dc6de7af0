package io.aioduct.spring.autoconfigure;

/** What {@code aioduct.runtime.kind=io-uring} does where io_uring cannot run. */
public enum IoUringFallback {
    /** Fail start-up, naming why io_uring is unavailable. */
    NONE("none"),
    /** Run the same thread-per-core model on epoll, with a warning. */
    EPOLL("epoll");

    private final String value;

    IoUringFallback(String value) {
        this.value = value;
    }

    @Override
    public String toString() {
        return value;
    }
}
