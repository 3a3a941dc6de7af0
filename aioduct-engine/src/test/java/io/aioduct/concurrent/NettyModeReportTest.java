package io.aioduct.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.concurrent.NettyModeReport.Facts;
import io.aioduct.concurrent.NettyModeReport.NativeAccess;
import io.aioduct.concurrent.NettyModeReport.Transport;
import io.aioduct.runtime.pooled.PooledRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The start-up line about Netty's modes, built from injected facts: the build's own test JVMs run with the
 * flags, so the degraded cases can only be seen this way.
 */
class NettyModeReportTest {
    private static final String JAVA25_DEFAULT = "java.lang.UnsupportedOperationException: sun.misc.Unsafe: "
            + "unavailable (io.netty.noUnsafe=true by default on Java 25+)";
    private static final List<Transport> EPOLL = List.of(new Transport("epoll", null));

    private static Facts facts(
            int java,
            @Nullable String unsafeCause,
            @Nullable String memoryAccess,
            NativeAccess nativeAccess,
            List<Transport> transports) {
        return new Facts(
                "4.2.18.Final", java, unsafeCause, false, memoryAccess, true, nativeAccess, "ALL-UNNAMED", transports);
    }

    @Test
    void withBothFlagsTheLineSaysWhatNettyGotAndIsNoWarning() {
        Facts f = facts(25, null, "allow", NativeAccess.ENABLED, EPOLL);

        assertThat(f.degraded()).isFalse();
        assertThat(f.line())
                .isEqualTo("aioduct Netty modes (Netty 4.2.18.Final, Java 25): native transport epoll available; "
                        + "sun.misc.Unsafe available; direct buffers freed by Netty; native access enabled");
    }

    @Test
    void unsafeLostToTheJava25DefaultIsAWarningNamingTheUnsafeFlag() {
        Facts f = facts(25, JAVA25_DEFAULT, null, NativeAccess.ENABLED, EPOLL);

        assertThat(f.degraded()).isTrue();
        assertThat(f.line())
                .contains("sun.misc.Unsafe unavailable (" + JAVA25_DEFAULT + ")")
                .contains("Start the JVM with --sun-misc-unsafe-memory-access=allow (gives Netty sun.misc.Unsafe back)")
                .contains("docs/jvm-flags.md")
                .doesNotContain("--enable-native-access");
    }

    @Test
    void unsafeDeniedOnTheCommandLineNamesTheAllowValue() {
        Facts f = facts(
                25,
                "sun.misc.Unsafe: unavailable (--sun-misc-unsafe-memory-access=deny)",
                "deny",
                NativeAccess.ENABLED,
                EPOLL);

        assertThat(f.fixes())
                .containsExactly("--sun-misc-unsafe-memory-access=allow (gives Netty sun.misc.Unsafe back)");
    }

    @Test
    void onJava24UnsafeStillWorksButTheJdkWarnsSoTheFlagIsNamedForThat() {
        Facts f = facts(24, null, null, NativeAccess.ENABLED, EPOLL);

        assertThat(f.degraded()).isTrue();
        assertThat(f.line())
                .contains("sun.misc.Unsafe available")
                .contains("--sun-misc-unsafe-memory-access=allow (stops the JDK warning");
    }

    @Test
    void unsafeTurnedOffOnPurposeIsReportedWithoutSuggestingAFlag() {
        Facts f = new Facts(
                "4.2.18.Final",
                25,
                "sun.misc.Unsafe: unavailable (io.netty.noUnsafe)",
                true,
                null,
                true,
                NativeAccess.ENABLED,
                "ALL-UNNAMED",
                EPOLL);

        assertThat(f.degraded()).isFalse();
        assertThat(f.line())
                .contains("unavailable (sun.misc.Unsafe: unavailable (io.netty.noUnsafe))")
                .doesNotContain("--");
    }

    @Test
    void nativeAccessNotEnabledForANativeTransportNamesTheModuleToEnable() {
        Facts classPath = facts(25, null, "allow", NativeAccess.NOT_ENABLED, EPOLL);
        Facts modulePath = new Facts(
                "4.2.18.Final", 25, null, false, "allow", true, NativeAccess.NOT_ENABLED, "io.netty.common", EPOLL);

        assertThat(classPath.degraded()).isTrue();
        assertThat(classPath.line())
                .contains("native access not enabled")
                .contains(
                        "Start the JVM with --enable-native-access=ALL-UNNAMED (Netty loads its native transport with it");
        assertThat(modulePath.fixes()).singleElement().asString().startsWith("--enable-native-access=io.netty.common ");
    }

    @Test
    void withNeitherFlagOnJava25BothAreNamed() {
        Facts f = facts(25, JAVA25_DEFAULT, null, NativeAccess.NOT_ENABLED, EPOLL);

        assertThat(f.line())
                .contains("Start the JVM with --sun-misc-unsafe-memory-access=allow (gives Netty sun.misc.Unsafe back)"
                        + " and --enable-native-access=ALL-UNNAMED");
    }

    @Test
    void aRuntimeWithoutNativeTransportNeedsNoNativeAccess() {
        Facts f = facts(25, null, "allow", NativeAccess.NOT_ENABLED, List.of());

        assertThat(f.degraded()).isFalse();
        assertThat(f.line())
                .contains("no native transport (this runtime uses JDK sockets)")
                .doesNotContain("--");
    }

    @Test
    void onJava21NoFlagIsSuggestedAndNativeAccessIsNotMentioned() {
        Facts f = facts(21, null, null, NativeAccess.NOT_CHECKED, EPOLL);

        assertThat(f.degraded()).isFalse();
        assertThat(f.line()).doesNotContain("native access").doesNotContain("--");
    }

    @Test
    void anUnavailableTransportIsAWarningWithItsCause() {
        Facts f = facts(
                25,
                null,
                "allow",
                NativeAccess.ENABLED,
                List.of(
                        new Transport(
                                "io_uring", "java.lang.UnsupportedOperationException: io_uring disabled by the kernel"),
                        new Transport("epoll", null)));

        assertThat(f.degraded()).isTrue();
        assertThat(f.line())
                .contains("native transport io_uring unavailable (java.lang.UnsupportedOperationException: io_uring "
                        + "disabled by the kernel), epoll available;");
    }

    @Test
    void directBuffersNettyCannotFreeAreSaid() {
        Facts f =
                new Facts("4.2.18.Final", 25, null, false, "allow", false, NativeAccess.ENABLED, "ALL-UNNAMED", EPOLL);

        assertThat(f.line()).contains("direct buffers left to the GC (Netty prefers heap buffers)");
    }

    @Test
    void theLineIsSentOnceAndTheFactsProbedOnceHoweverManyRuntimesStart() throws InterruptedException {
        List<String> lines = new ArrayList<>();
        List<Boolean> warnings = new ArrayList<>();
        NettyModeReport report = new NettyModeReport((warn, line) -> {
            synchronized (lines) {
                lines.add(line);
                warnings.add(warn);
            }
        });
        AtomicInteger probes = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> starters = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            starters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                report.reportOnce(() -> {
                    probes.incrementAndGet();
                    return facts(25, JAVA25_DEFAULT, null, NativeAccess.ENABLED, EPOLL);
                });
            }));
        }
        go.countDown();
        for (Thread t : starters) {
            t.join();
        }
        report.reportOnce(() -> {
            probes.incrementAndGet();
            return facts(25, null, "allow", NativeAccess.ENABLED, EPOLL);
        });

        assertThat(probes).hasValue(1);
        assertThat(lines).singleElement().asString().contains("--sun-misc-unsafe-memory-access=allow");
        assertThat(warnings).containsExactly(true);
    }

    @Test
    void aRuntimeStartLogsTheJvmLine() {
        try (PooledRuntime runtime =
                PooledRuntime.builder().ioThreads(1).workerThreads(1).build()) {
            assertThat(runtime.name()).startsWith("pooled");
            assertThat(NettyModeReport.loggedInThisJvm()).isTrue();
        }
    }

    @Test
    void theProbedFactsAreThoseNettyReports() {
        Facts f = Facts.probe(List.of(Transport.epoll()));

        assertThat(f.javaVersion()).isEqualTo(Runtime.version().feature());
        assertThat(f.unsafeUnavailableBecause() == null)
                .isEqualTo(io.netty.util.internal.PlatformDependent.hasUnsafe());
        assertThat(f.nettyVersion())
                .isEqualTo(io.netty.util.Version.identify().get("netty-common").artifactVersion());
        assertThat(f.nativeAccessModule()).isEqualTo("ALL-UNNAMED");
        assertThat(f.transports()).singleElement().extracting(Transport::name).isEqualTo("epoll");
    }
}
