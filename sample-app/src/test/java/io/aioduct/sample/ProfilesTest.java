package io.aioduct.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.sample.testing.Quiet;
import io.aioduct.sample.testing.SampleApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One profile per runtime puts the default client on it; a command-line kind wins over the profile. */
class ProfilesTest {

    @AfterAll
    static void nothingLeft() {
        Quiet.assertNothingLeft();
    }

    @ParameterizedTest
    @CsvSource({"pooled, , pooled(", "virtual, , virtual", "io-uring, , io-uring", "virtual, io-uring, io-uring"})
    void profileChoosesTheRuntime(String profile, String kindArgument, String expectedRuntime) {
        String kind = kindArgument == null ? "" : "--aioduct.runtime.kind=" + kindArgument;
        try (SampleApp app = SampleApp.start("--spring.profiles.active=" + profile, kind)) {
            JsonNode client = JsonMapper.builder()
                    .build()
                    .readTree(SampleApp.get(app.url("/api/clients")).body())
                    .path("clients")
                    .get(0);
            assertThat(client.path("name").asString()).isEqualTo("default");
            assertThat(client.path("runtime").asString()).startsWith(expectedRuntime);
            assertThat(SampleApp.get(app.managementUrl("/actuator/aioduct")).body())
                    .contains("\"kind\":\"" + (kindArgument == null ? profile : kindArgument) + "\"");
        }
    }
}
