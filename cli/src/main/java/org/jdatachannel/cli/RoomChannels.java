package org.jdatachannel.cli;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM peer's side of the room demo's two channels (the demo page opens both towards every
 * member it offers to):
 * <ul>
 * <li>{@value #CHAT}: a chat line is a text message; the JVM peer acknowledges each one with
 * {@code received: <the line>} on the same channel.</li>
 * <li>{@value #FILE}: a file is a text header {@code {"name":..,"size":BYTES,"sha256":HEX}}
 * followed by binary chunks adding up to {@code size}; the receiver answers with the text
 * {@code {"ack":NAME,"size":BYTES RECEIVED,"sha256":HEX OF WHAT IT GOT,"ok":true|false}}. The JVM
 * peer hashes as the chunks arrive and keeps none of them.</li>
 * </ul>
 * Callbacks run on the connection's event loop and never block; headers are bounded
 * ({@value #MAX_HEADER_BYTES} bytes) and so is a file ({@value #MAX_FILE_BYTES} bytes).
 */
final class RoomChannels {

    private static final Logger LOG = LoggerFactory.getLogger(RoomChannels.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Label of the room chat channel. */
    static final String CHAT = "room-chat";
    /** Label of the room file channel. */
    static final String FILE = "room-file";
    /** The prefix of the JVM peer's chat acknowledgement. */
    static final String ACK_PREFIX = "received: ";
    /** Largest file header, in bytes. */
    static final int MAX_HEADER_BYTES = 4096;
    /** Largest file the JVM peer accepts, in bytes (it only hashes). */
    static final long MAX_FILE_BYTES = 1L << 30;

    private RoomChannels() {
    }

    static boolean handles(String label) {
        return label.equals(CHAT) || label.equals(FILE);
    }

    static void attach(String peerName, DataChannel ch) {
        if (ch.label().equals(CHAT)) {
            ch.onMessage(m -> {
                if (m.binary()) {
                    return;
                }
                LOG.info("{}: chat: {}", peerName, m.text());
                sendQuietly(peerName, ch, ACK_PREFIX + m.text());
            });
        } else {
            attachFile(peerName, ch);
        }
    }

    /** State of one incoming file; only touched on the event loop. */
    private static final class Incoming {
        String name;
        long size;
        long got;
        MessageDigest digest;
        String expected;
    }

    private static void attachFile(String peerName, DataChannel ch) {
        Incoming in = new Incoming();
        ch.onMessage((DataChannelMessage m) -> {
            if (!m.binary()) {
                if (in.digest != null) {
                    reply(peerName, ch, in, false, "a new header before the file ended");
                }
                startFile(peerName, ch, in, m);
                return;
            }
            if (in.digest == null) {
                sendQuietly(peerName, ch, "{\"error\":\"binary data without a file header\"}");
                return;
            }
            ByteBuffer data = m.data();
            int n = data.remaining();
            if (in.got + n > in.size) {
                reply(peerName, ch, in, false, "more bytes than announced");
                return;
            }
            in.digest.update(data);
            in.got += n;
            if (in.got == in.size) {
                String hex = HexFormat.of().formatHex(in.digest.digest());
                reply(peerName, ch, in, hex.equals(in.expected), hex);
            }
        });
    }

    private static void startFile(String peerName, DataChannel ch, Incoming in, DataChannelMessage m) {
        String text = m.text();
        JsonNode h = null;
        if (text.getBytes(StandardCharsets.UTF_8).length <= MAX_HEADER_BYTES) {
            try {
                h = JSON.readTree(text);
            } catch (java.io.IOException e) {
                h = null;
            }
        }
        if (h == null || !h.path("name").isTextual() || !h.path("size").canConvertToLong()
                || h.path("size").asLong() < 0 || h.path("size").asLong() > MAX_FILE_BYTES) {
            sendQuietly(peerName, ch, "{\"error\":\"expected a header {name, size (0.." + MAX_FILE_BYTES + "), sha256}\"}");
            in.digest = null;
            return;
        }
        in.name = h.path("name").asText();
        in.size = h.path("size").asLong();
        in.expected = h.path("sha256").asText("");
        in.got = 0;
        try {
            in.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        LOG.info("{}: receiving file '{}' ({} bytes)", peerName, in.name, in.size);
        if (in.size == 0) {
            String hex = HexFormat.of().formatHex(in.digest.digest());
            reply(peerName, ch, in, hex.equals(in.expected), hex);
        }
    }

    private static void reply(String peerName, DataChannel ch, Incoming in, boolean ok, String shaOrReason) {
        ObjectNode ack = JSON.createObjectNode();
        ack.put("ack", in.name);
        ack.put("size", in.got);
        if (shaOrReason.matches("[0-9a-f]{64}")) {
            ack.put("sha256", shaOrReason);
        } else {
            ack.put("error", shaOrReason);
        }
        ack.put("ok", ok);
        LOG.info("{}: file '{}': {} bytes, ok {}", peerName, in.name, in.got, ok);
        in.digest = null;
        sendQuietly(peerName, ch, ack.toString());
    }

    private static void sendQuietly(String peerName, DataChannel ch, String text) {
        try {
            ch.send(text);
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("{}: cannot reply on '{}': {}", peerName, ch.label(), e.getMessage());
        }
    }
}
