package io.aioduct.concurrent;

import io.netty.channel.epoll.Epoll;
import io.netty.util.Version;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one line a runtime's start logs about the Netty modes this JVM got: the native transport it probed,
 * whether {@code sun.misc.Unsafe} is available to Netty, whether Netty can free direct buffers itself, and
 * whether native access is enabled. When a JVM flag would fix a degraded mode it is a warning that names the
 * flag, because without the flags the application still runs and nothing else says what it lost (Netty turns
 * Unsafe off by default on Java 25+; see docs/jvm-flags.md).
 *
 * <p>Logged once per JVM ({@link #logOnce}), by whichever runtime starts first: the facts are the JVM's, not
 * the runtime's. The runtimes live in three packages, so this sits in a package the module does not export
 * rather than being package-private. Thread-safe.
 */
public final class NettyModeReport {
    private static final Logger log = LoggerFactory.getLogger(NettyModeReport.class);
    private static final NettyModeReport JVM = new NettyModeReport((warn, line) -> {
        if (warn) {
            log.warn(line);
        } else {
            log.info(line);
        }
    });

    /** Where the line goes: {@code warn} is true when a mode is degraded. */
    interface Sink {
        void accept(boolean warn, String line);
    }

    private static final AtomicReference<@Nullable NativeAccess> NATIVE_ACCESS_BEFORE_LOAD = new AtomicReference<>();

    private final Sink sink;
    private final AtomicBoolean reported = new AtomicBoolean();

    NettyModeReport(Sink sink) {
        this.sink = sink;
    }

    /**
     * Logs the JVM's Netty modes unless some runtime already did. {@code transports} are the native transports
     * the calling runtime probed (probing one loads its native library, so the report never probes one the
     * runtime did not).
     */
    public static void logOnce(List<Transport> transports) {
        List<Transport> probed = List.copyOf(transports);
        JVM.reportOnce(() -> Facts.probe(probed));
    }

    /**
     * Reads whether Netty's module may load native libraries, the first time it is called. A runtime calls it
     * before it probes a native transport: once the JDK has warned about a module's first native call it
     * marks that module enabled, so a later read would say "enabled" for a JVM started without the flag.
     * (If another library loaded Netty's natives earlier, the JDK has printed its own warning already.)
     */
    public static void beforeNativeLoad() {
        NATIVE_ACCESS_BEFORE_LOAD.compareAndSet(null, NativeAccess.of(PlatformDependent.class.getModule()));
    }

    /** Whether this JVM's line has been logged. */
    public static boolean loggedInThisJvm() {
        return JVM.reported.get();
    }

    /** Sends the line of {@code facts} to the sink the first time only; later calls do not probe. */
    void reportOnce(Supplier<Facts> facts) {
        if (reported.compareAndSet(false, true)) {
            Facts f = facts.get();
            sink.accept(f.degraded(), f.line());
        }
    }

    /**
     * A native transport a runtime probed.
     *
     * @param name the transport as the line names it ({@code epoll}, {@code io_uring})
     * @param unavailableBecause why it cannot run here (Netty's cause), or null when it can
     */
    public record Transport(String name, @Nullable String unavailableBecause) {
        public Transport {
            Objects.requireNonNull(name, "name");
        }

        /** Netty's epoll transport, as probed now. */
        public static Transport epoll() {
            return of("epoll", Epoll.unavailabilityCause());
        }

        /** A transport named {@code name} that cannot run because of {@code cause}, or can when it is null. */
        public static Transport of(String name, @Nullable Throwable cause) {
            return new Transport(name, cause == null ? null : String.valueOf(cause));
        }
    }

    /** Whether a module may call restricted (native) methods without the JDK warning or refusing. */
    enum NativeAccess {
        ENABLED,
        NOT_ENABLED,
        /** Before Java 22 there is no such check: JNI is always allowed. */
        NOT_CHECKED;

        /** {@code Module.isNativeAccessEnabled()} exists from Java 22; the engine compiles for 21. */
        static NativeAccess of(Module module) {
            try {
                boolean enabled = (Boolean)
                        Module.class.getMethod("isNativeAccessEnabled").invoke(module);
                return enabled ? ENABLED : NOT_ENABLED;
            } catch (ReflectiveOperationException e) {
                return NOT_CHECKED;
            }
        }
    }

    /**
     * What the JVM gave Netty. {@code unsafeUnavailableBecause} is null when Unsafe is available; {@code
     * unsafeOffOnPurpose} when {@code -Dio.netty.noUnsafe} was set (then no flag is suggested);
     * {@code unsafeMemoryAccess} is the value of {@code --sun-misc-unsafe-memory-access} (null when not given);
     * {@code nativeAccess} is read before the first native library loaded where a runtime asked ({@link
     * #beforeNativeLoad}); {@code nativeAccessModule} is
     * what {@code --enable-native-access} must name for Netty ({@code ALL-UNNAMED} on the class path).
     */
    record Facts(
            String nettyVersion,
            int javaVersion,
            @Nullable String unsafeUnavailableBecause,
            boolean unsafeOffOnPurpose,
            @Nullable String unsafeMemoryAccess,
            boolean directBuffersFreedReliably,
            NativeAccess nativeAccess,
            String nativeAccessModule,
            List<Transport> transports) {

        static Facts probe(List<Transport> transports) {
            Module netty = PlatformDependent.class.getModule(); // the module that loads Netty's native libraries
            Version common =
                    Version.identify(PlatformDependent.class.getClassLoader()).get("netty-common");
            return new Facts(
                    common == null ? "unknown" : common.artifactVersion(),
                    Runtime.version().feature(),
                    PlatformDependent.hasUnsafe()
                            ? null
                            : String.valueOf(PlatformDependent.getUnsafeUnavailabilityCause()),
                    System.getProperty("io.netty.noUnsafe") != null,
                    System.getProperty("sun.misc.unsafe.memory.access"),
                    PlatformDependent.canReliabilyFreeDirectBuffers(),
                    Objects.requireNonNullElseGet(NATIVE_ACCESS_BEFORE_LOAD.get(), () -> NativeAccess.of(netty)),
                    netty.isNamed() ? netty.getName() : "ALL-UNNAMED",
                    transports);
        }

        /** The flags that would lift a degraded mode, each with what it fixes. */
        List<String> fixes() {
            List<String> fixes = new ArrayList<>();
            // The flag exists from Java 23; Netty needs it from 24 (the JDK warns) and 25 (Unsafe off by default).
            boolean unsafeNotAllowed = javaVersion >= 24 && !"allow".equals(unsafeMemoryAccess);
            if (unsafeNotAllowed && !unsafeOffOnPurpose) {
                fixes.add("--sun-misc-unsafe-memory-access=allow ("
                        + (unsafeUnavailableBecause != null
                                ? "gives Netty sun.misc.Unsafe back"
                                : "stops the JDK warning about Netty's use of sun.misc.Unsafe")
                        + ")");
            }
            if (nativeAccess == NativeAccess.NOT_ENABLED && !transports.isEmpty()) {
                fixes.add(
                        "--enable-native-access=" + nativeAccessModule
                                + " (Netty loads its native transport with it; without it the JDK warns, and refuses in a future release)");
            }
            return fixes;
        }

        /** Whether a mode is lost or about to be: a flag would help, or a native transport cannot run. */
        boolean degraded() {
            return !fixes().isEmpty() || transports.stream().anyMatch(t -> t.unavailableBecause() != null);
        }

        String line() {
            StringBuilder b = new StringBuilder("aioduct Netty modes (Netty ")
                    .append(nettyVersion)
                    .append(", Java ")
                    .append(javaVersion)
                    .append("): ");
            if (transports.isEmpty()) {
                b.append("no native transport (this runtime uses JDK sockets)");
            }
            for (int i = 0; i < transports.size(); i++) {
                Transport t = transports.get(i);
                b.append(i == 0 ? "native transport " : ", ").append(t.name());
                b.append(
                        t.unavailableBecause() == null
                                ? " available"
                                : " unavailable (" + t.unavailableBecause() + ")");
            }
            b.append("; sun.misc.Unsafe ")
                    .append(
                            unsafeUnavailableBecause == null
                                    ? "available"
                                    : "unavailable (" + unsafeUnavailableBecause + ")");
            b.append("; direct buffers ")
                    .append(
                            directBuffersFreedReliably
                                    ? "freed by Netty"
                                    : "left to the GC (Netty prefers heap buffers)");
            if (nativeAccess != NativeAccess.NOT_CHECKED) {
                b.append("; native access ").append(nativeAccess == NativeAccess.ENABLED ? "enabled" : "not enabled");
            }
            List<String> fixes = fixes();
            if (!fixes.isEmpty()) {
                b.append(". Start the JVM with ")
                        .append(String.join(" and ", fixes))
                        .append("; see docs/jvm-flags.md");
            }
            return b.toString();
        }
    }
}
