package io.aioduct.http2;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The HPACK decoder of one connection (RFC 7541): turns a header block into fields handed to a {@link
 * Sink} as plain {@code String}s, the form the engine's headers keep. A name or value from the static
 * table is that table's shared constant, one from the dynamic table is the {@code String} stored when the
 * entry was added, and a literal name the static table knows is its constant: only literal values (and
 * unknown literal names) allocate, one {@code String} each, built straight from the octets (ISO-8859-1:
 * one char per octet, so a {@code String}'s length is its HPACK length).
 *
 * <p>Errors: anything RFC 7541 calls a decoding error (a truncated or oversized integer or string, an
 * index outside both tables, bad Huffman padding or EOS, a table size update above our
 * SETTINGS_HEADER_TABLE_SIZE or after the first field) throws {@link CompressionException}: the
 * decoder's state is then undefined, so the caller ends the connection with COMPRESSION_ERROR (RFC 9113
 * section 4.3). A block whose header list exceeds our SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 section
 * 6.5.2 counts each field as name + value + 32 octets) is still decoded to its end, so the dynamic table
 * stays in step, but the fields past the limit are not passed on and {@link #decode} returns false.
 *
 * <p>Threading: none; used by the thread that drives the session.
 */
final class HpackDecoder {

    /** A decoding error: the connection ends with COMPRESSION_ERROR. */
    static final class CompressionException extends Exception {
        private static final long serialVersionUID = 1L;

        CompressionException(String message) {
            super(message, null, false, false);
        }
    }

    /** Where decoded fields go, in the order they were in the block. */
    interface Sink {
        void field(String name, String value);
    }

    /** Scratch arrays up to this size are kept for the next block; larger ones are dropped after it. */
    private static final int KEPT_SCRATCH = 16 * 1024;

    private final int maxTableSize;
    private final long maxHeaderListSize;

    private final HpackDynamicTable table;

    // The block being decoded: in[pos, end). in is the block's own array or a copy in scratch.
    private byte[] scratch = new byte[256];
    private byte[] text = new byte[256];
    private byte[] in = scratch;
    private int pos;
    private int end;

    /**
     * A decoder for a peer that we told SETTINGS_HEADER_TABLE_SIZE {@code maxTableSize} (4096 when we sent
     * none) and SETTINGS_MAX_HEADER_LIST_SIZE {@code maxHeaderListSize}.
     */
    HpackDecoder(int maxTableSize, long maxHeaderListSize) {
        this.maxTableSize = maxTableSize;
        this.maxHeaderListSize = maxHeaderListSize;
        this.table = new HpackDynamicTable(maxTableSize);
    }

    /**
     * Decodes the readable bytes of {@code block} (a whole header block), passing each field to {@code
     * sink}. Returns false if the header list exceeded the limit (the fields from the one that crossed it
     * on were not passed on).
     */
    boolean decode(ByteBuf block, Sink sink) throws CompressionException {
        int length = block.readableBytes();
        if (block.hasArray()) {
            in = block.array();
            pos = block.arrayOffset() + block.readerIndex();
        } else {
            in = length <= scratch.length ? scratch : scratchFor(length);
            block.getBytes(block.readerIndex(), in, 0, length);
            pos = 0;
        }
        end = pos + length;
        block.skipBytes(length);
        try {
            return decodeFields(sink);
        } finally {
            // Never keep the block's own array, nor a scratch array grown for one unusually large block.
            if (scratch.length > KEPT_SCRATCH) scratch = new byte[256];
            if (text.length > KEPT_SCRATCH) text = new byte[256];
            in = scratch;
        }
    }

    private byte[] scratchFor(int length) {
        scratch = new byte[Math.max(length, scratch.length * 2)];
        return scratch;
    }

    private boolean decodeFields(Sink sink) throws CompressionException {
        long listSize = 0;
        boolean fieldSeen = false;
        while (pos < end) {
            int b = in[pos] & 0xff;
            String name;
            String value;
            if ((b & 0x80) != 0) {
                // Indexed field (6.1).
                int index = readInt(7);
                if (index == 0) {
                    throw new CompressionException("an indexed field with index 0 (RFC 7541 §6.1)");
                }
                name = nameAt(index);
                value = valueAt(index);
            } else if ((b & 0x40) != 0) {
                // Literal with incremental indexing (6.2.1).
                int index = readInt(6);
                name = index == 0 ? readName() : nameAt(index);
                value = readValue();
                table.add(name, value);
            } else if ((b & 0x20) != 0) {
                // Dynamic table size update (6.3).
                if (fieldSeen) {
                    throw new CompressionException("a dynamic table size update after a header field (RFC 7541 §4.2)");
                }
                resize(readInt(5));
                continue;
            } else {
                // Literal without indexing (6.2.2) or never indexed (6.2.3): both 4-bit prefixes.
                int index = readInt(4);
                name = index == 0 ? readName() : nameAt(index);
                value = readValue();
            }
            fieldSeen = true;
            if (listSize <= maxHeaderListSize) {
                listSize += name.length() + value.length() + HpackDynamicTable.ENTRY_OVERHEAD;
                if (listSize <= maxHeaderListSize) {
                    sink.field(name, value);
                }
            }
        }
        return listSize <= maxHeaderListSize;
    }

    // ---- primitives (RFC 7541 section 5) ----

    /** An integer with an N-bit prefix (5.1), starting at the current octet. */
    private int readInt(int prefixBits) throws CompressionException {
        int max = (1 << prefixBits) - 1;
        int value = in[pos++] & max;
        if (value < max) {
            return value;
        }
        long v = value;
        // Five continuation octets carry 35 bits, enough for any int; more can only be padding or overflow.
        for (int shift = 0; shift <= 28; shift += 7) {
            if (pos >= end) {
                throw new CompressionException("a truncated integer at the end of the header block");
            }
            int b = in[pos++];
            v += (long) (b & 0x7f) << shift;
            if (v > Integer.MAX_VALUE) {
                break;
            }
            if ((b & 0x80) == 0) {
                return (int) v;
            }
        }
        throw new CompressionException("an integer above 2^31 - 1 in the header block");
    }

    /** The length of a string literal (5.2) and whether it is Huffman-coded (then negated minus one). */
    private int readStringHeader() throws CompressionException {
        if (pos >= end) {
            throw new CompressionException("a string literal missing at the end of the header block");
        }
        boolean huffman = (in[pos] & 0x80) != 0;
        int length = readInt(7);
        if (length > end - pos) {
            throw new CompressionException("a truncated string literal: " + length + " octets announced, " + (end - pos)
                    + " left in the header block");
        }
        return huffman ? -1 - length : length;
    }

    private String readName() throws CompressionException {
        int header = readStringHeader();
        if (header >= 0) {
            String known = HpackStaticTable.knownName(in, pos, header);
            String name = known != null ? known : latin1(in, pos, header);
            pos += header;
            return name;
        }
        int n = huffmanDecode(-1 - header);
        String known = HpackStaticTable.knownName(text, 0, n);
        return known != null ? known : latin1(text, 0, n);
    }

    private String readValue() throws CompressionException {
        int header = readStringHeader();
        if (header >= 0) {
            String value = latin1(in, pos, header);
            pos += header;
            return value;
        }
        int n = huffmanDecode(-1 - header);
        return latin1(text, 0, n);
    }

    /** Huffman-decodes {@code length} octets at pos into text, advancing pos; returns the decoded length. */
    private int huffmanDecode(int length) throws CompressionException {
        // Five bits are the shortest code, so at most 8/5 of the input comes out.
        int most = length * 8 / 5 + 1;
        if (most > text.length) {
            text = new byte[Math.max(most, text.length * 2)];
        }
        int n = HpackHuffman.decode(in, pos, length, text);
        pos += length;
        return n;
    }

    private static String latin1(byte[] a, int from, int length) {
        return length == 0 ? "" : new String(a, from, length, StandardCharsets.ISO_8859_1);
    }

    // ---- the tables (RFC 7541 sections 2.3 and 4) ----

    private String nameAt(int index) throws CompressionException {
        if (index <= HpackStaticTable.LENGTH) {
            return HpackStaticTable.name(index);
        }
        return table.name(dynamicIndex(index));
    }

    private String valueAt(int index) throws CompressionException {
        if (index <= HpackStaticTable.LENGTH) {
            return HpackStaticTable.value(index);
        }
        return table.value(dynamicIndex(index));
    }

    private int dynamicIndex(int index) throws CompressionException {
        int i = index - HpackStaticTable.LENGTH - 1;
        if (i >= table.length()) {
            throw new CompressionException("index " + index + " is outside the static table and the " + table.length()
                    + " entries of the dynamic table (RFC 7541 §2.3.3)");
        }
        return i;
    }

    private void resize(int newCapacity) throws CompressionException {
        if (newCapacity > maxTableSize) {
            throw new CompressionException("a dynamic table size update to " + newCapacity + " octets, above the "
                    + maxTableSize + " of SETTINGS_HEADER_TABLE_SIZE (RFC 7541 §6.3)");
        }
        table.capacity(newCapacity);
    }

    /** Octets the dynamic table holds now (RFC 7541 section 4.1), for tests. */
    int tableSize() {
        return table.size();
    }

    /** Entries in the dynamic table, for tests. */
    int tableLength() {
        return table.length();
    }

    /** The dynamic table's entry at {@code index} (1 the newest) as "name: value", for tests. */
    String tableEntry(int index) {
        return table.name(index - 1) + ": " + table.value(index - 1);
    }
}
