/** Implementation details shared across the engine's packages. Not API: may change in any release. */
@NullMarked
package io.aioduct.internal;

import org.jspecify.annotations.NullMarked;
