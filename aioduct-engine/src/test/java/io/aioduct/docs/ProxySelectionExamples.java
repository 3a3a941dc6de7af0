package io.aioduct.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Aioduct;
import io.aioduct.Origin;
import io.aioduct.engine.EngineConfig;
import io.aioduct.engine.HttpEngine;
import io.aioduct.proxy.EnvironmentProxies;
import io.aioduct.proxy.NoProxy;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyRouting;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The code of docs/proxies-selection.md, run: which proxy each origin gets. No request goes anywhere. */
class ProxySelectionExamples {

    private static final Origin GITHUB = new Origin("https", "api.github.com", 443);
    private static final Origin WIKI = new Origin("https", "wiki.internal.example", 443);

    @Test
    void anExplicitProxyAndTheHostsThatBypassIt() {
        // tag::explicit[]
        Proxy proxy = Proxy.http("proxy.corp.example", 3128).withCredentials("build-bot", "s3cret");
        ProxyRouting routing = ProxyRouting.of(proxy, NoProxy.parse(".internal.example, 10.0.0.0/8"));
        try (HttpEngine engine =
                Aioduct.pooled(EngineConfig.builder().proxy(routing).build())) {
            // https://api.github.com goes through the proxy (a CONNECT tunnel);
            // https://wiki.internal.example, http://10.1.2.3 and http://localhost go direct.
            // end::explicit[]
            assertThat(engine.config().proxy().proxyFor(GITHUB)).isEqualTo(proxy);
            assertThat(engine.config().proxy().proxyFor(WIKI)).isNull();
        }
    }

    @Test
    void loopbackThroughTheProxyToo() {
        // tag::loopback[]
        Proxy proxy = Proxy.socks5("127.0.0.1", 1080); // say, an SSH tunnel: ssh -D 1080 bastion
        ProxyRouting everything = ProxyRouting.of(proxy, NoProxy.LOOPBACK.proxyingLoopback());
        // end::loopback[]
        assertThat(everything.proxyFor(new Origin("http", "localhost", 8080))).isEqualTo(proxy);
    }

    @Test
    void theEnvironmentVariables() {
        Map<String, String> env = Map.of(
                "https_proxy", "http://build-bot:s3cret@proxy.corp.example:3128",
                "NO_PROXY", ".internal.example,10.0.0.0/8");
        // tag::environment[]
        EnvironmentProxies fromEnv = ProxyRouting.fromEnvironment(env); // or fromEnvironment(): System.getenv()
        System.out.println(fromEnv);
        // environment proxies (http: direct, https: http://build-bot@proxy.corp.example:3128,
        //                      no_proxy: .internal.example,10.0.0.0/8)
        EngineConfig config = EngineConfig.builder().proxy(fromEnv).build();
        // end::environment[]
        assertThat(config.proxy().proxyFor(GITHUB))
                .isEqualTo(Proxy.http("proxy.corp.example", 3128).withCredentials("build-bot", "s3cret"));
        assertThat(config.proxy().proxyFor(WIKI)).isNull();
    }

    @Test
    void aProxySelector() {
        // tag::selector[]
        ProxyRouting jvm = ProxyRouting.system(); // -Dhttps.proxyHost=... -Dhttp.nonProxyHosts=...
        ProxyRouting mine = ProxyRouting.fromSelector(
                ProxySelector.of(InetSocketAddress.createUnresolved("proxy.corp.example", 3128)));
        // end::selector[]
        assertThat(mine.proxyFor(GITHUB)).isEqualTo(Proxy.http("proxy.corp.example", 3128));
        assertThat(jvm).isNotNull();
    }
}
