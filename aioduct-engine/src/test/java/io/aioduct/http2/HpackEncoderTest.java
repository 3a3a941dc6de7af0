package io.aioduct.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HpackEncoder}: the RFC 7541 C.4 requests come out octet for octet (its choices are the ones that
 * appendix makes), credentials stay out of the table, table size updates follow the server's SETTINGS, and
 * random header lists decode to themselves in Netty's decoder and in ours.
 */
class HpackEncoderTest {

    @Test
    void encodesTheRequestsOfRfc7541AppendixC4() {
        HpackEncoder e = new HpackEncoder();
        assertThat(encode(e, ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"))
                .isEqualTo("828684418cf1e3c2e5f23a6ba0ab90f4ff");
        assertThat(encode(
                        e,
                        ":method",
                        "GET",
                        ":scheme",
                        "http",
                        ":path",
                        "/",
                        ":authority",
                        "www.example.com",
                        "cache-control",
                        "no-cache"))
                .isEqualTo("828684be5886a8eb10649cbf");
        assertThat(encode(
                        e,
                        ":method",
                        "GET",
                        ":scheme",
                        "https",
                        ":path",
                        "/index.html",
                        ":authority",
                        "www.example.com",
                        "custom-key",
                        "custom-value"))
                .isEqualTo("828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf");
        assertThat(e.tableSize()).isEqualTo(164);
    }

    @Test
    void aRepeatedRequestIsAllIndices() {
        HpackEncoder e = new HpackEncoder();
        String[] fields = {
            ":method",
            "GET",
            ":scheme",
            "http",
            ":path",
            "/small",
            ":authority",
            "127.0.0.1:8080",
            "user-agent",
            "aioduct"
        };
        encode(e, fields);
        assertThat(encode(e, fields)).isEqualTo("8286" + "c0" + "bf" + "be");
    }

    @Test
    void credentialsAreNeverIndexed() throws Exception {
        HpackEncoder e = new HpackEncoder();
        String hex = encode(e, "authorization", "Bearer abc", "cookie", "a=b", "cookie", "session=" + "x".repeat(20));
        // authorization: never indexed, static name 23 (4-bit prefix: 0x1f then 23 - 15 = 8).
        assertThat(hex).startsWith("1f08");
        assertThat(e.tableSize()).isEqualTo("cookie".length() + 28 + 32);
        assertThat(decodeWithNetty(hex))
                .containsExactly("authorization: Bearer abc", "cookie: a=b", "cookie: session=" + "x".repeat(20));
    }

    @Test
    void aFieldOverAQuarterOfTheTableIsNotIndexed() {
        HpackEncoder e = new HpackEncoder();
        encode(e, "x-big", "v".repeat(1100));
        assertThat(e.tableSize()).isZero();
    }

    @Test
    void aSmallerServerTableIsAnnouncedAtTheStartOfTheNextBlock() throws Exception {
        HpackEncoder e = new HpackEncoder();
        encode(e, "x-a", "1");
        e.peerMaxTableSize(0);
        e.peerMaxTableSize(100_000);
        // Shrunk to 0 (evicting x-a), then back to 4096: both updates, smallest first (RFC 7541 4.2).
        assertThat(encode(e, "x-a", "1")).startsWith("20" + "3fe11f");
        assertThat(e.tableSize()).isEqualTo(3 + 1 + 32);
        e.peerMaxTableSize(4096);
        assertThat(encode(e, "x-a", "1")).isEqualTo("be");
        e.peerMaxTableSize(50);
        assertThat(encode(e, "x-a", "1")).startsWith("3f13"); // 50 = 31 + 19
    }

    @Test
    void randomListsDecodeToThemselves() throws Exception {
        Random random = new Random(0x5EED_4A7EL);
        for (int connection = 0; connection < 30; connection++) {
            HpackEncoder e = new HpackEncoder();
            HpackDecoder ours = new HpackDecoder(4096, Long.MAX_VALUE);
            DefaultHttp2HeadersDecoder netty = new DefaultHttp2HeadersDecoder(false, 1 << 20);
            for (int block = 0; block < 60; block++) {
                if (random.nextInt(12) == 0) {
                    e.peerMaxTableSize(random.nextInt(5000));
                }
                HeaderList list = randomList(random);
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < list.length(); i++) expected.add(list.name(i) + ": " + list.value(i));
                ByteBuf out = Unpooled.buffer();
                try {
                    e.encode(out, list);
                    List<String> got = new ArrayList<>();
                    ours.decode(out.duplicate(), (n, v) -> got.add(n + ": " + v));
                    assertThat(got)
                            .as("ours, connection %d block %d", connection, block)
                            .isEqualTo(expected);
                    assertThat(fields(netty.decodeHeaders(1, out)))
                            .as("Netty's, connection %d block %d", connection, block)
                            .isEqualTo(expected);
                } finally {
                    out.release();
                }
            }
        }
    }

    private static final String[] NAMES = {
        "accept",
        "accept-encoding",
        "user-agent",
        "content-type",
        "content-length",
        "cookie",
        "authorization",
        "x-request-id",
        "x-trace",
        "if-none-match",
        "te"
    };

    private static HeaderList randomList(Random random) {
        HeaderList list = new HeaderList(8);
        list.add(":method", random.nextBoolean() ? "GET" : "POST");
        list.add(":scheme", random.nextBoolean() ? "http" : "https");
        list.add(":path", random.nextInt(3) == 0 ? "/" : "/p/" + random.nextInt(50));
        list.add(":authority", "host" + random.nextInt(3) + ":8080");
        for (int i = random.nextInt(10); i > 0; i--) {
            String name = random.nextInt(5) == 0 ? "x-" + random.nextInt(40) : NAMES[random.nextInt(NAMES.length)];
            StringBuilder value = new StringBuilder();
            int length = random.nextInt(6) == 0 ? random.nextInt(1500) : random.nextInt(40);
            boolean anyOctet = random.nextInt(4) == 0;
            for (int k = 0; k < length; k++) {
                value.append((char) (anyOctet ? random.nextInt(256) : ' ' + random.nextInt(95)));
            }
            list.add(name, value.toString());
        }
        return list;
    }

    private static String encode(HpackEncoder e, String... namesAndValues) {
        HeaderList list = new HeaderList(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) list.add(namesAndValues[i], namesAndValues[i + 1]);
        ByteBuf out = Unpooled.buffer();
        try {
            e.encode(out, list);
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }

    private static List<String> decodeWithNetty(String hex) throws Exception {
        ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
        try {
            return fields(new DefaultHttp2HeadersDecoder(false).decodeHeaders(1, in));
        } finally {
            in.release();
        }
    }

    private static List<String> fields(Http2Headers headers) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : headers) out.add(e.getKey() + ": " + e.getValue());
        return out;
    }
}
