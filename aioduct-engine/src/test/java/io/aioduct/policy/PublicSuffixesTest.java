package io.aioduct.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The public-suffix rules: the list's format, and the shipped list's well-known entries. */
class PublicSuffixesTest {
    private final PublicSuffixes shipped = PublicSuffixes.shipped();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "com",
                "co.uk",
                "uk",
                "github.io",
                "b.kawasaki.jp",
                "appspot.com",
                "中国",
                "xn--fiqs8s",
                "localhost",
                "nosuchtld"
            })
    void publicSuffixesOfTheShippedList(String domain) {
        assertThat(shipped.isPublicSuffix(domain)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "example.co.uk",
                "me.github.io",
                "city.kawasaki.jp",
                "a.b.kawasaki.jp",
                "google.中国"
            })
    void registrableDomainsOfTheShippedList(String domain) {
        assertThat(shipped.isPublicSuffix(domain)).isFalse();
    }

    @Test
    void theListFormatHasRulesWildcardsExceptionsAndComments() throws IOException {
        PublicSuffixes list = PublicSuffixes.parse(new BufferedReader(new StringReader("""
                // a comment
                com
                *.ck
                !www.ck

                example.net anything after a space is ignored
                """)));
        assertThat(list.isPublicSuffix("com")).isTrue();
        assertThat(list.isPublicSuffix("a.com")).isFalse();
        assertThat(list.isPublicSuffix("any.ck")).isTrue();
        assertThat(list.isPublicSuffix("www.ck")).isFalse();
        assertThat(list.isPublicSuffix("example.net")).isTrue();
        assertThat(list.isPublicSuffix("net")).as("the implicit * rule").isTrue();
    }
}
