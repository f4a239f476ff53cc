package org.jdatachannel.cli;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The shared vocabulary of the server, the Java tests and the browser pages: channel labels, the
 * hello text, the echo test's messages and their byte pattern. {@code web/interop.html} uses the
 * same values; change both together.
 *
 * <p>Immutable constants; thread-safe.
 */
public final class Scenario {

    /** Channel whose messages the server sends back unchanged. */
    public static final String ECHO = "echo";
    /** Demo page chat channel; the server treats it like {@link #ECHO}. */
    public static final String CHAT = "chat";
    /** Demo page file channel; the server treats it like {@link #ECHO}. */
    public static final String FILE = "file";
    /** Channel whose messages the server counts; {@link #DONE} asks for the counts. */
    public static final String DISCARD = "discard";
    /** The string that ends a discard run; the reply is {@code received <bytes> <messages>}. */
    public static final String DONE = "done";
    /** Channel the server opens once connected. */
    public static final String HELLO = "hello";
    /** The one string the server sends on {@link #HELLO}. */
    public static final String HELLO_TEXT = "hello from jdatachannel";

    /** Sizes in bytes of the echo test's binary messages. */
    public static final List<Integer> BINARY_SIZES = List.of(1, 1200, 16384, 65536, 262144);
    /** The echo test's strings, in order, before the binary messages. */
    public static final List<String> STRINGS = List.of("a", "h\u00e9llo w\u00f6rld \u2713", "");

    private Scenario() {
    }

    /** One data-channel message: string (UTF-8 bytes) or binary. */
    public record Msg(boolean binary, byte[] data) {
        public Msg {
            data = data.clone();
        }

        public static Msg text(String s) {
            return new Msg(false, s.getBytes(StandardCharsets.UTF_8));
        }

        public static Msg binary(byte[] b) {
            return new Msg(true, b);
        }

        /** Copies the remaining bytes of {@code b} without moving its position. */
        public static Msg of(boolean binary, ByteBuffer b) {
            ByteBuffer d = b.duplicate();
            byte[] out = new byte[d.remaining()];
            d.get(out);
            return new Msg(binary, out);
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public int length() {
            return data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Msg m && m.binary == binary && Arrays.equals(m.data, data);
        }

        @Override
        public int hashCode() {
            return Boolean.hashCode(binary) * 31 + Arrays.hashCode(data);
        }

        /** Short description for error reports: kind, length, and the text or a digest prefix. */
        @Override
        public String toString() {
            if (!binary) {
                String s = new String(data, StandardCharsets.UTF_8);
                return "string(" + data.length + " bytes) \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
            }
            return "binary(" + data.length + " bytes, sha256 " + sha256Hex(data).substring(0, 16) + ")";
        }
    }

    /** The echo test's messages in sending order: {@link #STRINGS} then {@link #BINARY_SIZES}. */
    public static List<Msg> echoMessages() {
        return java.util.stream.Stream.concat(
                STRINGS.stream().map(Msg::text),
                BINARY_SIZES.stream().map(n -> Msg.binary(pattern(n)))).toList();
    }

    /**
     * The test byte pattern: byte {@code i} is {@code (i * 7) mod 251}.
     *
     * @param n length in bytes, 0..2^28
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public static byte[] pattern(int n) {
        if (n < 0 || n > (1 << 28)) {
            throw new IllegalArgumentException("pattern length out of range 0..2^28: " + n);
        }
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((i * 7L) % 251);
        }
        return b;
    }

    /** Lower-case hex SHA-256 of {@code data}. */
    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
