package org.jdatachannel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One received (or to-be-sent) data-channel message. Immutable; thread-safe.
 *
 * @param binary true for a binary message (PPID 53/57, or the deprecated 52), false for a string
 *               (PPID 51/56, or the deprecated 54)
 * @param data   the payload, read-only, position 0; an empty message has no remaining bytes
 */
public record DataChannelMessage(boolean binary, ByteBuffer data) {

    /** @throws NullPointerException if {@code data} is null */
    public DataChannelMessage {
        Objects.requireNonNull(data, "data");
        data = data.asReadOnlyBuffer();
    }

    /** @return a string message holding {@code text} in UTF-8 */
    public static DataChannelMessage ofText(String text) {
        return new DataChannelMessage(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** @return a binary message holding a copy of {@code bytes} */
    public static DataChannelMessage ofBinary(byte[] bytes) {
        return new DataChannelMessage(true, ByteBuffer.wrap(bytes.clone()));
    }

    /**
     * The payload decoded as UTF-8 (malformed sequences become U+FFFD, as in the W3C API). Meant for
     * string messages; for a binary message it decodes the bytes all the same.
     *
     * @return the text
     */
    public String text() {
        return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
    }

    /** @return a new array with the payload bytes */
    public byte[] bytes() {
        ByteBuffer d = data.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    /** @return payload size in bytes */
    public int size() {
        return data.remaining();
    }

    @Override
    public String toString() {
        return "DataChannelMessage{" + (binary ? "binary" : "string") + ", " + data.remaining() + " bytes}";
    }
}
