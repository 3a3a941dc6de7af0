package io.aioduct.body;

import java.nio.ByteBuffer;

/**
 * The {@code deflate} coding: RFC 9110 section 8.4.1.2 says a zlib stream (RFC 1950), but some servers
 * send raw deflate (RFC 1951), so the first two bytes decide, as curl and browsers do: a valid zlib header
 * (compression method 8, header checksum divisible by 31) means zlib, anything else raw. Bytes after the
 * end of the stream are ignored.
 */
final class DeflateDecoder extends InflatingDecoder {
    private final byte[] head = new byte[2];
    private int headLength;
    private boolean decided;

    DeflateDecoder() {
        super(false);
    }

    @Override
    public String coding() {
        return "deflate";
    }

    @Override
    public int decode(ByteBuffer in, byte[] out, int offset, int length) {
        if (!decided) {
            while (headLength < 2 && in.hasRemaining()) head[headLength++] = in.get();
            if (headLength < 2) return 0;
            decided = true;
            int cmf = head[0] & 0xff;
            boolean zlib = (cmf & 0x0f) == 8 && (cmf >>> 4) <= 7 && ((cmf << 8) | (head[1] & 0xff)) % 31 == 0;
            if (!zlib) replaceInflater(true);
            // The two bytes go in first; inflate() switches to the caller's buffer once they are used.
            inflater().setInput(head, 0, 2);
        }
        if (inflater().finished()) {
            in.position(in.limit());
            return 0;
        }
        int n = inflate(in, out, offset, length);
        if (n == 0 && inflater().finished()) in.position(in.limit());
        return n;
    }

    @Override
    public boolean complete() {
        return decided && inflater().finished();
    }

    @Override
    public boolean untouched() {
        return headLength == 0;
    }
}
