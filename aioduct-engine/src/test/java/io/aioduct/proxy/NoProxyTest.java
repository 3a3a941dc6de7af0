package io.aioduct.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.Origin;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code NO_PROXY} syntax: which origins each kind of entry sends direct, and which entries are refused. */
class NoProxyTest {

    private static Origin origin(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
        return new Origin("http", host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    @ParameterizedTest(name = "[{0}] {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // suffixes: bare, dot-prefixed and *.-prefixed all match the host and its subdomains only
                "example.com       | example.com:80         | true",
                "example.com       | api.example.com:443    | true",
                "example.com       | a.b.example.com:80     | true",
                "example.com       | badexample.com:80      | false",
                "example.com       | example.com.evil.io:80 | false",
                ".example.com      | example.com:80         | true",
                ".example.com      | api.example.com:80     | true",
                ".example.com      | badexample.com:80      | false",
                "*.example.com     | api.example.com:80     | true",
                "*.example.com     | example.com:80         | true",
                "example.com.      | api.example.com:80     | true",
                "api.example.com   | example.com:80         | false",
                "api.example.com   | api.example.com:80     | true",
                // case and a root dot on the origin
                "EXAMPLE.Com       | Api.Example.COM:80     | true",
                "example.com       | api.example.com.:80    | true",
                // ports
                "example.com:8443  | example.com:8443       | true",
                "example.com:8443  | example.com:443        | false",
                "example.com:8443  | api.example.com:8443   | true",
                // IPv4 literals and ranges
                "10.1.2.3          | 10.1.2.3:80            | true",
                "10.1.2.3          | 10.1.2.4:80            | false",
                "10.1.2.3:8080     | 10.1.2.3:8080          | true",
                "10.1.2.3:8080     | 10.1.2.3:80            | false",
                "10.0.0.0/8        | 10.200.3.4:80          | true",
                "10.0.0.0/8        | 11.0.0.1:80            | false",
                "192.168.1.0/24    | 192.168.1.255:80       | true",
                "192.168.1.0/24    | 192.168.2.1:80         | false",
                "172.16.0.0/12     | 172.31.255.1:80        | true",
                "172.16.0.0/12     | 172.32.0.1:80          | false",
                "0.0.0.0/0         | 8.8.8.8:80             | true",
                "0.0.0.0/0         | [2001:db8::1]:80       | false",
                "10.0.0.0/8:443    | 10.1.1.1:443           | true",
                "10.0.0.0/8:443    | 10.1.1.1:80            | false",
                // a range never resolves a name
                "10.0.0.0/8        | ten.example:80         | false",
                // IPv6 literals (any spelling) and ranges
                "2001:db8::1       | [2001:db8::1]:80       | true",
                "2001:db8::1       | [2001:db8:0:0:0:0:0:1]:80 | true",
                "[2001:db8::1]     | [2001:db8::1]:80       | true",
                "[2001:db8::1]:8080 | [2001:db8::1]:8080    | true",
                "[2001:db8::1]:8080 | [2001:db8::1]:80      | false",
                "2001:db8::/32     | [2001:db8:ffff::7]:80  | true",
                "2001:db8::/32     | [2001:db9::7]:80       | false",
                "fd00::/8          | [fd12:3456::1]:80      | true",
                "::1/128           | [::1]:80               | true",
                "::1/128           | [::2]:80               | false",
                // an IPv4-mapped IPv6 origin is its IPv4 address
                "10.0.0.0/8        | [::ffff:10.1.2.3]:80   | true",
                // a host rule does not match an address, nor an address rule a host
                "example.com       | 93.184.216.34:80       | false",
                "93.184.216.34     | example.com:80         | false",
                // everything
                "*                 | anything.example:80    | true",
                "*                 | [2001:db8::1]:80       | true",
            })
    void anEntryMatchesTheOriginsItNames(String entry, String origin, boolean bypass) {
        assertThat(NoProxy.parse(entry).matches(origin(origin))).isEqualTo(bypass);
    }

    @Test
    void entriesAreSeparatedByCommasAndWhiteSpaceAndEmptyOnesAreSkipped() {
        NoProxy noProxy = NoProxy.parse(" internal.example ,, 10.0.0.0/8\t.corp.example\n[::1]:81 , ");

        assertThat(noProxy.matches(origin("a.internal.example:80"))).isTrue();
        assertThat(noProxy.matches(origin("10.9.9.9:80"))).isTrue();
        assertThat(noProxy.matches(origin("x.corp.example:443"))).isTrue();
        assertThat(noProxy.matches(origin("example.org:80"))).isFalse();
        assertThat(noProxy).hasToString("internal.example,10.0.0.0/8,.corp.example,[::1]:81");
    }

    @Test
    void aStarAnywhereInTheListSendsEveryOriginDirect() {
        assertThat(NoProxy.parse("example.com, *").matches(origin("other.org:443")))
                .isTrue();
    }

    @Test
    void anEmptyListBypassesOnlyLoopback() {
        NoProxy empty = NoProxy.parse("  ");

        assertThat(empty).isEqualTo(NoProxy.LOOPBACK);
        assertThat(empty.matches(origin("example.com:80"))).isFalse();
        assertThat(empty.matches(origin("localhost:8080"))).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        "localhost:80",
        "LOCALHOST:8080",
        "app.localhost:80",
        "127.0.0.1:80",
        "127.9.8.7:443",
        "[::1]:80",
        "[0:0:0:0:0:0:0:1]:80",
        "[::ffff:127.0.0.1]:80"
    })
    void loopbackBypassesUnlessTheProxyIsToBeUsedForItToo(String loopback) {
        NoProxy bypass = NoProxy.of(List.of("example.com"));

        assertThat(bypass.bypassesLoopback()).isTrue();
        assertThat(bypass.matches(origin(loopback))).isTrue();
        assertThat(bypass.proxyingLoopback().matches(origin(loopback))).isFalse();
        assertThat(NoProxy.LOOPBACK.proxyingLoopback().matches(origin(loopback)))
                .isFalse();
    }

    @ParameterizedTest
    @CsvSource({"localhost.example:80", "128.0.0.1:80", "[::2]:80", "mylocalhost:80"})
    void onlyLoopbackIsLoopback(String notLoopback) {
        assertThat(NoProxy.LOOPBACK.matches(origin(notLoopback))).isFalse();
    }

    @Test
    void aListedLoopbackHostStillBypassesWhenLoopbackIsProxied() {
        NoProxy bypass = NoProxy.parse("localhost,127.0.0.1").proxyingLoopback();

        assertThat(bypass.matches(origin("localhost:80"))).isTrue();
        assertThat(bypass.matches(origin("127.0.0.1:80"))).isTrue();
        assertThat(bypass.matches(origin("127.0.0.2:80"))).isFalse();
        assertThat(bypass).hasToString("localhost,127.0.0.1 (loopback proxied)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "example.com:0       | has a port that is not a number in 1..65535",
                "example.com:65536   | has a port that is not a number in 1..65535",
                "example.com:http    | has a port that is not a number in 1..65535",
                "10.0.0.0/33         | has a prefix length that is not a number in 0..32",
                "2001:db8::/129      | has a prefix length that is not a number in 0..128",
                "10.0.0.0/x          | has a prefix length that is not a number in 0..32",
                "example.com/8       | is not a CIDR range",
                "[::1                | has '[' without ']'",
                "[::1]x              | has text after ']' that is not ':port'",
                "[example.com]       | has brackets around something that is not IPv6",
                "2001:db8:::1        | is not a valid IPv6 address",
                "ex*ample.com        | has a '*' inside it",
                "http://example.com  | is a URL: write the host alone",
                "exa%mple.com        | is not a host name, address or CIDR range",
                "a..example.com      | has an empty label",
                "*.                  | has no host",
            })
    void aBadEntryIsRefusedNamingItAndWhatIsWrong(String entry, String problem) {
        assertThatThrownBy(() -> NoProxy.parse("ok.example, " + entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-proxy entry '" + entry + "'")
                .hasMessageContaining(problem);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "1.2.3.4          | true",
                "255.255.255.255  | true",
                "1.2.3            | false",
                "1.2.3.4.5        | false",
                "1.2.3.256        | false",
                "01.2.3.4         | false",
                "1.2.3.-4         | false",
                "::               | true",
                "::1              | true",
                "1::              | true",
                "1:2:3:4:5:6:7:8  | true",
                "1:2:3:4:5:6:7::  | true",
                "1:2:3:4:5:6:7:8:9 | false",
                "1:2:3:4:5:6:7    | false",
                "1::2::3          | false",
                ":::              | false",
                "12345::          | false",
                "g::1             | false",
                "::ffff:1.2.3.4   | true",
                "1:2:3:4:5:6:1.2.3.4 | true",
                "1.2.3.4::        | false",
                "fe80::1%eth0     | false",
            })
    void addressLiteralsAreReadAsTextOnly(String text, boolean isAddress) {
        assertThat(IpLiteral.parse(text) != null).as(text).isEqualTo(isAddress);
    }
}
