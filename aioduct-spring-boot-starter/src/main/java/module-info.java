import org.jspecify.annotations.NullMarked;

/**
 * The aioduct Spring Boot starter: auto-configuration, {@code aioduct.*} properties, Spring's HTTP client
 * adapters, the Micrometer binding and the actuator endpoint.
 *
 * <p>Spring, Reactor and Micrometer ship no module descriptors; their jars declare stable
 * {@code Automatic-Module-Name}s, which are what this module requires. Reactor, Micrometer, WebFlux (for WebClient's
 * observation convention) and the actuator
 * are optional ({@code requires static}, transitive where their types appear in this module's API):
 * each part of the starter that uses one is configured only when
 * its classes are present. The auto-configuration packages are open to Spring, which instantiates
 * configuration classes and package-private factories (the failure analyzer) reflectively.
 */
@NullMarked
module io.aioduct.spring {
    requires static transitive org.jspecify;
    requires transitive io.aioduct;
    requires transitive spring.core;
    requires transitive spring.beans;
    requires transitive spring.context;
    requires transitive spring.web;
    requires transitive spring.boot;
    requires transitive spring.boot.autoconfigure;
    requires transitive spring.boot.http.client;
    requires org.slf4j;
    // The reactive response reads Set-Cookie with Netty's ClientCookieDecoder, as Reactor Netty does.
    requires io.netty.codec.http;
    requires static transitive reactor.core;
    requires static org.reactivestreams;
    requires static transitive micrometer.core;
    requires static transitive micrometer.observation;
    requires static transitive micrometer.commons;
    requires static transitive spring.webflux;
    requires static transitive spring.boot.health;
    requires static transitive spring.boot.actuator;
    requires static transitive spring.boot.actuator.autoconfigure;
    requires static com.fasterxml.jackson.annotation;

    exports io.aioduct.spring.autoconfigure;
    exports io.aioduct.spring.http;
    exports io.aioduct.spring.metrics;
    exports io.aioduct.spring.metrics.autoconfigure;
    exports io.aioduct.spring.actuate;
    exports io.aioduct.spring.actuate.autoconfigure;

    opens io.aioduct.spring.autoconfigure to
            spring.core,
            spring.beans,
            spring.context,
            spring.boot;
    opens io.aioduct.spring.metrics.autoconfigure to
            spring.core,
            spring.beans,
            spring.context;
    opens io.aioduct.spring.actuate.autoconfigure to
            spring.core,
            spring.beans,
            spring.context;
}
