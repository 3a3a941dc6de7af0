package io.aioduct.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HpackDecoder} against the examples of RFC 7541 Appendix C (fields and dynamic table after each
 * block), malformed blocks (each a COMPRESSION_ERROR with a message naming the fault), the header list
 * limit, and random header lists encoded by Netty's encoder.
 */
class HpackDecoderTest {

    // ---- RFC 7541 C.2: one representation each ----

    @Test
    void literalWithIndexingIsAddedToTheTable() throws Exception {
        HpackDecoder d = decoder();
        assertThat(decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"))
                .containsExactly("custom-key: custom-header");
        assertTable(d, 55, "custom-key: custom-header");
    }

    @Test
    void literalWithoutIndexingLeavesTheTableAlone() throws Exception {
        HpackDecoder d = decoder();
        assertThat(decode(d, "040c 2f73 616d 706c 652f 7061 7468")).containsExactly(":path: /sample/path");
        assertTable(d, 0);
    }

    @Test
    void neverIndexedLiteralLeavesTheTableAlone() throws Exception {
        HpackDecoder d = decoder();
        assertThat(decode(d, "1008 7061 7373 776f 7264 0673 6563 7265 74")).containsExactly("password: secret");
        assertTable(d, 0);
    }

    @Test
    void indexedFieldFromTheStaticTable() throws Exception {
        HpackDecoder d = decoder();
        assertThat(decode(d, "82")).containsExactly(":method: GET");
        assertTable(d, 0);
    }

    // ---- RFC 7541 C.3 and C.4: requests, without and with Huffman coding ----

    @Test
    void requestsWithoutHuffmanCoding() throws Exception {
        requests(
                decoder(),
                "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
                "8286 84be 5808 6e6f 2d63 6163 6865",
                "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65");
    }

    @Test
    void requestsWithHuffmanCoding() throws Exception {
        requests(
                decoder(),
                "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
                "8286 84be 5886 a8eb 1064 9cbf",
                "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf");
    }

    private static void requests(HpackDecoder d, String first, String second, String third) throws Exception {
        assertThat(decode(d, first))
                .containsExactly(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com");
        assertTable(d, 57, ":authority: www.example.com");
        assertThat(decode(d, second))
                .containsExactly(
                        ":method: GET",
                        ":scheme: http",
                        ":path: /",
                        ":authority: www.example.com",
                        "cache-control: no-cache");
        assertTable(d, 110, "cache-control: no-cache", ":authority: www.example.com");
        assertThat(decode(d, third))
                .containsExactly(
                        ":method: GET",
                        ":scheme: https",
                        ":path: /index.html",
                        ":authority: www.example.com",
                        "custom-key: custom-value");
        assertTable(d, 164, "custom-key: custom-value", "cache-control: no-cache", ":authority: www.example.com");
    }

    // ---- RFC 7541 C.5 and C.6: responses in a 256-octet table, with eviction ----

    @Test
    void responsesWithoutHuffmanCoding() throws Exception {
        responses(
                new HpackDecoder(256, Long.MAX_VALUE),
                "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32"
                        + " 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
                "4803 3330 37c1 c0bf",
                "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970"
                        + " 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b"
                        + " 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31");
    }

    @Test
    void responsesWithHuffmanCoding() throws Exception {
        responses(
                new HpackDecoder(256, Long.MAX_VALUE),
                "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad"
                        + " 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
                "4883 640e ffc1 c0bf",
                "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2"
                        + " e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5"
                        + " b106 3d50 07");
    }

    private static void responses(HpackDecoder d, String first, String second, String third) throws Exception {
        String date1 = "date: Mon, 21 Oct 2013 20:13:21 GMT";
        String location = "location: https://www.example.com";
        assertThat(decode(d, first)).containsExactly(":status: 302", "cache-control: private", date1, location);
        assertTable(d, 222, location, date1, "cache-control: private", ":status: 302");
        assertThat(decode(d, second)).containsExactly(":status: 307", "cache-control: private", date1, location);
        assertTable(d, 222, ":status: 307", location, date1, "cache-control: private");
        String date2 = "date: Mon, 21 Oct 2013 20:13:22 GMT";
        String cookie = "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
        assertThat(decode(d, third))
                .containsExactly(
                        ":status: 200", "cache-control: private", date2, location, "content-encoding: gzip", cookie);
        assertTable(d, 215, cookie, "content-encoding: gzip", date2);
    }

    // ---- names and values as shared constants ----

    @Test
    void staticEntriesAndKnownLiteralNamesAreTheTablesOwnStrings() throws Exception {
        HpackDecoder d = decoder();
        List<String[]> fields = new ArrayList<>();
        // :status 200 (indexed), then content-type and server as literal names ("0c" is 12 octets).
        ByteBuf block = block("88 000c 636f 6e74 656e 742d 7479 7065 0174 0006 7365 7276 6572 0178");
        d.decode(block, (name, value) -> fields.add(new String[] {name, value}));
        assertThat(fields.get(0)[0]).isSameAs(HpackStaticTable.name(8));
        assertThat(fields.get(0)[1]).isSameAs(HpackStaticTable.value(8));
        assertThat(fields.get(1)[0]).isSameAs(HpackStaticTable.name(31));
        assertThat(fields.get(2)[0]).isSameAs(HpackStaticTable.name(54));
    }

    @Test
    void tableSizeUpdatesUpToTheLimitEvict() throws Exception {
        HpackDecoder d = decoder();
        decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
        // Two updates at the start of a block (RFC 7541 4.2): to 0 (evicting all), then to 4096.
        assertThat(decode(d, "20 3fe1 1f 82")).containsExactly(":method: GET");
        assertTable(d, 0);
        decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
        assertTable(d, 55, "custom-key: custom-header");
    }

    // ---- malformed blocks: COMPRESSION_ERROR ----

    @Test
    void malformedBlocksFailNamingTheFault() {
        assertMalformed("ff", "truncated integer");
        assertMalformed("ff ffff ffff ff0f", "integer above 2^31 - 1");
        assertMalformed("40", "string literal missing");
        assertMalformed("4005 6162", "truncated string literal: 5 octets announced, 2 left");
        assertMalformed("0185 6162", "truncated string literal");
        assertMalformed("80", "index 0");
        assertMalformed("be", "index 62 is outside the static table and the 0 entries of the dynamic table");
        assertMalformed("7e 0161", "index 62 is outside");
        // '0' (00000) then three zero bits: padding must be ones.
        assertMalformed("0181 00", "padding");
        // '0' then eleven ones: padding longer than seven bits.
        assertMalformed("0182 0fff", "padding");
        assertMalformed("0184 ffff ffff", "EOS");
        assertMalformed("3fe2 1f", "dynamic table size update to 4097 octets, above the 4096");
        assertMalformed("82 20", "dynamic table size update after a header field");
    }

    @Test
    void aTableSizeUpdateIsCheckedAgainstOurLimitNotTheCurrentSize() throws Exception {
        HpackDecoder d = new HpackDecoder(256, Long.MAX_VALUE);
        decode(d, "20");
        assertThat(decode(d, "3fe1 01 82")).containsExactly(":method: GET"); // 256
        assertThatThrownBy(() -> decode(d, "3fe2 01"))
                .isInstanceOf(HpackDecoder.CompressionException.class)
                .hasMessageContaining("257 octets, above the 256");
    }

    @Test
    void aHeaderListOverTheLimitIsDecodedToItsEndButNotPassedOn() throws Exception {
        // :method GET is 7 + 3 + 32 = 42 octets; cache-control: no-cache another 53.
        HpackDecoder d = new HpackDecoder(4096, 60);
        List<String> got = new ArrayList<>();
        boolean fits = d.decode(block("82 5808 6e6f 2d63 6163 6865"), (n, v) -> got.add(n + ": " + v));
        assertThat(fits).isFalse();
        assertThat(got).containsExactly(":method: GET");
        assertTable(d, 53, "cache-control: no-cache");
        // The table stayed in step: the next block refers to the entry.
        assertThat(decode(d, "be")).containsExactly("cache-control: no-cache");
    }

    // ---- random header lists from Netty's encoder ----

    @Test
    void decodesWhatNettysEncoderWrites() throws Exception {
        Random random = new Random(0x5EED_4A7CL);
        for (int connection = 0; connection < 40; connection++) {
            HpackDecoder ours = decoder();
            DefaultHttp2HeadersEncoder netty = new DefaultHttp2HeadersEncoder(
                    (name, value) -> random.nextInt(8) == 0, true, 16, random.nextBoolean() ? 0 : 512);
            for (int block = 0; block < 60; block++) {
                if (random.nextInt(10) == 0) {
                    netty.configuration().maxHeaderTableSize(random.nextInt(4097));
                }
                Http2Headers headers = randomHeaders(random);
                ByteBuf out = Unpooled.buffer();
                try {
                    netty.encodeHeaders(1, headers, out);
                    List<String> expected = new ArrayList<>();
                    for (Map.Entry<CharSequence, CharSequence> e : headers) {
                        expected.add(e.getKey() + ": " + e.getValue());
                    }
                    List<String> got = new ArrayList<>();
                    assertThat(ours.decode(out, (n, v) -> got.add(n + ": " + v)))
                            .isTrue();
                    assertThat(got)
                            .as("connection %d block %d", connection, block)
                            .isEqualTo(expected);
                } finally {
                    out.release();
                }
            }
        }
    }

    @Test
    void randomBytesEitherDecodeOrFailAsCompressionErrors() {
        Random random = new Random(0x5EED_4A7DL);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            HpackDecoder d = decoder();
            try {
                d.decode(Unpooled.wrappedBuffer(bytes), (n, v) -> {});
            } catch (HpackDecoder.CompressionException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    private static final String[] NAMES = {
        ":status",
        "content-type",
        "content-length",
        "date",
        "server",
        "set-cookie",
        "cache-control",
        "etag",
        "vary",
        "x-request-id",
        "x-trace",
        "location",
        "via",
        "age",
        "accept-ranges"
    };

    private static Http2Headers randomHeaders(Random random) throws Http2Exception {
        DefaultHttp2Headers h = new DefaultHttp2Headers(false);
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            String name = random.nextInt(4) == 0 ? randomName(random) : NAMES[random.nextInt(NAMES.length)];
            h.add(name, randomValue(random));
        }
        return h;
    }

    private static String randomName(Random random) {
        StringBuilder sb = new StringBuilder("x-");
        for (int i = random.nextInt(20); i >= 0; i--) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    /** Values over every octet (HPACK carries any; the RFC 9113 checks are not the decoder's), often ASCII. */
    private static String randomValue(Random random) {
        int length = random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(30);
        boolean anyOctet = random.nextInt(3) == 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append((char) (anyOctet ? random.nextInt(256) : ' ' + random.nextInt(95)));
        }
        return sb.toString();
    }

    // ---- helpers ----

    private static HpackDecoder decoder() {
        return new HpackDecoder(4096, Long.MAX_VALUE);
    }

    private static ByteBuf block(String hex) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    private static List<String> decode(HpackDecoder d, String hex) throws HpackDecoder.CompressionException {
        List<String> fields = new ArrayList<>();
        // Through a direct buffer too: the decoder copies those instead of reading the array.
        ByteBuf heap = block(hex);
        ByteBuf direct = Unpooled.directBuffer(heap.readableBytes()).writeBytes(heap);
        try {
            assertThat(d.decode(direct, (name, value) -> fields.add(name + ": " + value)))
                    .isTrue();
        } finally {
            direct.release();
        }
        return fields;
    }

    private static void assertMalformed(String hex, String message) {
        assertThatThrownBy(() -> decoder().decode(block(hex), (n, v) -> {}))
                .as(hex)
                .isInstanceOf(HpackDecoder.CompressionException.class)
                .hasMessageContaining(message);
    }

    private static void assertTable(HpackDecoder d, int size, String... entries) throws Exception {
        assertThat(d.tableSize()).as("table size").isEqualTo(size);
        List<String> got = new ArrayList<>();
        for (int i = 1; i <= d.tableLength(); i++) {
            got.add(d.tableEntry(i));
        }
        assertThat(got).containsExactly(entries);
    }
}
