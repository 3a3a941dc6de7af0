/**
 * The aioduct sample application: downstream endpoints it serves itself on loopback, gateway endpoints that
 * call them through every Spring HTTP client on the aioduct engine, and a dashboard page that runs a bounded
 * load on a chosen client (runtime) and charts the app's own meters.
 */
@NullMarked
package io.aioduct.sample;

import org.jspecify.annotations.NullMarked;
