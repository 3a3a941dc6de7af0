/**
 * Body plumbing shared by both protocols and both drivers: the response body's buffer and source,
 * the request body's failure marker, abandon detection. Not exported.
 */
@NullMarked
package io.aioduct.body;

import org.jspecify.annotations.NullMarked;
