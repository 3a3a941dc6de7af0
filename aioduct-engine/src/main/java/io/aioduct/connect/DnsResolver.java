package io.aioduct.connect;

import io.aioduct.ConnectFailedException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A resolver that asks DNS servers itself (Netty's {@link DnsNameResolver}), sending the A and the AAAA
 * query at once and handing each answer over as it arrives ({@link #resolveEach}), so a connect starts on
 * the first one (RFC 8305 §3) instead of waiting for the slower family. IP literals resolve without a query.
 *
 * <p>By default it reads the platform's configuration as Netty does: name servers, search domains and
 * {@code ndots} from {@code /etc/resolv.conf}, names from {@code /etc/hosts}; answers are cached for their
 * TTL. It is not the engine's default: {@link Resolver#system()} goes through the operating system (nsswitch,
 * mDNS, LDAP, a local caching daemon) and the JVM's own cache, which this resolver bypasses.
 *
 * <p>Threading: thread-safe; its sockets live on one event loop, by default a single daemon NIO thread
 * ({@code dns-resolver-aioduct}) shared by every {@code DnsResolver} of the JVM and started on first use, whatever
 * the engine's runtime (the virtual runtime has no loop of its own to lend). Answers are delivered on that
 * loop. {@link #close()} closes this resolver's sockets (not the shared thread); a closed resolver fails
 * every lookup. Failures: a query that times out or finds nothing fails its family with a {@link
 * ConnectFailedException} naming the host and the record type.
 */
public final class DnsResolver implements Resolver, AutoCloseable {
    private final EventLoop loop;
    private final DnsNameResolver ipv4;
    private final DnsNameResolver ipv6;
    private final String description;

    private DnsResolver(Builder b) {
        this.loop = SharedLoop.GROUP.next();
        DnsNameResolverBuilder netty = new DnsNameResolverBuilder(loop)
                .datagramChannelType(NioDatagramChannel.class)
                // Truncated UDP answers are asked again over TCP.
                .socketChannelType(NioSocketChannel.class)
                .queryTimeoutMillis(Math.max(1, b.queryTimeout.toMillis()))
                .nameServerProvider(
                        b.nameServers.isEmpty()
                                ? DnsServerAddressStreamProviders.platformDefault()
                                : new SequentialDnsServerAddressStreamProvider(b.nameServers))
                .hostsFileEntriesResolver(b.hostsFile ? HostsFileEntriesResolver.DEFAULT : NO_HOSTS_FILE);
        if (b.searchDomains != null) {
            netty.searchDomains(b.searchDomains);
        }
        this.ipv4 = netty.copy()
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
                .build();
        this.ipv6 = netty.copy()
                .resolvedAddressTypes(ResolvedAddressTypes.IPV6_ONLY)
                .build();
        this.description = "DnsResolver[" + (b.nameServers.isEmpty() ? "platform name servers" : b.nameServers)
                + ", queryTimeout=" + b.queryTimeout + "]";
    }

    private static final HostsFileEntriesResolver NO_HOSTS_FILE = (host, types) -> null;

    /** The platform's name servers and search domains, {@code /etc/hosts}, a 5 s query timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every address of {@code host}, once both queries answered (IPv6 or IPv4 first, as they arrived). */
    @Override
    public CompletionStage<List<InetAddress>> resolve(String host) {
        return Resolution.start(this, host).all();
    }

    /**
     * Sends the A and AAAA queries at once; each answer (or failure) reaches {@code answers} on the resolver's
     * loop as it arrives, then {@link Answers#complete()}. An IP literal is one answer at once.
     */
    @Override
    public void resolveEach(String host, Answers answers) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(answers, "answers");
        if (SystemResolver.isLiteral(host)) {
            try {
                answers.addresses(List.of(InetAddress.getByName(host)));
            } catch (UnknownHostException e) {
                answers.failed(new ConnectFailedException("cannot resolve host '" + host + "': " + e.getMessage(), e));
            }
            answers.complete();
            return;
        }
        Object lock = new Object();
        int[] left = {2};
        for (DnsNameResolver family : List.of(ipv6, ipv4)) {
            String type = family == ipv6 ? "AAAA" : "A";
            Future<List<InetAddress>> query;
            try {
                query = family.resolveAll(host);
            } catch (RuntimeException e) {
                query = loop.newFailedFuture(e);
            }
            query.addListener(f -> {
                // Both queries complete on the same loop, but the contract wants the calls one after another
                // whatever the thread, so they are serialised here rather than relied upon.
                synchronized (lock) {
                    if (f.isSuccess()) {
                        @SuppressWarnings("unchecked")
                        List<InetAddress> found = (List<InetAddress>) f.getNow();
                        answers.addresses(found);
                    } else {
                        Throwable cause = f.cause();
                        answers.failed(new ConnectFailedException(
                                "cannot resolve host '" + host + "' (" + type + "): " + cause.getMessage(), cause));
                    }
                    if (--left[0] == 0) {
                        answers.complete();
                    }
                }
            });
        }
    }

    /** Closes this resolver's sockets; lookups in flight fail. The shared loop thread stays. */
    @Override
    public void close() {
        ipv4.close();
        ipv6.close();
    }

    @Override
    public String toString() {
        return description;
    }

    /** One daemon NIO thread for every DnsResolver: started on first use, never stopped (it holds no work). */
    private static final class SharedLoop {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
                1,
                // Not "aioduct-…": that prefix names threads a runtime owns and stops on close; this one is
                // the JVM's, like the JDK's own resolver threads.
                new DefaultThreadFactory("dns-resolver-aioduct", true),
                NioIoHandler.newFactory());
    }

    /** Builds a {@link DnsResolver}. Not thread-safe. */
    public static final class Builder {
        private List<InetSocketAddress> nameServers = List.of();
        private Duration queryTimeout = Duration.ofSeconds(5);
        private boolean hostsFile = true;
        private @Nullable List<String> searchDomains;

        private Builder() {}

        /** The servers to ask, in order (the next when one does not answer); empty: the platform's. */
        public Builder nameServers(List<InetSocketAddress> servers) {
            this.nameServers = List.copyOf(Objects.requireNonNull(servers, "nameServers"));
            return this;
        }

        /**
         * How long one query waits for its server before the next is asked (default 5 s).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder queryTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "queryTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("queryTimeout must be positive, was " + timeout);
            }
            this.queryTimeout = timeout;
            return this;
        }

        /** Whether names in {@code /etc/hosts} (or the platform's hosts file) answer first; default true. */
        public Builder hostsFile(boolean use) {
            this.hostsFile = use;
            return this;
        }

        /** The domains a short name is tried in; default the platform's ({@code /etc/resolv.conf}). */
        public Builder searchDomains(List<String> domains) {
            this.searchDomains = List.copyOf(Objects.requireNonNull(domains, "searchDomains"));
            return this;
        }

        public DnsResolver build() {
            return new DnsResolver(this);
        }
    }
}
