package io.aioduct;

/** The server reset one HTTP/2 stream (RST_STREAM); the connection and other streams carry on. */
public class StreamResetException extends AioductException {
    private final long errorCode;

    /**
     * @param errorName the code's name from RFC 9113 §7 (e.g. {@code REFUSED_STREAM}), for the message
     */
    public StreamResetException(int streamId, long errorCode, String errorName) {
        super("the server reset HTTP/2 stream " + streamId + " (" + errorName + ")");
        this.errorCode = errorCode;
    }

    /** The RST_STREAM error code, e.g. 0x7 REFUSED_STREAM, 0x8 CANCEL. */
    public long errorCode() {
        return errorCode;
    }
}
