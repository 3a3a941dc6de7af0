package io.aioduct.http2;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The HPACK encoder of one connection (RFC 7541): writes a {@link HeaderList} as a header block.
 *
 * <p>Choices: a field equal to a static or dynamic entry is sent as its index; any other goes as a
 * literal, naming a table entry when one has its name, and is added to the dynamic table, so a repeated
 * request costs a few octets, except where adding would do harm: credentials ({@code authorization}, and
 * {@code cookie} values under 20 octets, easy to guess) go as never-indexed literals (RFC 7541 section
 * 7.1.3: kept out of any table, here and on intermediaries), and a field over a quarter of the table
 * goes as a plain literal rather than evicting everything else. A string is Huffman-coded when that makes
 * it shorter. The table is at most 4096 octets (the default), lowered to whatever the server's
 * SETTINGS_HEADER_TABLE_SIZE allows, with the size update(s) RFC 7541 section 4.2 asks for at the start of
 * the next block.
 *
 * <p>Threading: none; used by the thread that drives the session. Blocks must go on the wire in the order
 * they were encoded, since each may add to the table the next ones refer to.
 */
final class HpackEncoder {
    private static final int MAX_CAPACITY = Frames.DEFAULT_HEADER_TABLE_SIZE;
    /** Cookie values shorter than this are never indexed (easy to guess one octet at a time). */
    private static final int SHORT_COOKIE = 20;

    private final HpackDynamicTable table = new HpackDynamicTable(MAX_CAPACITY);
    /** The smallest capacity since the last block, to announce at the start of the next; -1 for none. */
    private int smallestSinceLastBlock = -1;

    /** The server's SETTINGS_HEADER_TABLE_SIZE arrived: the table shrinks (now) if it must, never grows past 4096. */
    void peerMaxTableSize(long setting) {
        int capacity = (int) Math.min(setting, MAX_CAPACITY);
        if (capacity == table.capacity()) {
            return;
        }
        table.capacity(capacity);
        smallestSinceLastBlock = smallestSinceLastBlock < 0 ? capacity : Math.min(smallestSinceLastBlock, capacity);
    }

    /** Writes {@code list} as one header block. */
    void encode(ByteBuf out, HeaderList list) {
        if (smallestSinceLastBlock >= 0) {
            if (smallestSinceLastBlock < table.capacity()) {
                writeInt(out, 0x20, 5, smallestSinceLastBlock);
            }
            writeInt(out, 0x20, 5, table.capacity());
            smallestSinceLastBlock = -1;
        }
        for (int i = 0, n = list.length(); i < n; i++) {
            field(out, list.name(i), list.value(i));
        }
    }

    private void field(ByteBuf out, String name, String value) {
        int found = HpackStaticTable.find(name, value);
        if (found > 0) {
            writeInt(out, 0x80, 7, found); // indexed (6.1)
            return;
        }
        int nameIndex = -found;
        boolean neverIndexed = neverIndexed(name, value);
        int dynamic = table.find(name, value);
        if (dynamic >= 0 && !neverIndexed) {
            writeInt(out, 0x80, 7, HpackStaticTable.LENGTH + 1 + dynamic);
            return;
        }
        if (nameIndex == 0 && dynamic != Integer.MIN_VALUE) {
            nameIndex = HpackStaticTable.LENGTH + 1 + (dynamic >= 0 ? dynamic : -1 - dynamic);
        }
        boolean index = !neverIndexed
                && name.length() + value.length() + HpackDynamicTable.ENTRY_OVERHEAD <= table.capacity() / 4;
        if (index) {
            writeInt(out, 0x40, 6, nameIndex); // with incremental indexing (6.2.1)
        } else {
            writeInt(out, neverIndexed ? 0x10 : 0x00, 4, nameIndex); // never indexed (6.2.3) / without (6.2.2)
        }
        if (nameIndex == 0) {
            writeString(out, name);
        }
        writeString(out, value);
        if (index) {
            table.add(name, value);
        }
    }

    private static boolean neverIndexed(String name, String value) {
        return switch (name) {
            case "authorization", "proxy-authorization" -> true;
            case "cookie" -> value.length() < SHORT_COOKIE;
            default -> false;
        };
    }

    /** An integer with an N-bit prefix (RFC 7541 section 5.1), the octet's other bits {@code flags}. */
    private static void writeInt(ByteBuf out, int flags, int prefixBits, int value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            out.writeByte(flags | value);
            return;
        }
        out.writeByte(flags | max);
        int rest = value - max;
        while (rest >= 0x80) {
            out.writeByte((rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        out.writeByte(rest);
    }

    /** A string literal (RFC 7541 section 5.2), Huffman-coded when that is shorter. */
    private static void writeString(ByteBuf out, String s) {
        int length = s.length();
        int huffman = HpackHuffman.encodedLength(s);
        if (huffman < length) {
            writeInt(out, 0x80, 7, huffman);
            HpackHuffman.encode(out, s);
        } else {
            writeInt(out, 0x00, 7, length);
            out.writeCharSequence(s, StandardCharsets.ISO_8859_1);
        }
    }

    /** Octets the dynamic table holds now, for tests. */
    int tableSize() {
        return table.size();
    }
}
