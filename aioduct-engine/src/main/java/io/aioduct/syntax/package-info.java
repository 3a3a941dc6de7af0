/**
 * HTTP syntax rules shared by the API and both protocols: URL parsing, header name and value
 * validation, reason phrases, a compact header map. Not exported.
 */
@NullMarked
package io.aioduct.syntax;

import org.jspecify.annotations.NullMarked;
