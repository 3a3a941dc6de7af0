package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The JDK resolver, moved off event loops. */
final class SystemResolver implements Resolver {
    static final SystemResolver INSTANCE = new SystemResolver();

    @Override
    public CompletionStage<List<InetAddress>> resolve(String host) {
        if (isLiteral(host) || Thread.currentThread().isVirtual()) {
            try {
                return CompletableFuture.completedFuture(lookup(host));
            } catch (ConnectFailedException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<List<InetAddress>> result = new CompletableFuture<>();
        Thread.ofVirtual().name("aioduct-dns").start(() -> {
            try {
                result.complete(lookup(host));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static List<InetAddress> lookup(String host) {
        try {
            return Arrays.asList(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            throw new ConnectFailedException("cannot resolve host '" + host + "': " + e.getMessage(), e);
        }
    }

    /** IPv4 dotted quads and IPv6 literals need no lookup; getAllByName parses them directly. */
    static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        int dots = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }
}
