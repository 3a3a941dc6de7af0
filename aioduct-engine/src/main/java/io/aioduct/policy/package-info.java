/**
 * The client's built-in policies, each one concern with its own switch on {@code AioductClient.Builder}:
 * what to follow (redirects, authentication challenges), what to retry, which cookies to keep, how to
 * decode bodies. This package holds their settings and the interfaces a user may implement (a cookie
 * store, an authenticator); the client runs them in one fixed order, documented in docs/policies.md.
 */
@NullMarked
package io.aioduct.policy;

import org.jspecify.annotations.NullMarked;
