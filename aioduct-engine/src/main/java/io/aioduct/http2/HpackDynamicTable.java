package io.aioduct.http2;

import org.jspecify.annotations.Nullable;

/**
 * An HPACK dynamic table (RFC 7541 sections 2.3.2 and 4): entries newest first, each costing its name's
 * and value's octets plus 32, evicted oldest first to stay within the current capacity. Names and values
 * are ISO-8859-1 {@code String}s (one char per octet), so a {@code String}'s length is its size in octets.
 * {@link HpackDecoder} and {@link HpackEncoder} each keep one.
 *
 * <p>Threading: none; used by the thread that drives the session.
 */
final class HpackDynamicTable {
    /** Octets an entry costs beyond its name and value (RFC 7541 section 4.1). */
    static final int ENTRY_OVERHEAD = 32;

    // A ring with the newest entry at head; every entry costs at least 32 octets, so maxCapacity / 32
    // slots always suffice.
    private final @Nullable String[] names;
    private final @Nullable String[] values;
    private int head;
    private int length;
    private int size;
    private int capacity;

    /** A table that may grow to {@code maxCapacity} octets, starting at that capacity. */
    HpackDynamicTable(int maxCapacity) {
        int slots = Math.max(1, maxCapacity / ENTRY_OVERHEAD);
        this.names = new String[slots];
        this.values = new String[slots];
        this.capacity = maxCapacity;
    }

    /** Entries in the table. */
    int length() {
        return length;
    }

    /** Octets the entries cost (RFC 7541 section 4.1). */
    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    /** The name of entry {@code i}, 0 the newest; {@code i < length()}. */
    String name(int i) {
        return names[slot(i)];
    }

    /** The value of entry {@code i}, 0 the newest; {@code i < length()}. */
    String value(int i) {
        return values[slot(i)];
    }

    private int slot(int i) {
        int s = head - i;
        return s < 0 ? s + names.length : s;
    }

    /** Adds an entry; one larger than the whole table empties it and is not kept (RFC 7541 section 4.4). */
    void add(String name, String value) {
        int entry = name.length() + value.length() + ENTRY_OVERHEAD;
        if (entry > capacity) {
            evictTo(0);
            return;
        }
        evictTo(capacity - entry);
        head = head + 1 == names.length ? 0 : head + 1;
        names[head] = name;
        values[head] = value;
        length++;
        size += entry;
    }

    /** Sets the capacity (at most the one given at construction), evicting what no longer fits. */
    void capacity(int newCapacity) {
        capacity = newCapacity;
        evictTo(newCapacity);
    }

    /**
     * The entry equal to {@code name} and {@code value}, as {@code i} (0 the newest); else one with that
     * name only, as {@code -1 - i}; else {@code Integer.MIN_VALUE}.
     */
    int find(String name, String value) {
        int nameOnly = Integer.MIN_VALUE;
        for (int i = 0; i < length; i++) {
            int s = slot(i);
            String n = names[s];
            if (n == name || n.equals(name)) {
                String v = values[s];
                if (v == value || v.equals(value)) {
                    return i;
                }
                if (nameOnly == Integer.MIN_VALUE) {
                    nameOnly = -1 - i;
                }
            }
        }
        return nameOnly;
    }

    private void evictTo(int target) {
        while (size > target) {
            int s = slot(length - 1);
            size -= names[s].length() + values[s].length() + ENTRY_OVERHEAD;
            names[s] = null;
            values[s] = null;
            length--;
        }
    }
}
