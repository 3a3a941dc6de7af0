package io.aioduct.body;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The {@code gzip} coding (RFC 1952): the member header parsed here a byte at a time (it may be split
 * across network reads), the deflate data inflated raw, the trailer's CRC-32 and length checked. Members
 * written one after another are decoded one after another, as {@link java.util.zip.GZIPInputStream} does;
 * any other bytes after a complete member are ignored (Chromium does the same), while a stream that ends
 * inside a member is truncated.
 */
final class GzipDecoder extends InflatingDecoder {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    // Where the decoder is: in the header (its steps), the deflate data, the trailer, or between members.
    private static final int FIXED = 0;
    private static final int XLEN = 1;
    private static final int EXTRA = 2;
    private static final int NAME = 3;
    private static final int COMMENT = 4;
    private static final int HCRC = 5;
    private static final int DATA = 6;
    private static final int TRAILER = 7;
    private static final int DONE = 8;
    private static final int IGNORING = 9;

    private final CRC32 crc = new CRC32();
    private final byte[] trailer = new byte[8];
    private int state = FIXED;
    private int got;
    private int flags;
    private int skip;
    private long size;
    private boolean touched;

    GzipDecoder() {
        super(true);
    }

    @Override
    public String coding() {
        return "gzip";
    }

    @Override
    public int decode(ByteBuffer in, byte[] out, int offset, int length) {
        while (true) {
            switch (state) {
                case DATA -> {
                    int n = inflate(in, out, offset, length);
                    if (n > 0) {
                        crc.update(out, offset, n);
                        size += n;
                        return n;
                    }
                    if (!inflater().finished()) return 0;
                    state = TRAILER;
                    got = 0;
                }
                case TRAILER -> {
                    while (got < 8 && in.hasRemaining()) trailer[got++] = in.get();
                    if (got < 8) return 0;
                    checkTrailer();
                    state = DONE;
                }
                case DONE -> {
                    if (!in.hasRemaining()) return 0;
                    if (in.get(in.position()) == (byte) 0x1f) {
                        // Another member follows.
                        inflater().reset();
                        crc.reset();
                        size = 0;
                        state = FIXED;
                        got = 0;
                    } else {
                        state = IGNORING;
                    }
                }
                case IGNORING -> {
                    in.position(in.limit());
                    return 0;
                }
                default -> {
                    if (!in.hasRemaining()) return 0;
                    touched = true;
                    header(in.get() & 0xff);
                }
            }
        }
    }

    /** One byte of a member header. */
    private void header(int b) {
        switch (state) {
            case FIXED -> {
                got++;
                if (got == 1 && b != 0x1f || got == 2 && b != 0x8b) {
                    throw corrupt("gzip", "not in gzip format (bad magic number)", null);
                }
                if (got == 3 && b != 8) throw corrupt("gzip", "unsupported compression method " + b, null);
                if (got == 4) flags = b;
                if (got == 10) {
                    got = 0;
                    skip = 0;
                    state = (flags & FEXTRA) != 0 ? XLEN : afterExtra();
                }
            }
            case XLEN -> {
                skip |= b << (8 * got++);
                if (got == 2) state = skip > 0 ? EXTRA : afterExtra();
            }
            case EXTRA -> {
                if (--skip == 0) state = afterExtra();
            }
            case NAME -> {
                if (b == 0) state = afterName();
            }
            case COMMENT -> {
                if (b == 0) state = afterComment();
            }
            case HCRC -> {
                if (++got == 2) state = DATA;
            }
            default -> throw new IllegalStateException("not in a header: " + state);
        }
    }

    private int afterExtra() {
        return (flags & FNAME) != 0 ? NAME : afterName();
    }

    private int afterName() {
        return (flags & FCOMMENT) != 0 ? COMMENT : afterComment();
    }

    private int afterComment() {
        got = 0;
        return (flags & FHCRC) != 0 ? HCRC : DATA;
    }

    private void checkTrailer() {
        long crcSent = le32(0);
        long sizeSent = le32(4);
        if (crcSent != crc.getValue()) {
            throw corrupt("gzip", "CRC-32 mismatch (the data is damaged)", null);
        }
        if (sizeSent != (size & 0xffffffffL)) {
            throw corrupt(
                    "gzip", "length mismatch: the trailer says " + sizeSent + " bytes, " + size + " came out", null);
        }
    }

    private long le32(int at) {
        return (trailer[at] & 0xffL)
                | (trailer[at + 1] & 0xffL) << 8
                | (trailer[at + 2] & 0xffL) << 16
                | (trailer[at + 3] & 0xffL) << 24;
    }

    @Override
    public boolean complete() {
        return state == DONE || state == IGNORING;
    }

    @Override
    public boolean untouched() {
        return !touched;
    }
}
