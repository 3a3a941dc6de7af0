package io.aioduct.engine;

import io.aioduct.AioductException;
import java.util.ArrayList;
import java.util.List;

/** A waiter that records every callback, to check that exactly one happens. Single-threaded use. */
final class RecordingWaiter implements PoolWaiter<FakeConnection> {
    final List<FakeConnection> acquired = new ArrayList<>();
    final List<AioductException> failures = new ArrayList<>();
    int mayConnect;

    @Override
    public void acquired(FakeConnection connection) {
        acquired.add(connection);
    }

    @Override
    public void mayConnect() {
        mayConnect++;
    }

    @Override
    public void failed(AioductException cause) {
        failures.add(cause);
    }

    int callbacks() {
        return acquired.size() + failures.size() + mayConnect;
    }
}
