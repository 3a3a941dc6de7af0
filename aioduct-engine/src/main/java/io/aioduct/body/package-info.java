/**
 * Body plumbing shared by both protocols and both drivers: the response body's buffer and source,
 * the request body's source (one pull face for the blocking drivers, one demand face for the loop
 * drivers) and its failure marker, abandon detection. Not exported.
 */
@NullMarked
package io.aioduct.body;

import org.jspecify.annotations.NullMarked;
