package io.aioduct.runtime;

import io.aioduct.AioductException;
import org.jspecify.annotations.Nullable;

/**
 * A runtime cannot run on this machine (for example io_uring is missing or disabled). The cause says
 * why, as the native transport reported it.
 */
public class RuntimeUnavailableException extends AioductException {

    public RuntimeUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
