package io.aioduct.runtime.pooled;

import io.aioduct.concurrent.Completions;
import io.aioduct.concurrent.LoopSleep;
import io.aioduct.concurrent.NettyModeReport;
import io.aioduct.concurrent.RuntimeThread;
import io.aioduct.runtime.ChannelRuntime;
import io.aioduct.runtime.RuntimePoll;
import io.aioduct.runtime.RuntimeStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pooled runtime: a small pool of platform threads. Network I/O runs on Netty event loops (epoll
 * where the native transport loads, NIO otherwise); spawned tasks run on a work-stealing {@link
 * ForkJoinPool} beside them. Connections made on it are shared by every thread through one
 * thread-safe pool.
 *
 * <p>Threads: {@code aioduct-pooled-io-N} (event loops; never block there) and {@code
 * aioduct-pooled-worker-N}, or {@code <prefix>-io-N} and {@code <prefix>-worker-N} with {@link
 * Builder#threadNamePrefix}. Thread-safe. Whoever creates it closes it.
 */
public final class PooledRuntime implements RuntimePoll, ChannelRuntime {
    private static final Logger log = LoggerFactory.getLogger(PooledRuntime.class);

    private final MultiThreadIoEventLoopGroup loops;
    private final ForkJoinPool workers;
    private final ChannelFactory<? extends Channel> channelFactory;
    private final boolean epoll;
    private final String name;
    private final int ioThreads;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.LongAdder spawned = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.AtomicInteger runningTasks =
            new java.util.concurrent.atomic.AtomicInteger();

    private PooledRuntime(Builder b) {
        this.ioThreads = b.ioThreads;
        NettyModeReport.beforeNativeLoad();
        boolean epoll = b.preferEpoll && Epoll.isAvailable();
        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelFactory = epoll ? EpollSocketChannel::new : NioSocketChannel::new;
        this.epoll = epoll;
        this.name = "pooled(" + (epoll ? "epoll" : "nio") + ")";
        if (!epoll && b.preferEpoll) {
            log.info(
                    "epoll is unavailable ({}); the pooled runtime uses NIO",
                    String.valueOf(Epoll.unavailabilityCause()));
        }
        this.loops = new MultiThreadIoEventLoopGroup(
                b.ioThreads,
                RuntimeThread.factory(b.threadNamePrefix + "-io", true, this, -1, true, threads),
                handlers);
        AtomicInteger workerIds = new AtomicInteger();
        PooledRuntime self = this;
        this.workers = new ForkJoinPool(
                b.workerThreads,
                pool -> {
                    ForkJoinWorkerThread t = new ForkJoinWorkerThread(null, pool, true) {};
                    t.setName(b.threadNamePrefix + "-worker-" + workerIds.getAndIncrement());
                    t.setDaemon(true);
                    // Idle workers retire and new ones start: forget the dead so the set stays small. (Not in
                    // onTermination, which runs before the thread has ended, so close() could miss it.)
                    threads.removeIf(old -> !old.isAlive() && old.getState() == Thread.State.TERMINATED);
                    threads.add(t);
                    return t;
                },
                (t, e) -> log.error("task spawned on {} failed", self.name, e),
                true);
        log.info("aioduct runtime {} started: {} io threads, {} worker threads", name, b.ioThreads, b.workerThreads);
        NettyModeReport.logOnce(b.preferEpoll ? List.of(NettyModeReport.Transport.epoll()) : List.of());
    }

    /** A pooled runtime with one I/O thread and one worker per available processor. */
    public static PooledRuntime create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** How many event-loop (I/O) threads it runs. */
    public int ioThreads() {
        return ioThreads;
    }

    /** How many worker threads spawned tasks share. */
    public int workerThreads() {
        return workers.getParallelism();
    }

    @Override
    public void spawnSend(Runnable task) {
        java.util.Objects.requireNonNull(task, "task");
        if (closed.get()) {
            throw new RejectedExecutionException("runtime " + name + " is closed");
        }
        spawned.increment();
        runningTasks.incrementAndGet();
        try {
            workers.execute(() -> {
                try {
                    task.run();
                } finally {
                    runningTasks.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            runningTasks.decrementAndGet();
            throw e;
        }
    }

    /**
     * Threads alive now (event loops and workers), tasks spawned onto the workers, and tasks queued on the
     * event loops ({@code pendingTasks}, summed over them) or on the workers' submission queue.
     */
    @Override
    public RuntimeStats stats() {
        int pending = workers.getQueuedSubmissionCount();
        for (io.netty.util.concurrent.EventExecutor e : loops) {
            if (e instanceof SingleThreadEventExecutor loop) pending += loop.pendingTasks();
        }
        int alive = 0;
        for (Thread t : threads) if (t.isAlive()) alive++;
        return new RuntimeStats("pooled", alive, spawned.sum(), runningTasks.get(), pending, java.util.List.of());
    }

    @Override
    public CompletionStage<Void> sleep(Duration duration) {
        java.util.Objects.requireNonNull(duration, "duration");
        return LoopSleep.on(connectLoop(), duration);
    }

    @Override
    public <T> T blockOn(CompletionStage<T> stage) {
        java.util.Objects.requireNonNull(stage, "stage");
        Completions.checkMayBlock(inEventLoop(), "blockOn");
        return Completions.await(stage);
    }

    @Override
    public boolean inEventLoop() {
        return RuntimeThread.isEventLoopOf(this);
    }

    @Override
    public EventLoop connectLoop() {
        if (ThreadExecutorMap.currentExecutor() instanceof EventLoop loop && loop.parent() == loops) {
            return loop;
        }
        return loops.next();
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory() {
        return channelFactory;
    }

    @Override
    public ChannelFactory<? extends Channel> domainChannelFactory() {
        return epoll ? EpollDomainSocketChannel::new : NioDomainSocketChannel::new;
    }

    @Override
    public SocketAddress domainSocketAddress(Path path) {
        return epoll ? new DomainSocketAddress(path.toString()) : java.net.UnixDomainSocketAddress.of(path);
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close(Duration grace) {
        java.util.Objects.requireNonNull(grace, "grace");
        if (!closed.get()) {
            // A first close on a loop is refused before anything is marked closed, so the runtime is still
            // whole for whoever closes it next; a repeated one only returns (awaitStopped never waits on a loop).
            Completions.checkMayBlock(inEventLoop(), "closing the runtime");
        }
        if (!closed.compareAndSet(false, true)) {
            awaitStopped(grace);
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        workers.shutdown();
        // Quiet period 0: the engine already drained its exchanges before closing the runtime.
        loops.shutdownGracefully(0, Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS);
        try {
            if (!workers.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
                log.warn(
                        "runtime {}: spawned tasks still running after the {} grace period; interrupting them",
                        name,
                        grace);
                workers.shutdownNow();
                workers.awaitTermination(1, TimeUnit.SECONDS);
            }
            loops.terminationFuture()
                    .await(Math.max(remaining(deadline), TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Both pools report terminated a moment before their threads have exited; the contract is that
        // close returns once every thread has ended.
        RuntimeThread.join(threads, Math.max(remaining(deadline), TimeUnit.SECONDS.toNanos(1)));
        log.info("aioduct runtime {} stopped", name);
    }

    private void awaitStopped(Duration grace) {
        if (inEventLoop()) {
            return;
        }
        try {
            workers.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS);
            loops.terminationFuture().await(grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RuntimeThread.join(threads, grace.toNanos());
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    @Override
    public String toString() {
        return "PooledRuntime[" + name + "]";
    }

    /** Settings for a {@link PooledRuntime}. */
    public static final class Builder {
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int workerThreads = Runtime.getRuntime().availableProcessors();
        private boolean preferEpoll = true;
        private String threadNamePrefix = "aioduct-pooled";

        private Builder() {}

        /** Event-loop threads for network I/O; default one per available processor. */
        public Builder ioThreads(int count) {
            if (count < 1) throw new IllegalArgumentException("ioThreads must be >= 1, was " + count);
            this.ioThreads = count;
            return this;
        }

        /** Threads for spawned tasks; default one per available processor. */
        public Builder workerThreads(int count) {
            if (count < 1) throw new IllegalArgumentException("workerThreads must be >= 1, was " + count);
            this.workerThreads = count;
            return this;
        }

        /** Names threads {@code prefix-io-N} and {@code prefix-worker-N}; default {@code aioduct-pooled}. */
        public Builder threadNamePrefix(String prefix) {
            java.util.Objects.requireNonNull(prefix, "prefix");
            if (prefix.isBlank()) throw new IllegalArgumentException("threadNamePrefix must not be blank");
            this.threadNamePrefix = prefix;
            return this;
        }

        /** Use NIO even where epoll is available (for comparison and debugging). */
        public Builder forceNio() {
            this.preferEpoll = false;
            return this;
        }

        public PooledRuntime build() {
            return new PooledRuntime(this);
        }
    }
}
