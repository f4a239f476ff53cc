package org.jdatachannel.cli;

import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server does with a channel the peer opened, chosen by label:
 * <ul>
 * <li>{@code echo}, {@code chat}, {@code file}: every message goes back unchanged on the same
 * channel (a string stays a string, binary stays binary, empty stays empty);</li>
 * <li>{@code discard}: bytes and messages are counted; the string {@code done} is answered with
 * {@code received <bytes> <messages>} (not counting {@code done}) and the counters restart;</li>
 * <li>{@code room-chat}, {@code room-file}: the room demo, see {@link RoomChannels};</li>
 * <li>{@code ctl}, {@code watch-*}, {@code props-*}, {@code digest-*}: the interop page's close and
 * partial-reliability checks, see {@link InteropControl};</li>
 * <li>anything else: messages are ignored (logged at debug).</li>
 * </ul>
 *
 * <p>Callbacks run on the connection's event loop and never block. An echo channel whose peer does
 * not read (more than {@link #MAX_ECHO_BUFFERED} bytes waiting to be sent) is closed, so a peer
 * cannot make the server buffer without bound.
 */
final class ServerChannels {

    private static final Logger LOG = LoggerFactory.getLogger(ServerChannels.class);

    /** Bytes an echo channel may have queued for sending before the server gives up on it. */
    static final long MAX_ECHO_BUFFERED = 16L << 20;

    private ServerChannels() {
    }

    /**
     * Installs the behaviour for {@code ch}'s label. Call from {@code onDataChannel}.
     *
     * @param control the peer's {@link InteropControl}, which handles the labels it claims
     */
    static void attach(String peerName, DataChannel ch, InteropControl control) {
        String label = ch.label();
        if (InteropControl.handles(label)) {
            ch.onError(e -> LOG.warn("{}: channel '{}' (id {}): {}", peerName, label, ch.id(), e.toString()));
            control.attach(ch);
            LOG.info("{}: peer opened channel '{}' (id {}, ordered {}, maxRetransmits {}, maxPacketLifeTime {})",
                    peerName, label, ch.id(), ch.ordered(), ch.maxRetransmits(), ch.maxPacketLifeTime());
            return;
        }
        if (RoomChannels.handles(label)) {
            RoomChannels.attach(peerName, ch);
        } else {
            switch (label) {
                case Scenario.ECHO, Scenario.CHAT, Scenario.FILE -> attachEcho(peerName, ch);
                case Scenario.DISCARD -> attachDiscard(peerName, ch);
                default -> ch.onMessage(m -> LOG.debug("{}: ignoring a message on channel '{}'", peerName, label));
            }
        }
        ch.onClose(() -> LOG.info("{}: channel '{}' (id {}) closed", peerName, label, ch.id()));
        ch.onError(e -> LOG.warn("{}: channel '{}' (id {}): {}", peerName, label, ch.id(), e.toString()));
        LOG.info("{}: peer opened channel '{}' (id {}, ordered {})", peerName, label, ch.id(), ch.ordered());
    }

    private static void attachEcho(String peerName, DataChannel ch) {
        ch.onMessage(m -> {
            try {
                if (ch.bufferedAmount() > MAX_ECHO_BUFFERED) {
                    LOG.warn("{}: echo channel '{}' has {} bytes unsent; the peer does not read, closing it",
                            peerName, ch.label(), ch.bufferedAmount());
                    ch.close();
                    return;
                }
                if (m.binary()) {
                    ch.send(m.data()); // send copies the bytes
                } else {
                    ch.send(m.text());
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                // Too large for the peer's max-message-size, or the channel is closing.
                LOG.warn("{}: cannot echo a {}-byte message on '{}': {}", peerName, m.data().remaining(),
                        ch.label(), e.getMessage());
            }
        });
    }

    private static void attachDiscard(String peerName, DataChannel ch) {
        long[] counts = new long[2]; // bytes, messages; only touched on the event loop
        ch.onMessage((DataChannelMessage m) -> {
            if (!m.binary() && Scenario.DONE.equals(m.text())) {
                String reply = "received " + counts[0] + " " + counts[1];
                LOG.info("{}: discard '{}': {}", peerName, ch.label(), reply);
                counts[0] = 0;
                counts[1] = 0;
                try {
                    ch.send(reply);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    LOG.warn("{}: cannot reply on '{}': {}", peerName, ch.label(), e.getMessage());
                }
                return;
            }
            counts[0] += m.data().remaining();
            counts[1]++;
        });
    }
}
