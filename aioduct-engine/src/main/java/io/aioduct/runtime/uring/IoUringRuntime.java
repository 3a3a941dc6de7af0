package io.aioduct.runtime.uring;

import io.aioduct.concurrent.Completions;
import io.aioduct.concurrent.LoopSleep;
import io.aioduct.concurrent.NettyModeReport;
import io.aioduct.concurrent.RuntimeThread;
import io.aioduct.runtime.ChannelRuntime;
import io.aioduct.runtime.RuntimeLocal;
import io.aioduct.runtime.RuntimeUnavailableException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The io_uring thread-per-core runtime: one event-loop thread per core on Netty's io_uring transport.
 * Each core owns its connections and its connection pool; a connection never moves between cores.
 * Work spawned on a core stays there; work arriving from any other thread goes to the cores in
 * round-robin order.
 *
 * <p>Building it fails with {@link RuntimeUnavailableException} (carrying the native cause) when
 * io_uring cannot run here, unless {@link Builder#fallbackToEpoll(boolean)} was asked for: then it logs a
 * warning, runs the same thread-per-core model on epoll, and says so in {@link #name()}.
 *
 * <p>Threads: {@code aioduct-uring-core-N}. Never block on them. Thread-safe. Whoever creates it
 * closes it.
 */
public final class IoUringRuntime implements RuntimeLocal, ChannelRuntime, io.aioduct.runtime.CoreCounters {
    private static final Logger log = LoggerFactory.getLogger(IoUringRuntime.class);

    private final MultiThreadIoEventLoopGroup[] groups;
    private final EventLoop[] loops;
    private final ChannelFactory<? extends Channel> channelFactory;
    private final String name;
    private final boolean fellBack;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.LongAdder spawned = new java.util.concurrent.atomic.LongAdder();
    /**
     * Per core, requests served (slot 0) and connections owned (slot 1), every {@link #STRIDE} longs so
     * cores do not share a cache line.
     */
    private final java.util.concurrent.atomic.AtomicLongArray served;

    private static final int STRIDE = 8;

    private IoUringRuntime(Builder b) {
        NettyModeReport.beforeNativeLoad();
        Throwable cause = b.simulatedCause != null ? b.simulatedCause : IoUring.unavailabilityCause();
        boolean uring = cause == null;
        if (!uring && !b.fallbackToEpoll) {
            throw new RuntimeUnavailableException(
                    "the io-uring runtime cannot run here: io_uring is unavailable (" + cause
                            + "); enable io_uring, pick another runtime, or allow the epoll fallback",
                    cause);
        }
        if (!uring && !Epoll.isAvailable()) {
            throw new RuntimeUnavailableException(
                    "the io-uring runtime cannot run here: neither io_uring (" + cause + ") nor its epoll fallback ("
                            + Epoll.unavailabilityCause() + ") is available",
                    cause);
        }
        this.fellBack = !uring;
        IoHandlerFactory handlers = uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory();
        this.channelFactory = uring ? IoUringSocketChannel::new : EpollSocketChannel::new;
        this.name = uring ? "io-uring" : "io-uring(fallback: epoll)";
        if (fellBack) {
            log.warn(
                    "io_uring is unavailable ({}); the io-uring runtime falls back to epoll as asked: {}", cause, name);
        }
        this.groups = new MultiThreadIoEventLoopGroup[b.cores];
        this.loops = new EventLoop[b.cores];
        this.served = new java.util.concurrent.atomic.AtomicLongArray(b.cores * STRIDE);
        for (int i = 0; i < b.cores; i++) {
            groups[i] = new MultiThreadIoEventLoopGroup(
                    1, RuntimeThread.factory("aioduct-uring-core-" + i, false, this, i, true, threads), handlers);
            loops[i] = groups[i].next();
        }
        log.info("aioduct runtime {} started: {} cores", name, b.cores);
        NettyModeReport.Transport ioUring = NettyModeReport.Transport.of("io_uring", cause);
        NettyModeReport.logOnce(uring ? List.of(ioUring) : List.of(ioUring, NettyModeReport.Transport.epoll()));
    }

    /** One core per available processor, failing if io_uring is unavailable. */
    public static IoUringRuntime create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether io_uring can run on this machine. */
    public static boolean isAvailable() {
        return IoUring.isAvailable();
    }

    /** Why io_uring cannot run here, or null when it can. */
    public static @Nullable Throwable unavailabilityCause() {
        return IoUring.unavailabilityCause();
    }

    @Override
    public String name() {
        return name;
    }

    /** Whether this runtime fell back to epoll because io_uring was unavailable. */
    public boolean fellBackToEpoll() {
        return fellBack;
    }

    @Override
    public void spawnLocal(Runnable task) {
        java.util.Objects.requireNonNull(task, "task");
        int core = currentCore();
        spawnOn(core >= 0 ? core : nextCore(), task);
    }

    /**
     * @throws IllegalArgumentException if {@code core} is not an index of one of this runtime's cores
     */
    @Override
    public void spawnOn(int core, Runnable task) {
        java.util.Objects.requireNonNull(task, "task");
        EventLoop loop = loop(core);
        if (closed.get()) {
            throw new RejectedExecutionException("runtime " + name + " is closed");
        }
        spawned.increment();
        loop.execute(task);
    }

    @Override
    public void requestServed(int core) {
        served.incrementAndGet(core * STRIDE);
    }

    @Override
    public void connectionOpened(int core) {
        served.incrementAndGet(core * STRIDE + 1);
    }

    @Override
    public void connectionClosed(int core) {
        served.decrementAndGet(core * STRIDE + 1);
    }

    /**
     * Per core: tasks queued on its loop, the connections it owns (open ones, as an engine on this
     * runtime reports them) and the exchanges it finished. {@code tasksRunning} is the tasks queued over all cores:
     * a task on a loop runs to completion at once, so queued is what is "spawned and not finished".
     */
    @Override
    public io.aioduct.runtime.RuntimeStats stats() {
        java.util.List<io.aioduct.runtime.RuntimeStats.CoreStats> cores = new java.util.ArrayList<>(loops.length);
        int pending = 0;
        for (int i = 0; i < loops.length; i++) {
            int queued = loops[i] instanceof io.netty.util.concurrent.SingleThreadEventExecutor loop
                    ? loop.pendingTasks()
                    : 0;
            pending += queued;
            int connections = (int) served.get(i * STRIDE + 1);
            cores.add(new io.aioduct.runtime.RuntimeStats.CoreStats(i, queued, connections, served.get(i * STRIDE)));
        }
        int alive = 0;
        for (Thread t : threads) if (t.isAlive()) alive++;
        return new io.aioduct.runtime.RuntimeStats("io-uring", alive, spawned.sum(), pending, pending, cores);
    }

    @Override
    public CompletionStage<Void> sleep(Duration duration) {
        java.util.Objects.requireNonNull(duration, "duration");
        int core = currentCore();
        return LoopSleep.on(loops[core >= 0 ? core : nextCore()], duration);
    }

    @Override
    public int cores() {
        return loops.length;
    }

    @Override
    public int currentCore() {
        return Thread.currentThread() instanceof RuntimeThread t && t.owner() == this ? t.core() : -1;
    }

    @Override
    public int nextCore() {
        return (next.getAndIncrement() & Integer.MAX_VALUE) % loops.length;
    }

    /**
     * The event loop of core {@code core}.
     *
     * @throws IllegalArgumentException if {@code core} is not an index of one of this runtime's cores
     */
    public EventLoop loop(int core) {
        if (core < 0 || core >= loops.length) {
            throw new IllegalArgumentException("core " + core + " does not exist: runtime " + name + " has "
                    + loops.length
                    + (loops.length == 1 ? " core (index 0)" : " cores (indexes 0 to " + (loops.length - 1) + ")"));
        }
        return loops[core];
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
        int core = currentCore();
        return loops[core >= 0 ? core : nextCore()];
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory() {
        return channelFactory;
    }

    @Override
    public ChannelFactory<? extends Channel> domainChannelFactory() {
        return fellBack ? EpollDomainSocketChannel::new : IoUringDomainSocketChannel::new;
    }

    @Override
    public java.net.SocketAddress domainSocketAddress(java.nio.file.Path path) {
        return new DomainSocketAddress(path.toString());
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close(Duration grace) {
        java.util.Objects.requireNonNull(grace, "grace");
        if (!closed.get()) {
            // A first close on a core is refused before anything is marked closed, so the runtime is still
            // whole for whoever closes it next; a repeated one only returns, below.
            Completions.checkMayBlock(inEventLoop(), "closing the runtime");
        }
        if (closed.compareAndSet(false, true)) {
            for (MultiThreadIoEventLoopGroup g : groups) {
                g.shutdownGracefully(0, Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS);
            }
        }
        if (inEventLoop()) {
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos() + TimeUnit.SECONDS.toNanos(1);
        try {
            for (MultiThreadIoEventLoopGroup g : groups) {
                g.terminationFuture().await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var alive = RuntimeThread.join(threads, Math.max(0, deadline - System.nanoTime()));
        if (!alive.isEmpty()) {
            log.warn("runtime {}: threads still alive after close: {}", name, alive);
        }
    }

    @Override
    public String toString() {
        return "IoUringRuntime[" + name + ", " + loops.length + " cores]";
    }

    /** Settings for an {@link IoUringRuntime}. */
    public static final class Builder {
        private int cores = Runtime.getRuntime().availableProcessors();
        private boolean fallbackToEpoll;
        private @Nullable Throwable simulatedCause;

        private Builder() {}

        /** Tests only: behave as if io_uring were unavailable for {@code cause}. */
        Builder simulateUnavailable(Throwable cause) {
            this.simulatedCause = cause;
            return this;
        }

        /** Event-loop threads, one per core; default one per available processor. */
        public Builder cores(int count) {
            if (count < 1) throw new IllegalArgumentException("cores must be >= 1, was " + count);
            this.cores = count;
            return this;
        }

        /** When io_uring is unavailable, run on epoll (with a warning) instead of failing. Default false. */
        public Builder fallbackToEpoll(boolean fallback) {
            this.fallbackToEpoll = fallback;
            return this;
        }

        /**
         * @throws RuntimeUnavailableException if io_uring cannot run here and no fallback was allowed
         */
        public IoUringRuntime build() {
            return new IoUringRuntime(this);
        }
    }
}
