package io.aioduct.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Origin;
import io.aioduct.engine.HttpEngine;
import io.aioduct.proxy.Proxy;
import io.aioduct.proxy.ProxyRouting;
import io.aioduct.spring.testing.NoLeaks;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * {@code aioduct.proxy.*} reaches the engine's {@link ProxyRouting}: an explicit proxy, the environment, the
 * JVM's selector, and their precedence; a bad value fails start-up naming the property, and no password
 * shows in the failure or the log.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProxyPropertiesTest extends NoLeaks {

    private static final Origin HTTPS = new Origin("https", "api.example.com", 443);
    private static final Origin HTTP = new Origin("http", "api.example.com", 80);
    private static final Origin INTERNAL = new Origin("https", "git.internal.corp", 443);
    private static final Origin LOOPBACK = new Origin("http", "127.0.0.1", 8080);

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AioductAutoConfiguration.class));

    /** The runner with {@code env} as the process environment Spring sees. */
    private ApplicationContextRunner withEnvironment(Map<String, Object> env) {
        return runner.withInitializer(context -> context.getEnvironment()
                .getPropertySources()
                .replace(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env)));
    }

    private static ProxyRouting routing(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        return context.getBean(HttpEngine.class).config().proxy();
    }

    @Test
    void withNoProxyPropertiesEveryConnectionIsDirectEvenWithProxyVariablesSet() {
        withEnvironment(Map.of("HTTPS_PROXY", "http://env.proxy:3128"))
                .run(context -> assertThat(routing(context)).isSameAs(ProxyRouting.DIRECT));
    }

    @Test
    void anExplicitHttpProxyWithCredentialsAndBypassListReachesTheEngine(CapturedOutput output) {
        runner.withPropertyValues(
                        "aioduct.proxy.host=proxy.corp",
                        "aioduct.proxy.port=3128",
                        "aioduct.proxy.username=bob",
                        "aioduct.proxy.password=hunter2",
                        "aioduct.proxy.non-proxy-hosts=.internal.corp, 10.0.0.0/8",
                        "aioduct.proxy.tunnel-all=true")
                .run(context -> {
                    ProxyRouting routing = routing(context);
                    Proxy expected = Proxy.http("proxy.corp", 3128)
                            .withCredentials("bob", "hunter2")
                            .tunnellingAll();
                    assertThat(routing.proxyFor(HTTPS)).isEqualTo(expected);
                    assertThat(routing.proxyFor(HTTP)).isEqualTo(expected);
                    assertThat(routing.proxyFor(INTERNAL)).isNull();
                    assertThat(routing.proxyFor(new Origin("http", "10.1.2.3", 80)))
                            .isNull();
                    assertThat(routing.proxyFor(LOOPBACK))
                            .as("loopback bypasses")
                            .isNull();
                });
        assertThat(output)
                .contains(
                        "aioduct: proxy http://bob@proxy.corp:3128 bypassing [.internal.corp,10.0.0.0/8] (aioduct.proxy.host)");
        assertThat(output).doesNotContain("hunter2");
    }

    @Test
    void socksTypesAndIncludeLoopback() {
        runner.withPropertyValues(
                        "aioduct.proxy.type=socks5",
                        "aioduct.proxy.host=socks.corp",
                        "aioduct.proxy.port=1080",
                        "aioduct.proxy.include-loopback=true")
                .run(context -> {
                    assertThat(routing(context).proxyFor(HTTPS)).isEqualTo(Proxy.socks5("socks.corp", 1080));
                    assertThat(routing(context).proxyFor(LOOPBACK)).isEqualTo(Proxy.socks5("socks.corp", 1080));
                });
        runner.withPropertyValues(
                        "aioduct.proxy.type=socks4",
                        "aioduct.proxy.host=socks.corp",
                        "aioduct.proxy.port=1080",
                        "aioduct.proxy.username=me")
                .run(context -> assertThat(routing(context).proxyFor(HTTPS))
                        .isEqualTo(Proxy.socks4("socks.corp", 1080).withCredentials("me", "")));
    }

    @Test
    void theEnvironmentIsReadOnlyWhenAskedAndNonProxyHostsAddToNoProxy() {
        Map<String, Object> env = Map.of(
                "https_proxy", "http://alice:s%40cret@env.proxy:3128",
                "HTTP_PROXY", "socks5://env.socks",
                "NO_PROXY", "internal.corp");
        withEnvironment(env)
                .withPropertyValues(
                        "aioduct.proxy.use-environment=true", "aioduct.proxy.non-proxy-hosts=api.example.com:80")
                .run(context -> {
                    ProxyRouting routing = routing(context);
                    assertThat(routing.proxyFor(HTTPS))
                            .isEqualTo(Proxy.http("env.proxy", 3128).withCredentials("alice", "s@cret"));
                    assertThat(routing.proxyFor(INTERNAL)).as("NO_PROXY").isNull();
                    assertThat(routing.proxyFor(HTTP)).as("non-proxy-hosts").isNull();
                    assertThat(routing.proxyFor(new Origin("http", "other.example", 80)))
                            .isEqualTo(Proxy.socks5("env.socks", 1080));
                    assertThat(routing.proxyFor(LOOPBACK)).isNull();
                });
        withEnvironment(env)
                .withPropertyValues("aioduct.proxy.use-environment=true", "aioduct.proxy.include-loopback=true")
                .run(context ->
                        assertThat(routing(context).proxyFor(LOOPBACK)).isEqualTo(Proxy.socks5("env.socks", 1080)));
    }

    @Test
    void anExplicitHostWinsOverTheEnvironmentAndTypeNoneTurnsEverythingOff() {
        Map<String, Object> env = Map.of("HTTPS_PROXY", "http://env.proxy:3128");
        withEnvironment(env)
                .withPropertyValues(
                        "aioduct.proxy.use-environment=true",
                        "aioduct.proxy.host=explicit.proxy",
                        "aioduct.proxy.port=8080")
                .run(context ->
                        assertThat(routing(context).proxyFor(HTTPS)).isEqualTo(Proxy.http("explicit.proxy", 8080)));
        withEnvironment(env)
                .withPropertyValues(
                        "aioduct.proxy.type=none",
                        "aioduct.proxy.use-environment=true",
                        "aioduct.proxy.host=explicit.proxy")
                .run(context -> assertThat(routing(context)).isSameAs(ProxyRouting.DIRECT));
    }

    @Test
    @ResourceLock(Resources.SYSTEM_PROPERTIES)
    void systemPropertiesWinOverTheEnvironment() {
        Properties saved = (Properties) System.getProperties().clone();
        try {
            System.setProperty("https.proxyHost", "jvm.proxy.test");
            System.setProperty("https.proxyPort", "8443");
            withEnvironment(Map.of("HTTPS_PROXY", "http://env.proxy:3128"))
                    .withPropertyValues(
                            "aioduct.proxy.use-environment=true",
                            "aioduct.proxy.use-system-properties=true",
                            "aioduct.proxy.non-proxy-hosts=api.example.com")
                    .run(context -> {
                        ProxyRouting routing = routing(context);
                        assertThat(routing.proxyFor(INTERNAL)).isEqualTo(Proxy.http("jvm.proxy.test", 8443));
                        assertThat(routing.proxyFor(HTTPS))
                                .as("non-proxy-hosts")
                                .isNull();
                        assertThat(routing.proxyFor(new Origin("https", "127.0.0.1", 8443)))
                                .as("loopback")
                                .isNull();
                    });
        } finally {
            for (String key : new String[] {"https.proxyHost", "https.proxyPort"}) {
                if (saved.getProperty(key) == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, saved.getProperty(key));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "aioduct.proxy.port=70000 & aioduct.proxy.host=p                | aioduct.proxy.port must be between 1 and 65535",
                "aioduct.proxy.port=0 & aioduct.proxy.host=p                    | aioduct.proxy.port must be between 1 and 65535",
                "aioduct.proxy.host=p                                           | aioduct.proxy.port must be set with aioduct.proxy.host",
                "aioduct.proxy.type=http                                        | aioduct.proxy.host must be set when aioduct.proxy.type=http",
                "aioduct.proxy.type=socks5 & aioduct.proxy.port=1080            | aioduct.proxy.host must be set when aioduct.proxy.type=socks5",
                "aioduct.proxy.port=3128                                        | aioduct.proxy.host must be set with aioduct.proxy.port",
                "aioduct.proxy.host=http://p:3128 & aioduct.proxy.port=3128     | aioduct.proxy.host must be a host name or address only",
                "aioduct.proxy.host=p:3128 & aioduct.proxy.port=3128            | aioduct.proxy.host must not hold the port",
                "aioduct.proxy.host=p & aioduct.proxy.port=1 & aioduct.proxy.username=bob | aioduct.proxy.password must be set with aioduct.proxy.username",
                "aioduct.proxy.host=p & aioduct.proxy.port=1 & aioduct.proxy.password=pw | aioduct.proxy.password needs aioduct.proxy.username",
                "aioduct.proxy.host=p & aioduct.proxy.port=1 & aioduct.proxy.username=a:b & aioduct.proxy.password=pw | aioduct.proxy.username is not usable: an HTTP proxy's username must not contain ':'",
                "aioduct.proxy.type=socks4 & aioduct.proxy.host=p & aioduct.proxy.port=1 & aioduct.proxy.username=u & aioduct.proxy.password=pw | aioduct.proxy.password must not be set for aioduct.proxy.type=socks4",
                "aioduct.proxy.username=bob & aioduct.proxy.use-environment=true | aioduct.proxy.username applies to the proxy aioduct.proxy.host names",
                "aioduct.proxy.type=socks5 & aioduct.proxy.host=p & aioduct.proxy.port=1 & aioduct.proxy.tunnel-all=true | aioduct.proxy.tunnel-all=true applies to an http proxy only",
                "aioduct.proxy.tunnel-all=true                                  | aioduct.proxy.tunnel-all=true needs aioduct.proxy.host",
                "aioduct.proxy.non-proxy-hosts=ok.corp,10.0.0.0/99              | aioduct.proxy.non-proxy-hosts[1] is not a host, address or range: no-proxy entry '10.0.0.0/99'",
            })
    void aBadValueFailsStartUpNamingTheProperty(String properties, String message) {
        runner.withPropertyValues(properties.split(" & ")).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message);
            assertThat(context.getStartupFailure()).hasStackTraceContaining(message);
            assertThat(context.getStartupFailure().toString() + rootMessage(context))
                    .doesNotContain("pw");
        });
    }

    @Test
    void anUnknownTypeFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("aioduct.proxy.type=ftp").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("aioduct.proxy.type")
                    .hasStackTraceContaining("ftp");
        });
    }

    private static String rootMessage(AssertableApplicationContext context) {
        Throwable t = context.getStartupFailure();
        StringBuilder all = new StringBuilder();
        while (t != null) {
            all.append(t.getMessage()).append('\n');
            t = t.getCause();
        }
        return all.toString();
    }

    @Test
    void aBadEnvironmentValueFailsStartUpNamingTheVariableAndThePropertyWithoutThePassword() {
        withEnvironment(Map.of("HTTPS_PROXY", "https://bob:hunter2@env.proxy:443"))
                .withPropertyValues("aioduct.proxy.use-environment=true")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(rootMessage(context))
                            .contains("aioduct.proxy.use-environment")
                            .contains("HTTPS_PROXY=https://bob:****@env.proxy:443")
                            .contains("an https:// proxy (TLS to the proxy itself) is not supported")
                            .doesNotContain("hunter2");
                });
    }
}
