package io.aioduct.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PoolConfigTest {
    private static final PoolConfig D = PoolConfig.DEFAULT;

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(D.maxConnectionsPerOrigin()).isEqualTo(256);
        assertThat(D.maxIdlePerOrigin()).isEqualTo(256);
        assertThat(D.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(D.maxLifetime()).isEqualTo(Duration.ZERO);
        assertThat(D.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(D.maxPendingAcquires()).isEqualTo(1024);
        assertThat(D.evictionInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    static Stream<Arguments> invalidValues() {
        Duration minus = Duration.ofMillis(-1);
        return Stream.of(
                Arguments.of("maxConnectionsPerOrigin", (Supplier<PoolConfig>) () -> D.withMaxConnectionsPerOrigin(0)),
                Arguments.of("maxConnectionsPerOrigin", (Supplier<PoolConfig>) () -> D.withMaxConnectionsPerOrigin(-5)),
                Arguments.of("maxIdlePerOrigin", (Supplier<PoolConfig>) () -> D.withMaxIdlePerOrigin(-1)),
                Arguments.of("idleTimeout", (Supplier<PoolConfig>) () -> D.withIdleTimeout(minus)),
                Arguments.of("maxLifetime", (Supplier<PoolConfig>) () -> D.withMaxLifetime(minus)),
                Arguments.of("acquireTimeout", (Supplier<PoolConfig>) () -> D.withAcquireTimeout(minus)),
                Arguments.of("maxPendingAcquires", (Supplier<PoolConfig>) () -> D.withMaxPendingAcquires(-1)),
                Arguments.of("evictionInterval", (Supplier<PoolConfig>) () -> D.withEvictionInterval(minus)),
                Arguments.of("evictionInterval", (Supplier<PoolConfig>) () -> D.withEvictionInterval(Duration.ZERO)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void anInvalidValueIsRejectedWithTheFieldNamed(String field, Supplier<PoolConfig> build) {
        assertThatThrownBy(build::get)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(field + " must");
    }

    static Stream<Arguments> nullDurations() {
        return Stream.of(
                Arguments.of("idleTimeout", (Supplier<PoolConfig>) () -> D.withIdleTimeout(null)),
                Arguments.of("maxLifetime", (Supplier<PoolConfig>) () -> D.withMaxLifetime(null)),
                Arguments.of("acquireTimeout", (Supplier<PoolConfig>) () -> D.withAcquireTimeout(null)),
                Arguments.of("evictionInterval", (Supplier<PoolConfig>) () -> D.withEvictionInterval(null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullDurations")
    void aNullDurationIsRejectedWithTheFieldNamed(String field, Supplier<PoolConfig> build) {
        assertThatThrownBy(build::get).isInstanceOf(NullPointerException.class).hasMessage(field);
    }

    @Test
    void theMessageShowsTheRejectedValue() {
        assertThatThrownBy(() -> D.withMaxPendingAcquires(-7)).hasMessage("maxPendingAcquires must be >= 0, was -7");
        assertThatThrownBy(() -> D.withIdleTimeout(Duration.ofSeconds(-2)))
                .hasMessage("idleTimeout must not be negative, was PT-2S");
    }

    @Test
    void zeroIsAllowedWhereItMeansNoneOrNoLimit() {
        PoolConfig c = D.withMaxIdlePerOrigin(0)
                .withIdleTimeout(Duration.ZERO)
                .withMaxLifetime(Duration.ZERO)
                .withAcquireTimeout(Duration.ZERO)
                .withMaxPendingAcquires(0);

        assertThat(c.maxIdlePerOrigin()).isZero();
        assertThat(c.idleTimeout()).isZero();
        assertThat(c.maxLifetime()).isZero();
        assertThat(c.acquireTimeout()).isZero();
        assertThat(c.maxPendingAcquires()).isZero();
    }

    @Test
    void eachWitherChangesOnlyItsOwnField() {
        PoolConfig c = D.withMaxIdlePerOrigin(7);
        assertThat(c)
                .isEqualTo(new PoolConfig(
                        256, 7, D.idleTimeout(), D.maxLifetime(), D.acquireTimeout(), 1024, D.evictionInterval()));
        assertThat(D.withIdleTimeout(Duration.ofSeconds(5)).idleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(D.withMaxLifetime(Duration.ofMinutes(5)).maxLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(D.withAcquireTimeout(Duration.ofSeconds(2)).acquireTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(D.withMaxPendingAcquires(3).maxPendingAcquires()).isEqualTo(3);
        assertThat(D.withEvictionInterval(Duration.ofMillis(250)).evictionInterval())
                .isEqualTo(Duration.ofMillis(250));
        assertThat(D.maxIdlePerOrigin()).as("DEFAULT is untouched").isEqualTo(256);
    }

    @Test
    void loweringTheConnectionLimitAlsoLowersTheIdleLimit() {
        PoolConfig c = D.withMaxConnectionsPerOrigin(4);

        assertThat(c.maxConnectionsPerOrigin()).isEqualTo(4);
        assertThat(c.maxIdlePerOrigin()).isEqualTo(4);
        assertThat(D.withMaxIdlePerOrigin(2).withMaxConnectionsPerOrigin(4).maxIdlePerOrigin())
                .as("a smaller idle limit is kept")
                .isEqualTo(2);
    }
}
