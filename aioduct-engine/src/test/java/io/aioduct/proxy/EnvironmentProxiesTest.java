package io.aioduct.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.Origin;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code ALL_PROXY} and {@code NO_PROXY} read from a given environment. */
class EnvironmentProxiesTest {

    private static final Origin HTTP = new Origin("http", "api.example.com", 80);
    private static final Origin HTTPS = new Origin("https", "api.example.com", 443);

    @Test
    void eachSchemeHasItsVariableAndAllProxyFillsIn() {
        EnvironmentProxies env = ProxyRouting.fromEnvironment(
                Map.of("HTTP_PROXY", "http://plain.proxy:3128", "ALL_PROXY", "socks5://fallback.proxy:1080"));

        assertThat(env.proxyFor(HTTP)).isEqualTo(Proxy.http("plain.proxy", 3128));
        assertThat(env.proxyFor(HTTPS)).isEqualTo(Proxy.socks5("fallback.proxy", 1080));
        assertThat(ProxyRouting.fromEnvironment(Map.of("https_proxy", "secure.proxy:8080"))
                        .proxyFor(HTTP))
                .isNull();
    }

    @Test
    void noVariablesMeansEveryConnectionGoesDirect() {
        EnvironmentProxies env = ProxyRouting.fromEnvironment(Map.of("PATH", "/usr/bin", "HTTP_PROXY", " "));

        assertThat(env.isEmpty()).isTrue();
        assertThat(env.proxyFor(HTTP)).isNull();
        assertThat(env.proxyFor(HTTPS)).isNull();
    }

    @Test
    void theLowerCaseNameWinsOverTheUpperCaseOne() {
        EnvironmentProxies env = ProxyRouting.fromEnvironment(Map.of(
                "https_proxy", "lower.proxy:1",
                "HTTPS_PROXY", "upper.proxy:2",
                "http_proxy", "",
                "HTTP_PROXY", "upper.proxy:3",
                "no_proxy", "lower.example",
                "NO_PROXY", "api.example.com"));

        assertThat(env.https()).isEqualTo(Proxy.http("lower.proxy", 1));
        assertThat(env.http()).as("an empty lower-case value counts as unset").isEqualTo(Proxy.http("upper.proxy", 3));
        assertThat(env.proxyFor(HTTPS)).as("no_proxy, not NO_PROXY").isEqualTo(Proxy.http("lower.proxy", 1));
    }

    @Test
    void upperCaseHttpProxyIsIgnoredInACgiProgram() {
        // httpoxy: a CGI program gets the request's Proxy header as HTTP_PROXY.
        Map<String, String> cgi = Map.of("REQUEST_METHOD", "GET", "HTTP_PROXY", "attacker.example:80");
        assertThat(ProxyRouting.fromEnvironment(cgi).proxyFor(HTTP)).isNull();
        assertThat(ProxyRouting.fromEnvironment(Map.of("REQUEST_METHOD", "GET", "http_proxy", "ok.proxy:3128"))
                        .proxyFor(HTTP))
                .isEqualTo(Proxy.http("ok.proxy", 3128));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "proxy.corp                      | http://proxy.corp:80",
                "proxy.corp:3128                 | http://proxy.corp:3128",
                "http://proxy.corp               | http://proxy.corp:80",
                "HTTP://Proxy.Corp:3128/         | http://proxy.corp:3128",
                "socks5://proxy.corp             | socks5://proxy.corp:1080",
                "socks5h://proxy.corp:9050       | socks5://proxy.corp:9050",
                "socks4://proxy.corp             | socks4a://proxy.corp:1080",
                "socks4a://proxy.corp:1081       | socks4a://proxy.corp:1081",
                "http://[::1]:3128               | http://[::1]:3128",
                "http://10.0.0.5:8080            | http://10.0.0.5:8080",
                "http://bob:secret@proxy.corp:3128 | http://bob@proxy.corp:3128",
            })
    void everySchemeAndDefaultPort(String value, String proxy) {
        assertThat(ProxyRouting.fromEnvironment(Map.of("ALL_PROXY", value)).https())
                .hasToString(proxy);
    }

    @Test
    void credentialsArePercentDecoded() {
        Proxy proxy = ProxyRouting.fromEnvironment(
                        Map.of("HTTPS_PROXY", "http://d%C3%A9v%40corp:p%3Ass%2Fw%25rd+1@proxy.corp:3128"))
                .https();

        assertThat(proxy.username()).isEqualTo("dév@corp");
        assertThat(proxy.password()).as("+ stays +").isEqualTo("p:ss/w%rd+1");
    }

    @Test
    void anUnescapedSlashOrAtInThePasswordStillReads() {
        Proxy proxy = ProxyRouting.fromEnvironment(Map.of("HTTPS_PROXY", "http://bob:a/b@c#d@proxy.corp:3128"))
                .https();

        assertThat(proxy.password()).isEqualTo("a/b@c#d");
        assertThat(proxy.host()).isEqualTo("proxy.corp");
    }

    @Test
    void aUserWithoutAPasswordHasAnEmptyOneAndSocks4TakesAUserIdOnly() {
        assertThat(ProxyRouting.fromEnvironment(Map.of("ALL_PROXY", "socks4a://me@proxy.corp"))
                        .https())
                .isEqualTo(Proxy.socks4("proxy.corp", 1080).withCredentials("me", ""));
        assertThat(ProxyRouting.fromEnvironment(Map.of("ALL_PROXY", "http://me@proxy.corp:1"))
                        .https()
                        .password())
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "HTTPS_PROXY | https://proxy.corp:443         | an https:// proxy (TLS to the proxy itself) is not supported",
                "https_proxy | ftp://proxy.corp               | the scheme 'ftp' is not one of http, socks5",
                "HTTP_PROXY  | http://proxy.corp:0            | the port is not a number in 1..65535",
                "HTTP_PROXY  | http://proxy.corp:99999        | the port is not a number in 1..65535",
                "HTTP_PROXY  | http://proxy.corp:abc          | the port is not a number in 1..65535",
                "ALL_PROXY   | http://:3128                   | there is no host",
                "ALL_PROXY   | socks5://                      | there is no host",
                "ALL_PROXY   | http://proxy.corp:3128/path    | a proxy URL has no path, query or fragment",
                "ALL_PROXY   | http://proxy.corp:3128?x=1     | a proxy URL has no path, query or fragment",
                "ALL_PROXY   | http://::1:3128                | an IPv6 host must be in brackets",
                "ALL_PROXY   | http://[::1:3128               | the IPv6 host has '[' without ']'",
                "ALL_PROXY   | http://[::1]3128               | text after the IPv6 host is not ':port'",
                "ALL_PROXY   | http://pro xy:3128             | the host has a character a host name cannot have",
                "ALL_PROXY   | http://:pw@proxy.corp:3128     | the credentials have an empty username",
                "ALL_PROXY   | http://bob:%zzpw@proxy.corp:1  | the credentials have a '%' not followed by two hex digits",
                "ALL_PROXY   | http://bob:%ffpw@proxy.corp:1  | the percent-decoded credentials are not UTF-8",
                "ALL_PROXY   | http://b%3Ab:pw@proxy.corp:1   | an HTTP proxy's username must not contain ':'",
                "ALL_PROXY   | http://bob:p%0Aw@proxy.corp:1  | proxy password contains a control character",
                "ALL_PROXY   | socks4://bob:pw@proxy.corp     | a SOCKS4 proxy takes a user id only, no password",
                "NO_PROXY    | 10.0.0.0/40                    | no-proxy entry '10.0.0.0/40' has a prefix length",
            })
    void aBadValueIsRefusedNamingTheVariableWithoutItsPassword(String variable, String value, String problem) {
        assertThatThrownBy(() -> ProxyRouting.fromEnvironment(Map.of(variable, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(variable + (variable.equals("NO_PROXY") ? ": " : "="))
                .hasMessageContaining(problem)
                .message()
                .doesNotContain("pw");
    }

    @Test
    void theMessageShowsTheValueWithThePasswordMasked() {
        assertThatThrownBy(() -> ProxyRouting.fromEnvironment(Map.of("HTTPS_PROXY", "https://bob:s3cr/et@proxy:1")))
                .hasMessageStartingWith("HTTPS_PROXY=https://bob:****@proxy:1: ")
                .message()
                .doesNotContain("s3cr");
    }

    @Test
    void noProxyEntriesGoDirect() {
        EnvironmentProxies env = ProxyRouting.fromEnvironment(Map.of(
                "HTTPS_PROXY", "proxy.corp:3128",
                "HTTP_PROXY", "proxy.corp:3128",
                "NO_PROXY", ".internal.corp, 10.0.0.0/8, api.example.com:80"));

        assertThat(env.proxyFor(new Origin("https", "git.internal.corp", 443))).isNull();
        assertThat(env.proxyFor(new Origin("https", "10.3.2.1", 8443))).isNull();
        assertThat(env.proxyFor(HTTP)).as("port 80 listed").isNull();
        assertThat(env.proxyFor(HTTPS)).as("port 443 not listed").isEqualTo(Proxy.http("proxy.corp", 3128));
        assertThat(ProxyRouting.fromEnvironment(Map.of("HTTPS_PROXY", "proxy.corp:3128", "no_proxy", "*"))
                        .proxyFor(HTTPS))
                .isNull();
    }

    @Test
    void loopbackGoesDirectUnlessIncluded() {
        EnvironmentProxies env = ProxyRouting.fromEnvironment(Map.of("ALL_PROXY", "socks5://proxy.corp"));
        Origin local = new Origin("http", "127.0.0.1", 8080);
        Origin localhost = new Origin("https", "localhost", 8443);

        assertThat(env.proxyFor(local)).isNull();
        assertThat(env.proxyFor(localhost)).isNull();
        assertThat(env.noProxy().bypassesLoopback()).isTrue();
        EnvironmentProxies included = env.includingLoopback();
        assertThat(included.proxyFor(local)).isEqualTo(Proxy.socks5("proxy.corp", 1080));
        assertThat(included.proxyFor(localhost)).isEqualTo(Proxy.socks5("proxy.corp", 1080));
    }

    @Test
    void toStringNeverShowsAPassword() {
        EnvironmentProxies env = ProxyRouting.fromEnvironment(
                Map.of("HTTPS_PROXY", "http://bob:hunter2@proxy.corp:3128", "NO_PROXY", "internal"));

        assertThat(env)
                .hasToString(
                        "environment proxies (http: direct, https: http://bob@proxy.corp:3128, no_proxy: internal)");
    }
}
