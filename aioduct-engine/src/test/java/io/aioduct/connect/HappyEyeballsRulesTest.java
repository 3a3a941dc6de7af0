package io.aioduct.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.ConnectFailedException;
import io.aioduct.TimedOutException;
import io.aioduct.engine.EngineConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decisions of a Happy Eyeballs race (RFC 8305), without sockets or clocks: the address order, when
 * the next attempt starts, who wins, what is left to cancel, and the settings' validation.
 */
class HappyEyeballsRulesTest {
    private static final InetAddress V4A = address("10.0.0.1");
    private static final InetAddress V4B = address("10.0.0.2");
    private static final InetAddress V6A = address("2001:db8::1");
    private static final InetAddress V6B = address("2001:db8::2");
    private static final InetAddress V6C = address("2001:db8::3");

    @Test
    void familiesAlternateStartingWithThePreferredOne() {
        List<InetAddress> resolved = List.of(V6A, V6B, V6C, V4A, V4B);

        assertThat(order(resolved, AddressPreference.AS_RESOLVED)).containsExactly(V6A, V4A, V6B, V4B, V6C);
        assertThat(order(resolved, AddressPreference.IPV4_FIRST)).containsExactly(V4A, V6A, V4B, V6B, V6C);
        assertThat(order(resolved, AddressPreference.IPV6_FIRST)).containsExactly(V6A, V4A, V6B, V4B, V6C);
        assertThat(order(List.of(V4B, V4A), AddressPreference.IPV6_FIRST))
                .as("one family keeps the resolver's order")
                .containsExactly(V4B, V4A);
    }

    @Test
    void theNextAttemptStartsWhenTheLatestOnesDelayElapses() {
        HappyEyeballs race = race(V4A, V4B, V6A);

        assertThat(race.start()).isZero();
        assertThat(race.delayElapsed(0)).isTrue();
        assertThat(race.start()).isEqualTo(1);
        assertThat(race.delayElapsed(0)).as("a stale timer").isFalse();
        assertThat(race.delayElapsed(1)).isTrue();
        assertThat(race.start()).isEqualTo(2);
        assertThat(race.hasMore()).isFalse();
        assertThat(race.delayElapsed(2)).as("nothing left to start").isFalse();
        assertThat(race.start()).isEqualTo(-1);
    }

    @Test
    void aFailureStartsTheNextAtOnceAndMakesTheEarlierTimerStale() {
        HappyEyeballs race = race(V4A, V4B, V6A);
        race.start();

        assertThat(race.failed(0, new ConnectException("refused"))).isTrue();
        assertThat(race.exhausted()).isFalse();
        assertThat(race.start()).isEqualTo(1);
        assertThat(race.delayElapsed(0)).isFalse();
        assertThat(race.delayElapsed(1)).isTrue();
    }

    @Test
    void theFirstToConnectWinsAndThePendingAreLeftToCancel() {
        HappyEyeballs race = race(V4A, V4B, V6A);
        race.start();
        race.start();
        race.start();

        assertThat(race.connected(1)).isTrue();
        assertThat(race.isOver()).isTrue();
        assertThat(race.stop()).containsExactly(0, 2);
        assertThat(race.connected(2))
                .as("connecting after the race ended: close it, report nothing")
                .isFalse();
        assertThat(race.failed(0, new IOException("closed")))
                .as("already reported")
                .isFalse();
        assertThat(race.start()).isEqualTo(-1);
        // Attempt 1 is the IPv6 address: the families alternate.
        assertThat(race.lostTo(1).getMessage()).contains("2001:db8:0:0:0:0:0:1", "connected first");
    }

    @Test
    void everyAddressFailingIsOneErrorNamingThemAll() {
        HappyEyeballs race = race(V4A, V6A);
        race.start();
        race.failed(0, new ConnectException("refused 1"));
        race.start();
        race.failed(1, new ConnectException("refused 2"));

        assertThat(race.exhausted()).isTrue();
        assertThat(race.exhausted()).as("reported once").isFalse();
        ConnectFailedException e = race.failure();
        assertThat(e.getMessage()).contains("h.test:8080", "10.0.0.1", "2001:db8:0:0:0:0:0:1", "refused 1");
        assertThat(e.getCause()).hasMessage("refused 1");
        assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("refused 2");
    }

    @Test
    void aTimeoutNamesTheAddressesStartedAndEndsThePending() {
        HappyEyeballs race = race(V4A, V4B, V6A);
        race.start();
        race.start();

        TimedOutException e = race.timedOut();
        assertThat(e.kind()).isEqualTo(TimedOutException.Kind.CONNECT);
        assertThat(e.getMessage()).contains("10.0.0.1, 2001:db8:0:0:0:0:0:1").doesNotContain("10.0.0.2");
        assertThat(race.stop()).containsExactly(0, 1);
        assertThat(race.stop()).isEmpty();
    }

    @Test
    void aZeroDelayStartsEveryAddressAtOnce() {
        HappyEyeballs race = new HappyEyeballs(config(Duration.ZERO, V4A, V4B));
        assertThat(race.allAtOnce()).isTrue();
        assertThat(race(V4A, V4B).allAtOnce()).isFalse();
    }

    @Test
    void theDelayIsZeroOrAtLeastTenMilliseconds() {
        SocketConfig.Builder b = SocketConfig.builder();
        assertThat(b.build().happyEyeballsDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(b.happyEyeballsDelay(Duration.ZERO).build().happyEyeballsDelay())
                .isZero();
        assertThat(b.happyEyeballsDelay(Duration.ofMillis(10)).build().happyEyeballsDelay())
                .isEqualTo(Duration.ofMillis(10));
        assertThatThrownBy(() -> b.happyEyeballsDelay(Duration.ofMillis(9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10 ms");
        assertThatThrownBy(() -> b.happyEyeballsDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(EngineConfig.builder()
                        .happyEyeballsDelay(Duration.ofMillis(100))
                        .build()
                        .socket()
                        .happyEyeballsDelay())
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void keepAliveSettingsAreCheckedAgainstLinuxsRanges() {
        SocketConfig.Builder b = SocketConfig.builder();
        assertThatThrownBy(() -> b.keepAliveIdle(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.keepAliveInterval(Duration.ofSeconds(32768)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.keepAliveCount(128)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.keepAliveCount(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.keepAliveIdle(Duration.ofMillis(1)).build().keepAliveIdle())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(b.keepAliveIdle(null).build().keepAliveIdle()).isNull();
    }

    private static List<InetAddress> order(List<InetAddress> resolved, AddressPreference preference) {
        return SocketConfig.builder()
                .addresses(resolved)
                .addressPreference(preference)
                .build()
                .addresses();
    }

    private static HappyEyeballs race(InetAddress... addresses) {
        return new HappyEyeballs(config(SocketConfig.DEFAULT_HAPPY_EYEBALLS_DELAY, addresses));
    }

    private static SocketConfig config(Duration delay, InetAddress... addresses) {
        return SocketConfig.builder()
                .host("h.test")
                .port(8080)
                .addresses(List.of(addresses))
                .happyEyeballsDelay(delay)
                .build();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theRemoteOfAnAttemptIsItsAddressOnThePort() {
        assertThat(race(V4A, V6A).remote(1)).isEqualTo(new InetSocketAddress(V6A, 8080));
    }
}
