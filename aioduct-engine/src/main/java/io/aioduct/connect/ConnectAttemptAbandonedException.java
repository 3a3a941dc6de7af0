package io.aioduct.connect;

import io.aioduct.ConnectFailedException;

/**
 * What a {@link ConnectObserver} is told about a connect attempt that was given up because another address of
 * the same host connected first (Happy Eyeballs, RFC 8305): not a failure of the host, so metrics can count it
 * apart. It reaches observers and listeners only, never a caller: the connection that won is used.
 */
public final class ConnectAttemptAbandonedException extends ConnectFailedException {

    public ConnectAttemptAbandonedException(String message) {
        super(message, null);
    }
}
