package io.aioduct.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.ConnectFailedException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The decisions of a Happy Eyeballs race whose addresses keep arriving (RFC 8305 §3), without sockets or
 * clocks: the resolution delay's hold, late addresses joining the order, and when the race is over.
 */
class LateAddressesRulesTest {
    private static final InetAddress V4A = address("10.0.0.1");
    private static final InetAddress V4B = address("10.0.0.2");
    private static final InetAddress V6A = address("2001:db8::1");
    private static final InetAddress V6B = address("2001:db8::2");

    /** Lookups the test answers by hand. */
    private final Lookups lookups = new Lookups();

    @Test
    void anAAnswerAloneWaitsForTheResolutionDelayThenStartsWithIpv4() {
        HappyEyeballs race = race(List.of(V4A));

        assertThat(race.holding()).isTrue();
        assertThat(race.start()).as("nothing starts while holding").isEqualTo(-1);

        assertThat(race.resolutionDelayElapsed()).isTrue();
        assertThat(race.start()).isZero();
        assertThat(race.remote(0).getAddress()).isEqualTo(V4A);
        assertThat(race.resolutionDelayElapsed()).as("a second firing is stale").isFalse();
    }

    @Test
    void anAaaaAnswerDuringTheHoldStartsAtOnceWithIpv6First() {
        HappyEyeballs race = race(List.of(V4A, V4B));

        lookups.answers.addresses(List.of(V6A));
        assertThat(race.more(lookups.resolution.addresses(), false)).isTrue();

        assertThat(race.holding()).isFalse();
        assertThat(race.start()).isZero();
        assertThat(race.remote(0).getAddress()).isEqualTo(V6A);
        assertThat(race.delayElapsed(0)).isTrue();
        assertThat(race.start()).isEqualTo(1);
        assertThat(race.remote(1).getAddress()).isEqualTo(V4A);
        assertThat(race.resolutionDelayElapsed())
                .as("the hold's timer, firing late")
                .isFalse();
    }

    @Test
    void theEndOfTheLookupsReleasesTheHold() {
        HappyEyeballs race = race(List.of(V4A));

        lookups.answers.failed(new UnknownHostException("AAAA: SERVFAIL"));
        assertThat(race.more(lookups.resolution.addresses(), false)).isFalse();
        assertThat(race.holding()).as("a failure alone changes nothing").isTrue();

        lookups.answers.complete();
        assertThat(race.more(lookups.resolution.addresses(), true)).isTrue();
        assertThat(race.start()).isZero();
    }

    @Test
    void anAaaaAnswerFirstStartsWithoutAnyHold() {
        HappyEyeballs race = race(List.of(V6A));

        assertThat(race.holding()).isFalse();
        assertThat(race.start()).isZero();
        assertThat(race.timerWanted(0)).as("more addresses may come").isTrue();
        assertThat(race.delayElapsed(0)).as("nothing known to start yet").isFalse();

        lookups.answers.addresses(List.of(V4A));
        assertThat(race.more(lookups.resolution.addresses(), false))
                .as("the delay of the latest already elapsed: the late address starts at once")
                .isTrue();
        assertThat(race.start()).isEqualTo(1);
        assertThat(race.remote(1).getAddress()).isEqualTo(V4A);
    }

    @Test
    void aLateAddressWaitsForTheStaggerOfTheLatestAttempt() {
        HappyEyeballs race = race(List.of(V6A));
        race.start();

        lookups.answers.addresses(List.of(V4A, V4B));
        assertThat(race.more(lookups.resolution.addresses(), false)).isFalse();
        assertThat(race.delayElapsed(0)).isTrue();
        assertThat(race.start()).isEqualTo(1);
        assertThat(race.remote(1).getAddress()).isEqualTo(V4A);
    }

    @Test
    void lateAddressesInterleaveWithTheUntriedOnesFromTheLatestFamily() {
        HappyEyeballs race = race(List.of(V6A, V6B));
        race.start(); // V6A

        lookups.answers.addresses(List.of(V4A, V4B));
        race.more(lookups.resolution.addresses(), true);

        assertThat(race.size()).isEqualTo(4);
        assertThat(List.of(race.remote(1), race.remote(2), race.remote(3)))
                .extracting(a -> a.getAddress())
                .containsExactly(V4A, V6B, V4B);
    }

    @Test
    void runningOutOfAddressesIsNotTheEndWhileLookupsAreOut() {
        HappyEyeballs race = race(List.of(V6A));
        race.start();
        race.failed(0, new ConnectException("refused"));

        assertThat(race.start()).isEqualTo(-1);
        assertThat(race.exhausted()).as("the A answer may still come").isFalse();

        lookups.answers.addresses(List.of(V4A));
        assertThat(race.more(lookups.resolution.addresses(), false))
                .as("after a failure the next starts at once")
                .isTrue();
        assertThat(race.start()).isEqualTo(1);
        race.failed(1, new ConnectException("refused"));
        assertThat(race.exhausted()).isFalse();

        lookups.answers.complete();
        assertThat(race.more(lookups.resolution.addresses(), true)).isFalse();
        assertThat(race.exhausted()).isTrue();
        assertThat(race.failure()).hasMessageContaining("10.0.0.1").hasMessageContaining("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void aFailedLookupIsSuppressedInTheRaceFailure() {
        HappyEyeballs race = race(List.of(V6A));
        race.start();
        UnknownHostException aaaaOnly = new UnknownHostException("A: SERVFAIL");
        lookups.answers.failed(aaaaOnly);
        lookups.answers.complete();
        race.more(lookups.resolution.addresses(), true);
        race.failed(0, new ConnectException("refused"));

        assertThat(race.exhausted()).isTrue();
        assertThat(race.failure().getSuppressed()).containsExactly(aaaaOnly);
    }

    @Test
    void knownAddressesArriveAgainWithoutEffect() {
        HappyEyeballs race = race(List.of(V6A));
        race.start();

        assertThat(race.more(List.of(V6A), false)).isFalse();
        assertThat(race.size()).isEqualTo(1);
    }

    @Test
    void aZeroResolutionDelayNeverHolds() {
        SocketConfig config =
                config(List.of(V4A)).toBuilder().resolutionDelay(Duration.ZERO).build();
        HappyEyeballs race = new HappyEyeballs(config);

        assertThat(race.holding()).isFalse();
        assertThat(race.start()).isZero();
    }

    @Test
    void bothLookupsFailingNameTheHostAndBothCauses() {
        UnknownHostException a = new UnknownHostException("A: SERVFAIL");
        UnknownHostException aaaa = new UnknownHostException("AAAA: timed out");
        lookups.answers.failed(a);
        lookups.answers.failed(aaaa);
        lookups.answers.complete();

        assertThat(lookups.resolution.firstAnswer().toCompletableFuture())
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(ConnectFailedException.class)
                .withMessageContaining("race.test")
                .withMessageContaining("A: SERVFAIL")
                .withMessageContaining("AAAA: timed out")
                .satisfies(e -> {
                    assertThat(e.getCause()).isSameAs(a);
                    assertThat(e.getSuppressed()).containsExactly(aaaa);
                });
    }

    @Test
    void aResolverWithOnlyResolveAnswersInOneBatch() throws Exception {
        Resolver plain = host -> CompletableFuture.completedFuture(List.of(V6A, V4A));
        Resolution r = Resolution.start(plain, "race.test");

        assertThat(r.isComplete()).isTrue();
        assertThat(r.firstAnswer().toCompletableFuture().get()).containsExactly(V6A, V4A);
    }

    // ---- helpers ----

    private HappyEyeballs race(List<InetAddress> known) {
        lookups.answers.addresses(known);
        return new HappyEyeballs(config(known));
    }

    private SocketConfig config(List<InetAddress> known) {
        return SocketConfig.builder()
                .host("race.test")
                .port(443)
                .addresses(known)
                .resolving(lookups.resolution)
                .build();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A resolution whose answers the test gives by hand. */
    private static final class Lookups {
        Resolver.Answers answers;
        final Resolution resolution = Resolution.start(
                new Resolver() {
                    @Override
                    public java.util.concurrent.CompletionStage<List<InetAddress>> resolve(String host) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public void resolveEach(String host, Answers answers) {
                        Lookups.this.answers = answers;
                    }
                },
                "race.test");
    }
}
