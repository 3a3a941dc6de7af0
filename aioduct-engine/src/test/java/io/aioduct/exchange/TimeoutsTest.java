package io.aioduct.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Request;
import io.aioduct.TimedOutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class TimeoutsTest {
    private static final long MS = 1_000_000;

    private record Spec(long response, long read, long deadline, long total) implements ExchangeSpec {
        @Override
        public Request request() {
            return Request.builder("GET", "http://localhost/t").build();
        }

        @Override
        public @Nullable String userAgent() {
            return null;
        }

        @Override
        public long responseTimeoutNanos() {
            return response;
        }

        @Override
        public long readTimeoutNanos() {
            return read;
        }

        @Override
        public long totalDeadlineNanos() {
            return deadline;
        }

        @Override
        public long totalTimeoutNanos() {
            return total;
        }

        @Override
        public long maxBufferedBody() {
            return Long.MAX_VALUE;
        }
    }

    @Test
    void noTimeoutSetMeansNoDeadlineAndNothingFires() {
        Spec s = new Spec(0, 0, 0, 0);
        assertThat(Timeouts.nextDeadline(s, 0, 0, true, false)).isEqualTo(Long.MAX_VALUE);
        assertThat(Timeouts.fired(s, Long.MAX_VALUE / 2, 0, 0, true, false)).isNull();
    }

    @Test
    void theResponseTimeoutRunsOnlyUntilTheHeadStarts() {
        Spec s = new Spec(100 * MS, 0, 0, 0);
        assertThat(Timeouts.nextDeadline(s, 10 * MS, 10 * MS, true, false)).isEqualTo(110 * MS);
        assertThat(Timeouts.fired(s, 109 * MS, 10 * MS, 10 * MS, true, false)).isNull();
        TimedOutException e = Timeouts.fired(s, 110 * MS, 10 * MS, 10 * MS, true, false);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(TimedOutException.Kind.RESPONSE);
        assertThat(e).hasMessageContaining("waiting for the response head of GET http://localhost:80/t");
        assertThat(Timeouts.nextDeadline(s, 10 * MS, 10 * MS, false, false)).isEqualTo(Long.MAX_VALUE);
        assertThat(Timeouts.fired(s, 500 * MS, 10 * MS, 10 * MS, false, false)).isNull();
    }

    @Test
    void theReadTimeoutRunsFromTheLastByteAndPausesWithTheReader() {
        Spec s = new Spec(0, 50 * MS, 0, 0);
        assertThat(Timeouts.nextDeadline(s, 0, 200 * MS, false, false)).isEqualTo(250 * MS);
        TimedOutException e = Timeouts.fired(s, 250 * MS, 0, 200 * MS, false, false);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(TimedOutException.Kind.READ);
        assertThat(e).hasMessageContaining("reading the response body of");
        assertThat(Timeouts.nextDeadline(s, 0, 200 * MS, false, true)).isEqualTo(Long.MAX_VALUE);
        assertThat(Timeouts.fired(s, 900 * MS, 0, 200 * MS, false, true)).isNull();
    }

    @Test
    void theTotalTimeoutWinsATieAndBoundsEverything() {
        Spec s = new Spec(100 * MS, 100 * MS, 100 * MS, 100 * MS);
        assertThat(Timeouts.nextDeadline(s, 0, 0, true, false)).isEqualTo(100 * MS);
        TimedOutException e = Timeouts.fired(s, 100 * MS, 0, 0, true, false);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(TimedOutException.Kind.TOTAL);
        assertThat(Timeouts.nextDeadline(s, 0, 0, false, true)).isEqualTo(100 * MS);
    }

    @Test
    void theNearestDeadlineComesFirst() {
        Spec s = new Spec(300 * MS, 50 * MS, 1000 * MS, 1000 * MS);
        assertThat(Timeouts.nextDeadline(s, 0, 0, true, false)).isEqualTo(50 * MS);
        assertThat(Timeouts.fired(s, 50 * MS, 0, 0, true, false).kind()).isEqualTo(TimedOutException.Kind.READ);
    }
}
