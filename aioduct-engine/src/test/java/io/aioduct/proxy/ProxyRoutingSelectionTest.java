package io.aioduct.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.Origin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/** An explicit proxy with a bypass list, and a {@link ProxySelector} (the JVM's own included) as routing. */
class ProxyRoutingSelectionTest {

    private static final Origin HTTPS = new Origin("https", "api.example.com", 443);
    private static final Origin HTTP = new Origin("http", "api.example.com", 8080);
    private static final Origin LOOPBACK = new Origin("http", "127.0.0.1", 8080);

    /** A selector that records what it is asked and answers what {@code answer} says. */
    private static final class RecordingSelector extends ProxySelector {
        final List<URI> asked = new ArrayList<>();
        private final Function<URI, List<java.net.Proxy>> answer;

        RecordingSelector(Function<URI, List<java.net.Proxy>> answer) {
            this.answer = answer;
        }

        @Override
        public List<java.net.Proxy> select(URI uri) {
            asked.add(uri);
            return answer.apply(uri);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            throw new AssertionError("not called");
        }
    }

    private static java.net.Proxy jdk(java.net.Proxy.Type type, String host, int port) {
        return new java.net.Proxy(type, InetSocketAddress.createUnresolved(host, port));
    }

    @Test
    void anExplicitProxyIsBypassedForListedOriginsAndLoopback() {
        Proxy proxy = Proxy.http("proxy.corp", 3128).withCredentials("bob", "secret");
        ProxyRouting routing = ProxyRouting.of(proxy, NoProxy.parse("internal.corp"));

        assertThat(routing.proxyFor(HTTPS)).isSameAs(proxy);
        assertThat(routing.proxyFor(new Origin("https", "git.internal.corp", 443)))
                .isNull();
        assertThat(routing.proxyFor(LOOPBACK)).isNull();
        assertThat(routing).hasToString("http://bob@proxy.corp:3128 bypassing [internal.corp]");
        assertThat(routing.toString()).doesNotContain("secret");
    }

    @Test
    void loopbackGoesThroughAnExplicitProxyWhenAsked() {
        Proxy proxy = Proxy.socks5("proxy.corp", 1080);

        assertThat(ProxyRouting.of(proxy, NoProxy.LOOPBACK.proxyingLoopback()).proxyFor(LOOPBACK))
                .isSameAs(proxy);
        assertThat(ProxyRouting.of(proxy, NoProxy.LOOPBACK).proxyFor(LOOPBACK)).isNull();
        assertThat(ProxyRouting.always(proxy).proxyFor(LOOPBACK)).isSameAs(proxy);
        assertThat(ProxyRouting.of(proxy, NoProxy.LOOPBACK)).hasToString("socks5://proxy.corp:1080 (loopback direct)");
    }

    @Test
    void aBypassListGoesInFrontOfAnyRouting() {
        ProxyRouting inner = origin -> Proxy.http("proxy.corp", 3128);
        ProxyRouting routing = ProxyRouting.bypassing(NoProxy.parse("api.example.com:8080"), inner);

        assertThat(routing.proxyFor(HTTP)).isNull();
        assertThat(routing.proxyFor(HTTPS)).isEqualTo(Proxy.http("proxy.corp", 3128));
    }

    @Test
    void theSelectorIsAskedForSchemeHostAndPortAndItsFirstAnswerIsUsed() {
        RecordingSelector selector = new RecordingSelector(uri -> List.of(
                jdk(java.net.Proxy.Type.HTTP, "proxy.corp", 3128), jdk(java.net.Proxy.Type.HTTP, "backup.corp", 3128)));
        ProxyRouting routing = ProxyRouting.fromSelector(selector);

        assertThat(routing.proxyFor(HTTPS)).isEqualTo(Proxy.http("proxy.corp", 3128));
        assertThat(routing.proxyFor(new Origin("http", "2001:db8::1", 80))).isEqualTo(Proxy.http("proxy.corp", 3128));
        assertThat(selector.asked)
                .containsExactly(URI.create("https://api.example.com:443"), URI.create("http://[2001:db8::1]:80"));
    }

    @Test
    void socksIsSocks5AndDirectOrNoAnswerIsDirect() {
        ProxyRouting socks = ProxyRouting.fromSelector(
                new RecordingSelector(uri -> List.of(jdk(java.net.Proxy.Type.SOCKS, "s", 1))));
        ProxyRouting direct = ProxyRouting.fromSelector(new RecordingSelector(uri -> List.of(java.net.Proxy.NO_PROXY)));
        ProxyRouting empty = ProxyRouting.fromSelector(new RecordingSelector(uri -> List.of()));

        assertThat(socks.proxyFor(HTTPS)).isEqualTo(Proxy.socks5("s", 1));
        assertThat(direct.proxyFor(HTTPS)).isNull();
        assertThat(empty.proxyFor(HTTPS)).isNull();
    }

    @Test
    void aResolvedProxyAddressKeepsTheNameItWasGivenWithoutALookup() {
        InetSocketAddress resolved = new InetSocketAddress("127.0.0.1", 3128);
        ProxyRouting routing = ProxyRouting.fromSelector(
                new RecordingSelector(uri -> List.of(new java.net.Proxy(java.net.Proxy.Type.HTTP, resolved))));

        assertThat(routing.proxyFor(HTTPS)).isEqualTo(Proxy.http("127.0.0.1", 3128));
    }

    @Test
    void aSelectorThatAnswersAnAddressWeCannotUseFailsNamingIt() {
        // java.net.Proxy's constructor takes only an InetSocketAddress, but a subclass may answer anything.
        SocketAddress odd = new SocketAddress() {
            @Override
            public String toString() {
                return "odd-address";
            }
        };
        java.net.Proxy oddProxy = new java.net.Proxy(java.net.Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", 1)) {
            @Override
            public SocketAddress address() {
                return odd;
            }

            @Override
            public String toString() {
                return "HTTP @ odd-address";
            }
        };
        ProxyRouting routing = ProxyRouting.fromSelector(new RecordingSelector(uri -> List.of(oddProxy)));

        assertThatThrownBy(() -> routing.proxyFor(HTTPS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("odd-address")
                .hasMessageContaining("https://api.example.com:443");
    }

    @Test
    void theJdksBuiltInSelectorReadsTheProxySystemPropertiesEachTimeItIsAsked() {
        // ProxySelector.of is the JDK's selector over one fixed proxy; the default one is checked below.
        ProxyRouting fixed = ProxyRouting.fromSelector(ProxySelector.of(new InetSocketAddress("127.0.0.1", 3128)));
        assertThat(fixed.proxyFor(HTTPS)).isEqualTo(Proxy.http("127.0.0.1", 3128));
    }

    @Test
    @ResourceLock(Resources.SYSTEM_PROPERTIES)
    void theDefaultSelectorFollowsTheSystemPropertiesAsTheyAreWhenAsked() {
        Properties saved = (Properties) System.getProperties().clone();
        ProxyRouting system = ProxyRouting.system();
        try {
            assertThat(system.proxyFor(HTTPS)).as("no proxy properties").isNull();

            System.setProperty("https.proxyHost", "secure.proxy.test");
            System.setProperty("https.proxyPort", "8443");
            System.setProperty("http.proxyHost", "plain.proxy.test");
            System.setProperty("http.proxyPort", "3128");
            System.setProperty("http.nonProxyHosts", "*.internal.test|localhost");

            assertThat(system.proxyFor(HTTPS)).isEqualTo(Proxy.http("secure.proxy.test", 8443));
            assertThat(system.proxyFor(HTTP)).isEqualTo(Proxy.http("plain.proxy.test", 3128));
            assertThat(system.proxyFor(new Origin("http", "git.internal.test", 80)))
                    .isNull();

            System.clearProperty("https.proxyHost");
            System.clearProperty("http.proxyHost");
            System.setProperty("socksProxyHost", "socks.proxy.test");
            System.setProperty("socksProxyPort", "1081");
            assertThat(system.proxyFor(HTTPS)).isEqualTo(Proxy.socks5("socks.proxy.test", 1081));
        } finally {
            for (String key : List.of(
                    "https.proxyHost",
                    "https.proxyPort",
                    "http.proxyHost",
                    "http.proxyPort",
                    "http.nonProxyHosts",
                    "socksProxyHost",
                    "socksProxyPort")) {
                String before = saved.getProperty(key);
                if (before == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, before);
                }
            }
        }
        assertThat(system.proxyFor(HTTPS)).as("properties restored").isNull();
    }
}
