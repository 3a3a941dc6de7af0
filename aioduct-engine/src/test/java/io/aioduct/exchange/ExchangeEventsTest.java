package io.aioduct.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.Ticker;
import io.aioduct.event.ConnectionInfo;
import io.aioduct.event.EventListener;
import io.aioduct.proxy.Proxy;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * An exchange's event bookkeeping: without a listener it is the shared {@link ExchangeEvents#NONE} and
 * never reads the clock; with one, every duration it reports comes from the engine's {@link Ticker}.
 */
class ExchangeEventsTest {
    private static final Request REQUEST =
            Request.builder("GET", "http://events.example/").build();

    /** Counts its reads; each read moves time on by {@code step}. */
    private static final class SteppingTicker implements Ticker {
        private final long step;
        private long now;
        int reads;

        SteppingTicker(long step) {
            this.step = step;
        }

        @Override
        public long nanoTime() {
            reads++;
            now += step;
            return now;
        }
    }

    private static Object sample(Class<?> type) {
        if (type == Origin.class) return REQUEST.origin();
        if (type == ConnectionInfo.class) return ConnectionTag.NONE;
        if (type == String.class) return "text";
        if (type == List.class) return List.of(InetAddress.getLoopbackAddress());
        if (type == InetSocketAddress.class) return InetSocketAddress.createUnresolved("events.example", 80);
        if (type == Throwable.class) return new IOException("sample failure");
        if (type == long.class) return 42L;
        if (type == int.class) return 200;
        if (type == boolean.class) return true;
        if (type == Proxy.class) return Proxy.http("proxy.example", 3128);
        throw new AssertionError("no sample for " + type);
    }

    @Test
    void withoutAListenerEveryExchangeSharesNoneWhichNeverReadsTheClock() throws Exception {
        SteppingTicker ticker = new SteppingTicker(1);

        ExchangeEvents events = ExchangeEvents.start(EventListener.NONE, REQUEST, ticker);
        assertThat(events).isSameAs(ExchangeEvents.NONE);
        assertThat(ExchangeEvents.start(EventListener.NONE, REQUEST, ticker)).isSameAs(events);

        List<String> walked = new ArrayList<>();
        for (Method m : ExchangeEvents.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) continue;
            m.invoke(
                    events,
                    Arrays.stream(m.getParameterTypes()).map(t -> sample(t)).toArray());
            walked.add(m.getName());
        }
        // The exchange's own phases and the connector's (through ConnectObserver) were all walked.
        assertThat(walked)
                .contains("acquireStart", "attemptFailed", "end", "connectStart", "tlsEnd", "tunnelStart", "tunnelEnd");
        assertThat(ticker.reads).isZero();
    }

    @Test
    void withAListenerEveryDurationComesFromTheTicker() {
        long step = 1_000;
        SteppingTicker ticker = new SteppingTicker(step);
        List<String> heard = new ArrayList<>();
        EventListener listener = new EventListener() {
            @Override
            public void dnsEnd(Request request, String host, List<InetAddress> addresses, long nanos) {
                heard.add("dnsEnd " + nanos);
            }

            @Override
            public void connectEnd(Request request, InetSocketAddress address, long nanos) {
                heard.add("connectEnd " + nanos);
            }

            @Override
            public void tlsEnd(
                    Request request, Origin origin, String tlsProtocol, String applicationProtocol, long nanos) {
                heard.add("tlsEnd " + nanos);
            }

            @Override
            public void acquireEnd(Request request, ConnectionInfo connection, long waitNanos) {
                heard.add("acquireEnd " + waitNanos);
            }

            @Override
            public void callEnd(Request request, int status, long nanos) {
                heard.add("callEnd " + status + " " + nanos);
            }
        };

        ExchangeEvents events = ExchangeEvents.start(listener, REQUEST, ticker); // read 1
        assertThat(events).isNotSameAs(ExchangeEvents.NONE);
        events.acquireStart(REQUEST.origin()); // read 2
        events.dnsStart("events.example"); // 3
        events.dnsEnd(List.of(InetAddress.getLoopbackAddress())); // 4
        events.connectStart(InetSocketAddress.createUnresolved("events.example", 80)); // 5
        events.connectEnd(InetSocketAddress.createUnresolved("events.example", 80)); // 6
        events.tlsStart(); // 7
        events.tlsEnd("TLSv1.3", "h2"); // 8
        events.acquired(ConnectionTag.NONE, false); // 9
        events.requestHeadersStart();
        events.requestHeadersEnd(40);
        events.requestSent();
        events.responseHeadersStart();
        events.responseHeadersEnd(200, 20);
        events.responseBodyEnd(5);
        events.end(); // 10

        assertThat(heard)
                .containsExactly(
                        "dnsEnd " + step,
                        "connectEnd " + step,
                        "tlsEnd " + step,
                        "acquireEnd " + 7 * step,
                        "callEnd 200 " + 9 * step);
        assertThat(ticker.reads).isEqualTo(10);
    }

    @Test
    void throughAProxyTheConnectCarriesItsTypeAndTheTunnelIsTimedByTheTicker() {
        long step = 1_000;
        SteppingTicker ticker = new SteppingTicker(step);
        List<String> heard = new ArrayList<>();
        EventListener listener = new EventListener() {
            @Override
            public void connectEnd(Request request, InetSocketAddress address, Proxy.@Nullable Type proxy, long nanos) {
                heard.add("connectEnd " + proxy + " " + nanos);
            }

            @Override
            public void connectFailed(
                    Request request,
                    InetSocketAddress address,
                    Proxy.@Nullable Type proxy,
                    Throwable error,
                    long nanos) {
                heard.add("connectFailed " + proxy + " " + nanos);
            }

            @Override
            public void tunnelStart(Request request, String proxy, Proxy.Type type) {
                heard.add("tunnelStart " + proxy + " " + type);
            }

            @Override
            public void tunnelEnd(Request request, String proxy, Proxy.Type type, long nanos) {
                heard.add("tunnelEnd " + proxy + " " + type + " " + nanos);
            }

            @Override
            public void tunnelFailed(Request request, String proxy, Proxy.Type type, Throwable error, long nanos) {
                heard.add("tunnelFailed " + proxy + " " + type + " " + error.getMessage() + " " + nanos);
            }
        };
        Proxy proxy = Proxy.socks5("::1", 1080).withCredentials("user", "secret");
        InetSocketAddress address = InetSocketAddress.createUnresolved("proxy.example", 1080);

        ExchangeEvents events = ExchangeEvents.start(listener, REQUEST, ticker);
        events.via(null);
        events.connectStart(address);
        events.connectFailed(address, new IOException("refused"));
        events.via(proxy);
        events.connectStart(address);
        events.connectEnd(address);
        events.tunnelStart(proxy);
        events.tunnelFailed(proxy, new IOException("refused"));
        events.connectStart(address);
        events.connectEnd(address);
        events.tunnelStart(proxy);
        events.tunnelEnd(proxy);

        assertThat(heard)
                .containsExactly(
                        "connectFailed null " + step,
                        "connectEnd SOCKS5 " + step,
                        "tunnelStart [::1]:1080 SOCKS5",
                        "tunnelFailed [::1]:1080 SOCKS5 refused " + step,
                        "connectEnd SOCKS5 " + step,
                        "tunnelStart [::1]:1080 SOCKS5",
                        "tunnelEnd [::1]:1080 SOCKS5 " + step);
        assertThat(String.join(" ", heard)).doesNotContain("secret").doesNotContain("user");
    }

    @Test
    void aListenerOfTheConnectEventsWithoutTheProxyTypeStillHearsThem() {
        List<String> heard = new ArrayList<>();
        EventListener listener = new EventListener() {
            @Override
            public void connectEnd(Request request, InetSocketAddress address, long nanos) {
                heard.add("connectEnd " + address.getPort());
            }

            @Override
            public void connectFailed(Request request, InetSocketAddress address, Throwable error, long nanos) {
                heard.add("connectFailed " + address.getPort());
            }
        };
        ExchangeEvents events = ExchangeEvents.start(listener, REQUEST, new SteppingTicker(1));
        events.via(Proxy.http("proxy.example", 3128));
        events.connectStart(InetSocketAddress.createUnresolved("proxy.example", 3128));
        events.connectFailed(InetSocketAddress.createUnresolved("proxy.example", 3128), new IOException("x"));
        events.connectStart(InetSocketAddress.createUnresolved("proxy.example", 3129));
        events.connectEnd(InetSocketAddress.createUnresolved("proxy.example", 3129));

        assertThat(heard).containsExactly("connectFailed 3128", "connectEnd 3129");
    }
}
