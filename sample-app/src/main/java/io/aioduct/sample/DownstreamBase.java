package io.aioduct.sample;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.util.DefaultUriBuilderFactory;
import org.springframework.web.util.UriBuilderFactory;

/**
 * Where the downstream endpoints are: this app's own server, on the address it listens on. Resolved on first
 * use, because the port ({@code local.server.port}) is known only once the server has started.
 */
@Component
class DownstreamBase {

    private final Environment environment;
    private volatile @Nullable URI base;
    private volatile @Nullable UriBuilderFactory factory;
    private volatile @Nullable UriBuilderFactory tlsFactory;

    private final TlsDownstream tls;

    DownstreamBase(Environment environment, TlsDownstream tls) {
        this.environment = environment;
        this.tls = tls;
    }

    URI base() {
        URI uri = base;
        if (uri == null) {
            String port = environment.getProperty("local.server.port");
            if (port == null) {
                throw new IllegalStateException("the app's server has not started yet: no local.server.port");
            }
            String host = environment.getProperty("server.address", "127.0.0.1");
            if (host.contains(":") && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            uri = URI.create("http://" + host + ":" + port);
            base = uri;
        }
        return uri;
    }

    URI uri(Endpoint endpoint, long delayMs) {
        if (endpoint == Endpoint.TLS) {
            return URI.create("https://" + base().getRawAuthority().replaceFirst(":[0-9]+$", "") + ":" + tls.port()
                    + "/downstream/small");
        }
        String path = "/downstream/" + endpoint.id();
        return base().resolve(endpoint == Endpoint.SLOW ? path + "?delayMs=" + delayMs : path);
    }

    /** The TLS downstream's base, for {@link DownstreamApi#small} over HTTPS. */
    UriBuilderFactory tlsUriBuilderFactory() {
        UriBuilderFactory f = tlsFactory;
        if (f == null) {
            f = new DefaultUriBuilderFactory(uri(Endpoint.TLS, 0).resolve("/").toString());
            tlsFactory = f;
        }
        return f;
    }

    /** The base as the {@link UriBuilderFactory} argument of {@link DownstreamApi}'s methods. */
    UriBuilderFactory uriBuilderFactory() {
        UriBuilderFactory f = factory;
        if (f == null) {
            f = new DefaultUriBuilderFactory(base().toString());
            factory = f;
        }
        return f;
    }
}
