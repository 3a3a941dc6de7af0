package io.aioduct.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aioduct.Origin;
import io.aioduct.Request;
import io.aioduct.exchange.ConnectionTag;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link EventListener#composite}, {@link EventListener#plus} and {@link EventListener#guarded}: the
 * identities with {@link EventListener#NONE}, every one of the callbacks forwarded to each listener in
 * order with its arguments, and a throwing listener kept from the others (logged once per class, a
 * {@link VirtualMachineError} rethrown). The callbacks are found by reflection, so one added to
 * {@link EventListener} without forwarding fails here.
 */
class EventListenerCompositionTest {
    private static final Request REQUEST =
            Request.builder("GET", "http://composite.example/").build();

    /** Every event of {@link EventListener}: its abstract-by-default instance methods. */
    private static List<Method> callbacks() {
        List<Method> all = new ArrayList<>();
        for (Method m : EventListener.class.getDeclaredMethods()) {
            if (m.isDefault()
                    && !Modifier.isStatic(m.getModifiers())
                    && !m.getName().equals("plus")) {
                all.add(m);
            }
        }
        all.sort((a, b) -> a.getName().compareTo(b.getName()));
        return all;
    }

    private static Object sample(Class<?> type) {
        if (type == Request.class) return REQUEST;
        if (type == Origin.class) return REQUEST.origin();
        if (type == ConnectionInfo.class) return ConnectionTag.NONE;
        if (type == String.class) return "text";
        if (type == List.class) return List.of();
        if (type == InetSocketAddress.class) return InetSocketAddress.createUnresolved("composite.example", 80);
        if (type == Throwable.class) return new IOException("sample failure");
        if (type == URI.class) return URI.create("http://composite.example/next");
        if (type == long.class) return 42L;
        if (type == int.class) return 7;
        if (type == boolean.class) return true;
        if (type == Duration.class) return Duration.ofMillis(42);
        if (type == io.aioduct.proxy.Proxy.Type.class) return io.aioduct.proxy.Proxy.Type.SOCKS5;
        throw new AssertionError("no sample for " + type);
    }

    /** Calls every callback of {@code listener} once, in name order, with {@link #sample} arguments. */
    private static void fireAll(EventListener listener) throws Exception {
        for (Method m : callbacks()) {
            Object[] args =
                    Arrays.stream(m.getParameterTypes()).map(t -> sample(t)).toArray();
            try {
                m.invoke(listener, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof Exception ex) throw ex;
                throw (Error) e.getCause();
            }
        }
    }

    /** A listener that logs "tag:event(args)" for each callback into {@code heard}, or throws if asked. */
    private static EventListener recorder(String tag, List<String> heard, boolean throwing) {
        return (EventListener) Proxy.newProxyInstance(
                EventListener.class.getClassLoader(), new Class<?>[] {EventListener.class}, (proxy, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return m.getName().equals("toString") ? tag : m.invoke(tag, args);
                    }
                    if (m.getName().equals("plus")) return InvocationHandler.invokeDefault(proxy, m, args);
                    heard.add(tag + ":" + m.getName() + Arrays.toString(args));
                    if (throwing) throw new IllegalStateException(tag + " is broken");
                    return null;
                });
    }

    @Test
    void nothingOrOnlyNoneIsNone() {
        assertThat(EventListener.composite()).isSameAs(EventListener.NONE);
        assertThat(EventListener.composite(EventListener.NONE, EventListener.NONE))
                .isSameAs(EventListener.NONE);
        assertThat(EventListener.composite(List.of())).isSameAs(EventListener.NONE);
        assertThat(EventListener.NONE.plus(EventListener.NONE)).isSameAs(EventListener.NONE);
        assertThat(EventListener.guarded(EventListener.NONE)).isSameAs(EventListener.NONE);
    }

    @Test
    void oneListenerLeftIsThatListener() {
        EventListener x = new EventListener() {};
        assertThat(x.plus(EventListener.NONE)).isSameAs(x);
        assertThat(EventListener.NONE.plus(x)).isSameAs(x);
        assertThat(EventListener.composite(EventListener.NONE, x, EventListener.NONE))
                .isSameAs(x);
        assertThat(EventListener.composite(List.of(x))).isSameAs(x);
    }

    @Test
    void guardingIsDoneOnce() {
        EventListener x = new EventListener() {};
        EventListener guarded = EventListener.guarded(x);
        assertThat(guarded).isNotSameAs(x);
        assertThat(EventListener.guarded(guarded)).isSameAs(guarded);
        EventListener both = x.plus(new EventListener() {});
        assertThat(EventListener.guarded(both)).isSameAs(both);
    }

    @Test
    void everyCallbackReachesEachListenerInOrderWithItsArguments() throws Exception {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        EventListener composite =
                recorder("a", heard, false).plus(recorder("b", heard, false)).plus(recorder("c", heard, false));

        fireAll(composite);

        List<String> expected = new ArrayList<>();
        for (Method m : callbacks()) {
            Object[] args =
                    Arrays.stream(m.getParameterTypes()).map(t -> sample(t)).toArray();
            for (String tag : List.of("a", "b", "c")) {
                expected.add(tag + ":" + m.getName() + Arrays.toString(args));
            }
        }
        // At least the 30 callbacks of the engine itself; policies add their own.
        assertThat(callbacks()).hasSizeGreaterThanOrEqualTo(30);
        assertThat(heard).containsExactlyElementsOf(expected);
    }

    @Test
    void nestedCompositesAreFlattenedAndKeepTheirOrder() throws Exception {
        List<String> heard = new ArrayList<>();
        EventListener inner = EventListener.composite(recorder("a", heard, false), recorder("b", heard, false));
        EventListener outer = EventListener.composite(
                EventListener.guarded(recorder("z", heard, false)), inner, recorder("c", heard, false));

        outer.callStart(REQUEST);

        assertThat(heard)
                .containsExactly(
                        "z:callStart[" + REQUEST + "]",
                        "a:callStart[" + REQUEST + "]",
                        "b:callStart[" + REQUEST + "]",
                        "c:callStart[" + REQUEST + "]");
        assertThat(outer.toString()).isEqualTo("EventListener.composite[z, a, b, c]");
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthersFromHearingEveryEvent() throws Exception {
        List<String> heard = new ArrayList<>();
        EventListener composite = EventListener.composite(
                recorder("first", heard, true), recorder("second", heard, false), recorder("third", heard, true));

        fireAll(composite); // nothing escapes

        int callbacks = callbacks().size();
        assertThat(heard).hasSize(3 * callbacks);
        assertThat(heard.stream().filter(h -> h.startsWith("second:"))).hasSize(callbacks);
    }

    /** Its own class: what is logged is the first failure of each listener class. */
    private static final class BrokenOnEveryEvent implements EventListener {
        @Override
        public void callStart(Request request) {
            throw new IllegalStateException("broken listener: callStart");
        }

        @Override
        public void responseBodyEnd(Request request, ConnectionInfo connection, long bytes) {
            throw new IllegalStateException("broken listener: responseBodyEnd");
        }
    }

    @Test
    void aListenerClassIsLoggedAtWarnOnlyOnce() {
        EventListener guarded = EventListener.guarded(new BrokenOnEveryEvent());
        EventListener another = EventListener.guarded(new BrokenOnEveryEvent());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 3; i++) {
                guarded.callStart(REQUEST);
                guarded.responseBodyEnd(REQUEST, ConnectionTag.NONE, 1);
                another.callStart(REQUEST);
            }
        } finally {
            System.setErr(original);
        }

        String log = captured.toString(StandardCharsets.UTF_8);
        String line = "event listener " + BrokenOnEveryEvent.class.getName() + " threw from callStart";
        assertThat(log.split(Pattern.quote("event listener " + BrokenOnEveryEvent.class.getName()), -1))
                .hasSize(2);
        assertThat(log).contains("WARN").contains(line).contains("broken listener: callStart");
    }

    @Test
    void aVirtualMachineErrorIsRethrown() {
        List<String> heard = new ArrayList<>();
        EventListener oom = new EventListener() {
            @Override
            public void callEnd(Request request, int status, long nanos) {
                throw new OutOfMemoryError("listener ran out of memory");
            }
        };
        EventListener composite = oom.plus(recorder("after", heard, false));

        assertThatThrownBy(() -> composite.callEnd(REQUEST, 200, 1))
                .isInstanceOf(OutOfMemoryError.class)
                .hasMessage("listener ran out of memory");
        assertThatThrownBy(() -> EventListener.guarded(oom).callEnd(REQUEST, 200, 1))
                .isInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void nullListenersAreRefusedByName() {
        assertThatThrownBy(() -> EventListener.composite((EventListener) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("listeners");
        assertThatThrownBy(() -> EventListener.NONE.plus(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("other");
        assertThatThrownBy(() -> EventListener.guarded(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("listener");
    }
}
