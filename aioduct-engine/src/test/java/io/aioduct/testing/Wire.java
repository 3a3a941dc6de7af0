package io.aioduct.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Hand-written HTTP/1.1 response framing for {@link ServerExchange}: bytes exactly as we choose them. */
final class Wire {

    static final String CRLF = "\r\n";

    private Wire() {}

    /** Validates and copies {@code name, value, name, value, ...}. */
    static List<String> pairs(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "header arguments must be name/value pairs: " + Arrays.toString(nameValuePairs));
        }
        for (String s : nameValuePairs) {
            if (s == null) {
                throw new IllegalArgumentException("null header name or value");
            }
        }
        return new ArrayList<>(Arrays.asList(nameValuePairs));
    }

    static boolean has(List<String> pairs, String name) {
        for (int i = 0; i < pairs.size(); i += 2) {
            if (pairs.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Adds {@code name: value} unless a header of that name is present already. */
    static void addIfAbsent(List<String> pairs, String name, String value) {
        if (!has(pairs, name)) {
            pairs.add(name);
            pairs.add(value);
        }
    }

    /** Status line, header fields and the empty line that ends the head. */
    static String head(int status, List<String> pairs) {
        StringBuilder sb = new StringBuilder(128)
                .append("HTTP/1.1 ")
                .append(status)
                .append(' ')
                .append(HttpResponseStatus.valueOf(status).reasonPhrase())
                .append(CRLF);
        for (int i = 0; i < pairs.size(); i += 2) {
            sb.append(pairs.get(i)).append(": ").append(pairs.get(i + 1)).append(CRLF);
        }
        return sb.append(CRLF).toString();
    }

    static ByteBuf latin1(ByteBufAllocator alloc, String text) {
        ByteBuf buf = alloc.buffer(text.length());
        buf.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        return buf;
    }

    /** Appends one chunk ({@code size CRLF data CRLF}); an empty array is skipped, as it would end the body. */
    static void chunk(ByteBuf out, byte[] data) {
        if (data.length == 0) {
            return;
        }
        out.writeCharSequence(Integer.toHexString(data.length) + CRLF, StandardCharsets.ISO_8859_1);
        out.writeBytes(data);
        out.writeCharSequence(CRLF, StandardCharsets.ISO_8859_1);
    }

    /** Appends the last chunk, the trailer fields and the final empty line. */
    static void lastChunk(ByteBuf out, Map<String, String> trailers) {
        StringBuilder sb = new StringBuilder("0").append(CRLF);
        trailers.forEach(
                (name, value) -> sb.append(name).append(": ").append(value).append(CRLF));
        out.writeCharSequence(sb.append(CRLF), StandardCharsets.ISO_8859_1);
    }

    static CompletableFuture<Void> toCompletable(ChannelFuture future) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        future.addListener(f -> {
            if (f.isSuccess()) {
                result.complete(null);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }
}
