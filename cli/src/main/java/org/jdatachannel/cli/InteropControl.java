package org.jdatachannel.cli;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.PeerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the interop page's close and partial-reliability checks, one per peer
 * connection. The page opens a control channel {@value #CTL} and sends text commands on it; the
 * server answers and reports what its own channels saw as one JSON object per message
 * ({@code {"event": ..., "label": ..., ...}}):
 * <ul>
 * <li>{@code serve-and-close <label> <count> <size>}: the server opens channel {@code <label>},
 * sends {@code count} binary messages of {@code size} bytes (the first 4 bytes hold the message
 * index, big-endian, the rest {@link Scenario#pattern}) and calls {@code close()} right after the
 * last {@code send}, while the data is still in flight. Events {@code created} (with {@code id}),
 * then {@code closed} once its {@code onClose} ran ({@code state}, {@code closes} = how often
 * onClose ran, {@code bufferedAmount}).</li>
 * <li>{@code serve <label> <count> <size>}: the same without the {@code close()}: the page closes
 * the channel; {@code closed} is reported all the same.</li>
 * <li>{@code open-pr <label> <ordered true|false> <maxRetransmits|-> <maxPacketLifeTime|-> <count>}:
 * the server opens a channel with those options and sends {@code count} strings {@code pr <i>};
 * event {@code created}.</li>
 * </ul>
 * Channels the page opens with a label starting {@value #WATCH_PREFIX} are counted: when one
 * closes, event {@code closed} also carries {@code received} (messages) and {@code inOrder} (the
 * binary messages' indices were 0, 1, 2, ...). On a channel whose label starts with
 * {@value #PROPS_PREFIX} the server first sends {@code props <json>} with the channel's
 * {@code ordered}, {@code maxRetransmits}, {@code maxPacketLifeTime}, {@code protocol}, {@code id}
 * as it received them in DATA_CHANNEL_OPEN, then echoes every message. On a channel whose label
 * starts with {@value #DIGEST_PREFIX} the server answers every message with the string
 * {@code sha256 <lower-case hex digest> <length in bytes>} of what it received.
 *
 * <p>Bounds: at most {@value #MAX_SERVER_CHANNELS} server channels per peer, at most
 * {@value #MAX_SERVE_BYTES} bytes per {@code serve-and-close}; other commands get an {@code error}
 * event. Every callback runs on the peer's event loop; the mutable state is confined to it.
 */
final class InteropControl {

    private static final Logger LOG = LoggerFactory.getLogger(InteropControl.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Label of the page's control channel. */
    static final String CTL = "ctl";
    /** Label prefix of page channels whose messages are counted and whose close is reported. */
    static final String WATCH_PREFIX = "watch-";
    /** Label prefix of page channels that report their options and then echo. */
    static final String PROPS_PREFIX = "props-";
    /** Label prefix of page channels whose messages the server answers with their SHA-256. */
    static final String DIGEST_PREFIX = "digest-";
    /** Most channels the server opens for one peer on request. */
    static final int MAX_SERVER_CHANNELS = 32;
    /** Most bytes one {@code serve-and-close} may send. */
    static final long MAX_SERVE_BYTES = 8L << 20;
    /** Most strings one {@code open-pr} may send. */
    static final int MAX_PR_MESSAGES = 1000;

    private final String peerName;
    private final PeerConnection pc;
    /** Loop thread only. */
    private DataChannel ctl;
    private int serverChannels;

    InteropControl(String peerName, PeerConnection pc) {
        this.peerName = peerName;
        this.pc = pc;
    }

    /** @return true if this class handles channels with that label */
    static boolean handles(String label) {
        return label.equals(CTL) || label.startsWith(WATCH_PREFIX) || label.startsWith(PROPS_PREFIX)
                || label.startsWith(DIGEST_PREFIX);
    }

    /** Installs the behaviour for a channel the page opened; see {@link #handles(String)}. */
    void attach(DataChannel ch) {
        String label = ch.label();
        if (label.equals(CTL)) {
            ctl = ch;
            ch.onMessage(m -> {
                if (m.binary()) {
                    report(event("error", CTL).put("reason", "commands are strings"));
                } else {
                    command(m.text());
                }
            });
            ch.onClose(() -> LOG.info("{}: control channel closed", peerName));
        } else if (label.startsWith(WATCH_PREFIX)) {
            attachWatch(ch);
        } else if (label.startsWith(DIGEST_PREFIX)) {
            attachDigest(ch);
        } else {
            attachProps(ch);
        }
    }

    private void attachWatch(DataChannel ch) {
        long[] received = new long[1];
        boolean[] inOrder = {true};
        AtomicInteger closes = new AtomicInteger();
        ch.onMessage((DataChannelMessage m) -> {
            if (m.binary()) {
                ByteBuffer d = m.data();
                if (d.remaining() < 4 || d.getInt(d.position()) != received[0]) {
                    inOrder[0] = false;
                }
            }
            received[0]++;
        });
        ch.onClose(() -> {
            int n = closes.incrementAndGet();
            LOG.info("{}: watched channel '{}' (id {}) closed after {} messages", peerName, ch.label(), ch.id(),
                    received[0]);
            report(closedEvent(ch, n).put("received", received[0]).put("inOrder", inOrder[0]));
        });
    }

    private void attachDigest(DataChannel ch) {
        ch.onMessage(m -> {
            ByteBuffer d = m.data();
            byte[] bytes = new byte[d.remaining()];
            d.duplicate().get(bytes);
            String reply = "sha256 " + Scenario.sha256Hex(bytes) + " " + bytes.length;
            LOG.info("{}: '{}' received {} ({})", peerName, ch.label(), m.binary() ? "binary" : "string", reply);
            try {
                ch.send(reply);
            } catch (IllegalArgumentException | IllegalStateException e) {
                LOG.warn("{}: cannot answer on '{}': {}", peerName, ch.label(), e.getMessage());
            }
        });
        ch.onClose(() -> LOG.info("{}: channel '{}' closed", peerName, ch.label()));
    }

    private void attachProps(DataChannel ch) {
        ObjectNode props = JSON.createObjectNode();
        props.put("ordered", ch.ordered());
        props.putPOJO("maxRetransmits", ch.maxRetransmits());
        props.putPOJO("maxPacketLifeTime", ch.maxPacketLifeTime());
        props.put("protocol", ch.protocol());
        props.put("id", ch.id());
        props.put("negotiated", ch.negotiated());
        LOG.info("{}: channel '{}' options as received: {}", peerName, ch.label(), props);
        try {
            ch.send("props " + props);
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("{}: cannot send the options of '{}': {}", peerName, ch.label(), e.getMessage());
        }
        ch.onMessage(m -> {
            try {
                if (m.binary()) {
                    ch.send(m.data());
                } else {
                    ch.send(m.text());
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                LOG.warn("{}: cannot echo on '{}': {}", peerName, ch.label(), e.getMessage());
            }
        });
        ch.onClose(() -> LOG.info("{}: channel '{}' closed", peerName, ch.label()));
    }

    private void command(String text) {
        String[] w = text.strip().split(" +");
        try {
            switch (w[0]) {
                case "serve-and-close", "serve" -> {
                    expectWords(w, 4);
                    serve(w[1], Integer.parseInt(w[2]), Integer.parseInt(w[3]), w[0].equals("serve-and-close"));
                }
                case "open-pr" -> {
                    expectWords(w, 6);
                    DataChannelInit init = DataChannelInit.builder().ordered(Boolean.parseBoolean(w[2]))
                            .maxRetransmits(w[3].equals("-") ? null : Integer.valueOf(w[3]))
                            .maxPacketLifeTime(w[4].equals("-") ? null : Integer.valueOf(w[4])).build();
                    openPartiallyReliable(w[1], init, Integer.parseInt(w[5]));
                }
                default -> throw new IllegalArgumentException("unknown command '" + w[0] + "'");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("{}: control command '{}' failed: {}", peerName, text, e.getMessage());
            report(event("error", w.length > 1 ? w[1] : "").put("command", text).put("reason", e.getMessage()));
        }
    }

    private static void expectWords(String[] w, int n) {
        if (w.length != n) {
            throw new IllegalArgumentException(w[0] + " takes " + (n - 1) + " arguments, got " + (w.length - 1));
        }
    }

    private DataChannel newServerChannel(String label, DataChannelInit init) {
        if (handles(label) || label.isEmpty()) {
            throw new IllegalArgumentException("label '" + label + "' is reserved");
        }
        if (serverChannels >= MAX_SERVER_CHANNELS) {
            throw new IllegalStateException("at most " + MAX_SERVER_CHANNELS + " server channels per peer");
        }
        DataChannel ch = pc.createDataChannel(label, init);
        serverChannels++;
        report(event("created", label).put("id", ch.id()));
        return ch;
    }

    private void serve(String label, int count, int size, boolean close) {
        if (count < 0 || size < 4 || (long) count * size > MAX_SERVE_BYTES) {
            throw new IllegalArgumentException("need 0 <= count, 4 <= size, count * size <= " + MAX_SERVE_BYTES);
        }
        DataChannel ch = newServerChannel(label, Channels.reliable(true));
        AtomicInteger closes = new AtomicInteger();
        ch.onClose(() -> {
            int n = closes.incrementAndGet();
            LOG.info("{}: served channel '{}' (id {}) closed", peerName, label, ch.id());
            report(closedEvent(ch, n));
        });
        ch.onOpen(() -> {
            byte[] body = Scenario.pattern(size);
            try {
                for (int i = 0; i < count; i++) {
                    ch.send(ByteBuffer.wrap(body).putInt(0, i)); // send copies the bytes
                }
                long buffered = ch.bufferedAmount();
                if (!close) {
                    return;
                }
                // W3C closing procedure: what was sent is still delivered, then the stream is reset.
                ch.close();
                LOG.info("{}: '{}' sent {} x {} bytes and closed with {} bytes buffered", peerName, label, count, size,
                        buffered);
                report(event("closing", label).put("state", ch.readyState().name()).put("bufferedAmount", buffered));
            } catch (IllegalArgumentException | IllegalStateException e) {
                report(event("error", label).put("reason", e.getMessage()));
            }
        });
    }

    private void openPartiallyReliable(String label, DataChannelInit init, int count) {
        if (count < 0 || count > MAX_PR_MESSAGES) {
            throw new IllegalArgumentException("count must be 0.." + MAX_PR_MESSAGES);
        }
        DataChannel ch = newServerChannel(label, init);
        ch.onOpen(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    ch.send("pr " + i);
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                report(event("error", label).put("reason", e.getMessage()));
            }
        });
        ch.onClose(() -> LOG.info("{}: channel '{}' closed", peerName, label));
    }

    private static ObjectNode event(String event, String label) {
        ObjectNode o = JSON.createObjectNode();
        o.put("event", event);
        o.put("label", label);
        return o;
    }

    private static ObjectNode closedEvent(DataChannel ch, int closes) {
        return event("closed", ch.label()).put("id", ch.id()).put("state", ch.readyState().name())
                .put("closes", closes).put("bufferedAmount", ch.bufferedAmount());
    }

    private void report(ObjectNode o) {
        DataChannel c = ctl;
        if (c == null) {
            LOG.info("{}: no control channel for {}", peerName, o);
            return;
        }
        try {
            c.send(o.toString());
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("{}: cannot report {} on the control channel: {}", peerName, o, e.getMessage());
        }
    }
}
