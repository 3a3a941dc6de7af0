package io.aioduct.http2;

import io.aioduct.AioductException;

/** The server reset one HTTP/2 stream (RST_STREAM); the connection and other streams carry on. */
public class StreamResetException extends AioductException {
    private final long errorCode;

    public StreamResetException(int streamId, long errorCode) {
        super("the server reset HTTP/2 stream " + streamId + " (" + Frames.errorName(errorCode) + ")");
        this.errorCode = errorCode;
    }

    /** The RST_STREAM error code, e.g. 0x7 REFUSED_STREAM, 0x8 CANCEL. */
    public long errorCode() {
        return errorCode;
    }
}
