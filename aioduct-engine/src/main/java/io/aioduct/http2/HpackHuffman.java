package io.aioduct.http2;

import io.netty.buffer.ByteBuf;

/**
 * The HPACK Huffman code (RFC 7541 Appendix B): an encoder, and a table-driven decoder.
 *
 * <p>The code is canonical (within one length, codes count up in symbol order, and each length starts
 * where the previous one ended, shifted), so the table is kept as its code lengths only and the codes are
 * rebuilt from them. Decoding walks the code tree four bits at a time: {@link #TRANSITIONS} holds, for each
 * of the tree's 256 inner nodes and each nibble, the node reached, the symbol completed on the way (no
 * code is shorter than five bits, so a nibble completes at most one), and whether the string may end
 * there (RFC 7541 section 5.2: at most seven bits of padding, all ones, the start of EOS).
 *
 * <p>Threading: immutable after class initialisation.
 */
final class HpackHuffman {
    /** Code length in bits of each symbol 0-255, and of EOS (256). */
    private static final byte[] LENGTHS = {
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28,
        28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15,
        6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22,
        20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23,
        23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22,
        22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26,
        27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27,
        26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30
    };

    private static final int EOS = 256;

    /** Each symbol's code, right-aligned in an int (the longest is 30 bits). */
    static final int[] CODES = new int[EOS + 1];

    /** Flag of a {@link #TRANSITIONS} entry: the nibble completed the symbol in bits 8-15. */
    private static final int EMIT = 1 << 16;
    /** Flag: the string may end after this nibble (nothing pending but valid padding). */
    private static final int ACCEPT = 1 << 17;
    /** Flag: the nibble completed EOS, which must never appear in a string (RFC 7541 section 5.2). */
    private static final int FAIL = 1 << 18;

    /** Indexed by {@code node << 4 | nibble}: the next node in bits 0-7, a symbol in 8-15, flags above. */
    private static final int[] TRANSITIONS = new int[256 * 16];

    static {
        int code = 0;
        for (int length = 1; length <= 30; length++) {
            for (int sym = 0; sym <= EOS; sym++) {
                if (LENGTHS[sym] == length) {
                    CODES[sym] = code++;
                }
            }
            code <<= 1;
        }
        buildTransitions();
    }

    private HpackHuffman() {}

    /** Octets {@code s} (ISO-8859-1: the low byte of each char) takes Huffman-coded, padding included. */
    static int encodedLength(String s) {
        long bits = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            bits += LENGTHS[s.charAt(i) & 0xff];
        }
        return (int) ((bits + 7) >>> 3);
    }

    /** Writes {@code s} Huffman-coded, padded with the leading ones of EOS (RFC 7541 section 5.2). */
    static void encode(ByteBuf out, String s) {
        long bits = 0; // the pending bits are the low `pending` ones
        int pending = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            int b = s.charAt(i) & 0xff;
            int length = LENGTHS[b];
            bits = (bits << length) | CODES[b];
            pending += length;
            while (pending >= 8) {
                pending -= 8;
                out.writeByte((int) (bits >>> pending));
            }
        }
        if (pending > 0) {
            out.writeByte((int) ((bits << (8 - pending)) | (0xff >>> pending)));
        }
    }

    /**
     * Decodes the {@code length} octets of {@code in} at {@code from} into {@code out} (at least {@code
     * length * 8 / 5 + 1} long) and returns the number of octets written.
     *
     * @throws HpackDecoder.CompressionException for EOS in the string or padding that is not a prefix of EOS
     *     of at most seven bits
     */
    static int decode(byte[] in, int from, int length, byte[] out) throws HpackDecoder.CompressionException {
        int node = 0;
        int n = 0;
        int entry = ACCEPT;
        for (int i = from, end = from + length; i < end; i++) {
            int b = in[i];
            int high = TRANSITIONS[(node << 4) | ((b >> 4) & 0xf)];
            if ((high & EMIT) != 0) {
                out[n++] = (byte) (high >> 8);
            }
            entry = TRANSITIONS[((high & 0xff) << 4) | (b & 0xf)];
            if ((entry & EMIT) != 0) {
                out[n++] = (byte) (entry >> 8);
            }
            if (((high | entry) & FAIL) != 0) {
                throw new HpackDecoder.CompressionException("a Huffman-coded string contains EOS");
            }
            node = entry & 0xff;
        }
        if ((entry & ACCEPT) == 0) {
            throw new HpackDecoder.CompressionException(
                    "a Huffman-coded string ends in padding that is not 1-7 bits of EOS's leading ones");
        }
        return n;
    }

    /**
     * Builds the code tree (inner nodes numbered in creation order, the root 0; a child below 0 is the leaf
     * of symbol {@code -1 - child}), then every node's sixteen nibble transitions.
     */
    private static void buildTransitions() {
        int[][] children = new int[256][2];
        int[] depth = new int[256];
        boolean[] allOnes = new boolean[256];
        allOnes[0] = true;
        int nodes = 1;
        for (int sym = 0; sym <= EOS; sym++) {
            int node = 0;
            for (int bit = LENGTHS[sym] - 1; bit > 0; bit--) {
                int b = (CODES[sym] >>> bit) & 1;
                if (children[node][b] == 0) {
                    children[node][b] = nodes;
                    depth[nodes] = depth[node] + 1;
                    allOnes[nodes] = allOnes[node] && b == 1;
                    nodes++;
                }
                node = children[node][b];
            }
            children[node][CODES[sym] & 1] = -1 - sym;
        }
        for (int node = 0; node < nodes; node++) {
            for (int nibble = 0; nibble < 16; nibble++) {
                int at = node;
                int entry = 0;
                for (int bit = 3; bit >= 0; bit--) {
                    int child = children[at][(nibble >>> bit) & 1];
                    if (child < 0) {
                        int sym = -1 - child;
                        entry |= sym == EOS ? FAIL : EMIT | (sym << 8);
                        at = 0;
                    } else {
                        at = child;
                    }
                }
                // A string may end at the root, or after at most seven padding bits that are all ones.
                if (allOnes[at] && depth[at] <= 7) {
                    entry |= ACCEPT;
                }
                TRANSITIONS[(node << 4) | nibble] = entry | at;
            }
        }
    }
}
