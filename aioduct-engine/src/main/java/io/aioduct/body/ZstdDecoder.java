package io.aioduct.body;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.util.Native;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The {@code zstd} coding (RFC 8878, as RFC 9659 puts it on HTTP) through zstd-jni's streaming
 * decompression context: the caller's bytes are copied into a {@value #INPUT}-byte direct buffer, decoded
 * into a {@value #OUTPUT}-byte one, and copied out to the caller's array. Frames written one after another
 * are decoded one after another (skippable frames are skipped); anything else after a frame is corrupt.
 * The window is capped at 8 MiB ({@value #WINDOW_LOG_MAX}), as RFC 9659 allows and as browsers do, so a
 * frame cannot make the decoder allocate more (libzstd's own default would allow 128 MiB); zstd-jni
 * releases older than 1.5.7-2x cannot set the cap, and then libzstd's default applies.
 *
 * <p>Only created once {@link OptionalCodings#zstd()} said zstd-jni is present.
 */
final class ZstdDecoder extends ContentDecoder {
    static final int INPUT = 8192;
    static final int OUTPUT = 32 * 1024;
    static final int WINDOW_LOG_MAX = 23;
    private static final boolean CAN_CAP_WINDOW = canCapWindow();

    private final ZstdDecompressCtx context = new ZstdDecompressCtx();
    private final ByteBuffer input = ByteBuffer.allocateDirect(INPUT).limit(0);
    private final ByteBuffer output = ByteBuffer.allocateDirect(OUTPUT).limit(0);
    // The last call filled the output buffer: the context may hold more without further input.
    private boolean full;
    // The last call ended a frame, and no byte of another has been taken since.
    private boolean frameEnded;
    private boolean touched;
    private boolean ended;

    ZstdDecoder() {
        if (CAN_CAP_WINDOW) context.setLongMax(WINDOW_LOG_MAX);
    }

    /** Loads zstd-jni's native code; the reason it cannot be loaded, or null. */
    static @Nullable Throwable loadNative() {
        Native.load();
        return null;
    }

    private static boolean canCapWindow() {
        try {
            ZstdDecompressCtx.class.getMethod("setLongMax", int.class);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    @Override
    public String coding() {
        return "zstd";
    }

    @Override
    public int decode(ByteBuffer in, byte[] out, int offset, int length) {
        while (true) {
            if (output.hasRemaining()) {
                int n = Math.min(length, output.remaining());
                output.get(out, offset, n);
                return n;
            }
            if (!input.hasRemaining() && !full) {
                if (!in.hasRemaining()) return 0;
                int n = Math.min(INPUT, in.remaining());
                input.clear().put(0, in, in.position(), n).limit(n);
                in.position(in.position() + n);
                touched = true;
            }
            int before = input.position();
            output.clear();
            boolean frameDone;
            try {
                frameDone = context.decompressDirectByteBufferStream(output, input);
            } catch (ZstdException e) {
                String message = String.valueOf(e.getMessage());
                if (message.contains("too much memory")) {
                    message += " (its window is over the " + (1 << WINDOW_LOG_MAX >> 20) + " MiB RFC 9659 allows)";
                }
                throw corrupt("zstd", message, e);
            }
            output.flip();
            if (!frameDone && input.position() == before && !output.hasRemaining() && input.hasRemaining()) {
                // libzstd always takes or gives something when it can; never spin.
                throw corrupt("zstd", "the decoder made no progress", null);
            }
            full = output.limit() == OUTPUT;
            if (frameDone) {
                frameEnded = true;
            } else if (input.position() != before || output.hasRemaining()) {
                frameEnded = false;
            }
        }
    }

    @Override
    public boolean complete() {
        return frameEnded && !input.hasRemaining() && !output.hasRemaining() && !full;
    }

    @Override
    public boolean untouched() {
        return !touched;
    }

    @Override
    public void end() {
        if (!ended) {
            ended = true;
            context.close();
        }
    }
}
