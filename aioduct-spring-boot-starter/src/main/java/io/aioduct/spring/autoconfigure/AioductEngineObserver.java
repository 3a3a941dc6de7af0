package io.aioduct.spring.autoconfigure;

import io.aioduct.engine.HttpEngine;
import io.aioduct.event.EventListener;

/**
 * A bean that watches every engine the starter creates (the default client's and each named client's):
 * it gives each a listener before the engine is built, and is told once the engine runs. The Micrometer
 * binding is one. Engines the application defines itself are not seen. Called on the thread that creates
 * the engine, while the context starts; what it returns must follow {@link EventListener}'s rules.
 */
public interface AioductEngineObserver {

    /**
     * The listener for the engine about to be created, added to any listener an {@link
     * AioductEngineConfigCustomizer} set; {@link EventListener#NONE} for none.
     *
     * @param name {@code default}, or the named client's name
     * @param runtime {@code pooled}, {@code virtual}, {@code io-uring} or {@code compat}
     */
    default EventListener eventListener(String name, String runtime) {
        return EventListener.NONE;
    }

    /** The engine {@code name} was created on {@code runtime} and is about to serve requests. */
    default void engineCreated(String name, String runtime, HttpEngine engine) {}
}
