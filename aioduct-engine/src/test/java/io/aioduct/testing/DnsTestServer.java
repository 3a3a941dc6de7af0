package io.aioduct.testing;

import io.aioduct.connect.DnsResolver;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A DNS server on 127.0.0.1 (UDP, Netty's DNS codec) that answers A and AAAA questions as a test scripts
 * them: addresses or SERVFAIL, at once or when a gate the test holds completes (an answer later than the
 * resolution delay, or one that never comes while the test runs). Unscripted questions get SERVFAIL. Never
 * forwards anything. Close it to stop its thread.
 */
public final class DnsTestServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final List<String> questions = new CopyOnWriteArrayList<>();

    /** {@code addresses} null: SERVFAIL. Sent once {@code when} completes. */
    private record Reply(@Nullable List<InetAddress> addresses, CompletionStage<?> when) {}

    public DnsTestServer() throws InterruptedException {
        channel = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        ch.pipeline()
                                .addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answer());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** A resolver asking only this server: no hosts file, no search domains, {@code queryTimeout} per query. */
    public DnsResolver resolver(java.time.Duration queryTimeout) {
        return DnsResolver.builder()
                .nameServers(List.of(address()))
                .hostsFile(false)
                .searchDomains(List.of())
                .queryTimeout(queryTimeout)
                .build();
    }

    /** {@code type} questions for {@code name} get {@code addresses} once {@code when} completes. */
    public DnsTestServer answer(String name, DnsRecordType type, List<InetAddress> addresses, CompletionStage<?> when) {
        replies.put(key(name, type), new Reply(List.copyOf(addresses), when));
        return this;
    }

    public DnsTestServer answer(String name, DnsRecordType type, List<InetAddress> addresses) {
        return answer(name, type, addresses, CompletableFuture.completedFuture(null));
    }

    /** {@code type} questions for {@code name} get SERVFAIL. */
    public DnsTestServer fail(String name, DnsRecordType type) {
        replies.put(key(name, type), new Reply(null, CompletableFuture.completedFuture(null)));
        return this;
    }

    /** The questions received, as {@code "A name"} lines, in order. */
    public List<String> questions() {
        return List.copyOf(questions);
    }

    private static String key(String name, DnsRecordType type) {
        return type.name() + " " + (name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Answer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            String key = key(question.name(), question.type());
            questions.add(key);
            Reply reply = replies.get(key);
            InetSocketAddress client = query.sender();
            InetSocketAddress self = query.recipient();
            int id = query.id();
            String name = question.name();
            DnsRecordType type = question.type();
            if (reply == null) {
                send(ctx, new DatagramDnsResponse(self, client, id).setCode(DnsResponseCode.SERVFAIL), name, type);
                return;
            }
            reply.when().whenComplete((x, e) -> {
                DatagramDnsResponse response = new DatagramDnsResponse(self, client, id);
                List<InetAddress> addresses = reply.addresses();
                if (addresses == null) {
                    response.setCode(DnsResponseCode.SERVFAIL);
                } else {
                    for (InetAddress a : addresses) {
                        response.addRecord(
                                DnsSection.ANSWER,
                                new DefaultDnsRawRecord(name, type, 60, Unpooled.wrappedBuffer(a.getAddress())));
                    }
                }
                send(ctx, response, name, type);
            });
        }

        private void send(ChannelHandlerContext ctx, DatagramDnsResponse response, String name, DnsRecordType type) {
            response.setRecursionAvailable(true).addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
            ctx.writeAndFlush(response);
        }
    }
}
