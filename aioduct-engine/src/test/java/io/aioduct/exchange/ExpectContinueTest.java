package io.aioduct.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Request;
import io.aioduct.RequestBody;
import java.io.ByteArrayInputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Which requests hold their body back for a 100 (Continue), and for how long. */
class ExpectContinueTest {
    private static final long TIMEOUT = 1_000_000_000L;

    private record Spec(Request request, long expectContinueTimeoutNanos) implements ExchangeSpec {
        @Override
        public @Nullable String userAgent() {
            return null;
        }

        @Override
        public long responseTimeoutNanos() {
            return 0;
        }

        @Override
        public long readTimeoutNanos() {
            return 0;
        }

        @Override
        public long totalDeadlineNanos() {
            return 0;
        }

        @Override
        public long totalTimeoutNanos() {
            return 0;
        }

        @Override
        public long maxBufferedBody() {
            return 0;
        }
    }

    private static long wait(Request.Builder request) {
        return ExpectContinue.waitNanos(new Spec(request.build(), TIMEOUT));
    }

    private static Request.Builder post(@Nullable RequestBody body) {
        return Request.builder("POST", "http://localhost/u").body(body);
    }

    @Test
    void aRequestWithContentThatExpectsContinueWaits() {
        assertThat(wait(post(RequestBody.ofString("x")).header("Expect", "100-continue")))
                .isEqualTo(TIMEOUT);
        assertThat(wait(post(RequestBody.ofString("x")).header("expect", " 100-Continue ")))
                .as("the value is case-insensitive")
                .isEqualTo(TIMEOUT);
        assertThat(wait(post(RequestBody.ofInputStream(new ByteArrayInputStream(new byte[3]), -1))
                        .header("Expect", "100-continue")))
                .as("a streamed body of unknown length")
                .isEqualTo(TIMEOUT);
    }

    @Test
    void nothingElseWaits() {
        assertThat(wait(post(RequestBody.ofString("x")))).as("no Expect").isZero();
        assertThat(wait(post(RequestBody.ofString("x")).header("Expect", "something-else")))
                .isZero();
        assertThat(wait(post(null).header("Expect", "100-continue")))
                .as("no body")
                .isZero();
        assertThat(wait(post(RequestBody.ofBytes(new byte[0])).header("Expect", "100-continue")))
                .as("empty body")
                .isZero();
        Request expecting =
                post(RequestBody.ofString("x")).header("Expect", "100-continue").build();
        assertThat(ExpectContinue.waitNanos(new Spec(expecting, 0)))
                .as("zero timeout")
                .isZero();
    }

    @Test
    void heldUntilIsNeverZero() {
        assertThat(ExpectContinue.heldUntil(-5, 5)).isEqualTo(1);
        assertThat(ExpectContinue.heldUntil(10, 5)).isEqualTo(15);
    }
}
