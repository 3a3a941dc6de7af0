/**
 * Spring's HTTP client contracts on the aioduct engine: the blocking {@link
 * io.aioduct.spring.http.AioductClientHttpRequestFactory} (RestClient, RestTemplate, HTTP service
 * interfaces), the reactive {@link io.aioduct.spring.http.AioductClientHttpConnector} (WebClient), the
 * Spring Boot builders that make them from {@code HttpClientSettings}, and the redirect policy those
 * settings ask for (cookies are the engine's: {@code AioductClient.Builder.cookieStore}).
 */
@NullMarked
package io.aioduct.spring.http;

import org.jspecify.annotations.NullMarked;
