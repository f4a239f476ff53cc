package org.jdatachannel;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * W3C {@code RTCDataChannel}: one bidirectional message channel over an SCTP stream pair
 * (RFC 8831), opened with DCEP (RFC 8832) unless negotiated out of band.
 *
 * <p>Thread-safety: every method may be called from any thread. Operations are posted to the owning
 * {@link PeerConnection}'s event loop (when called on that loop, for example from a callback, they
 * run at once). Callbacks ({@code onOpen}, {@code onMessage}, ...) run on the event-loop thread,
 * one at a time, after the state they report is complete; they must not block. A callback that
 * throws is logged and does not affect the connection. Setting a handler replaces the previous one;
 * {@code null} removes it.
 *
 * <p>Handlers set late do not miss events: if the channel is already open (or closed) when
 * {@link #onOpen(Runnable)} (or {@link #onClose(Runnable)}) is set and no such handler has run yet,
 * the handler runs once on the event loop; messages that arrive while no {@link
 * #onMessage(Consumer)} handler is set are kept (up to 1024 messages / 4 MiB, then dropped with a
 * warning) and delivered in order once one is set.
 */
public interface DataChannel {

    /** @return the label given at creation or received in DATA_CHANNEL_OPEN */
    String label();

    /** @return the sub-protocol, "" if none */
    String protocol();

    /**
     * @return the SCTP stream id (0..65534), or null until assigned. Ids follow the DTLS role
     *         (RFC 8832 §6: the DTLS client uses even ids, the server odd ids), so a channel
     *         created before the descriptions are exchanged gets its id later.
     */
    Integer id();

    /** @return true if messages are delivered in order */
    boolean ordered();

    /** @return the retransmission limit, or null if unlimited */
    Integer maxRetransmits();

    /** @return the lifetime limit in milliseconds, or null if unlimited */
    Integer maxPacketLifeTime();

    /** @return true if the channel was negotiated out of band (no DCEP) */
    boolean negotiated();

    /** @return the current state; readable from any thread */
    DataChannelState readyState();

    /**
     * Sends a string message (PPID 51; an empty string is sent as one zero byte with PPID 56,
     * RFC 8831 §6.6).
     *
     * @param text the message, encoded as UTF-8
     * @throws IllegalStateException    if the channel is not {@link DataChannelState#OPEN}, or
     *                                  {@link #bufferedAmount()} would exceed 16 MiB, or the
     *                                  buffered amounts of all channels of the connection together
     *                                  would exceed 16 MiB (apply flow control with {@link
     *                                  #onBufferedAmountLow(Runnable)}); the message is not sent
     *                                  and the channel stays open
     * @throws IllegalArgumentException if the UTF-8 size exceeds the peer's
     *                                  {@code a=max-message-size}; the channel stays open
     * @throws NullPointerException     if {@code text} is null
     */
    void send(String text);

    /**
     * Sends a binary message (PPID 53; an empty buffer is sent as one zero byte with PPID 57).
     * The remaining bytes are copied before this method returns; the buffer's position is not
     * changed.
     *
     * @param data the message
     * @throws IllegalStateException    if the channel is not {@link DataChannelState#OPEN}, or
     *                                  {@link #bufferedAmount()} would exceed 16 MiB, or all
     *                                  channels of the connection together would exceed 16 MiB; the
     *                                  message is not sent and the channel stays open
     * @throws IllegalArgumentException if larger than the peer's {@code a=max-message-size}; the
     *                                  channel stays open
     * @throws NullPointerException     if {@code data} is null
     */
    void send(ByteBuffer data);

    /** Convenience for {@code send(ByteBuffer.wrap(data))}. */
    default void send(byte[] data) {
        send(ByteBuffer.wrap(data));
    }

    /**
     * @return bytes accepted by {@code send} and not yet handed to the network (queued on the event
     *         loop or in the SCTP send queue, not yet transmitted once); an empty message counts 1
     *         byte, its size on the wire (RFC 8831 §6.6). It keeps falling while the channel is
     *         CLOSING (buffered data is still sent) and, as in the W3C API, does not reset to zero
     *         once CLOSED: after a graceful close it is 0, after the connection failed it is what
     *         was never sent. Readable from any thread, may lag the true value by one event-loop
     *         step
     */
    long bufferedAmount();

    /** @return the threshold in bytes for {@link #onBufferedAmountLow(Runnable)}, 0 by default */
    long bufferedAmountLowThreshold();

    /**
     * @param bytes threshold, &gt;= 0; {@code onBufferedAmountLow} fires when the buffered amount
     *              falls to or below it
     * @throws IllegalArgumentException if negative
     */
    void setBufferedAmountLowThreshold(long bytes);

    /**
     * @param handler runs when the channel becomes OPEN. A channel this side created (not
     *                negotiated) is OPEN once SCTP is up and its DATA_CHANNEL_OPEN is queued, before
     *                the peer's DATA_CHANNEL_ACK arrives: RFC 8832 §6 lets the opener send user
     *                messages before the ACK, and libwebrtc (Chromium) also reports such a channel
     *                open while it waits for the ACK. Until the ACK arrives its messages are sent
     *                ordered, even on an unordered channel (RFC 8832 §6). A channel the peer opened
     *                is OPEN when its DATA_CHANNEL_OPEN has arrived and the ACK is queued.
     */
    void onOpen(Runnable handler);

    /**
     * @param handler receives each message (OPEN or CLOSING state: messages the peer sent before
     *                it saw the close still arrive, as in browsers)
     */
    void onMessage(Consumer<DataChannelMessage> handler);

    /**
     * @param handler runs once when the channel becomes CLOSED, after every message delivered to
     *                it: both directions of the stream are reset, or the connection closed or failed
     */
    void onClose(Runnable handler);

    /** @param handler runs when the buffered amount falls to or below the threshold */
    void onBufferedAmountLow(Runnable handler);

    /**
     * @param handler receives errors that happen after {@code send} returned: a message that could
     *                no longer be sent because the channel closed meanwhile, or (not expected, since
     *                {@code send} checks the buffers) SCTP refusing an accepted message, after
     *                which the channel is closed rather than going on with a gap; and the peer
     *                refusing a channel we opened (its stream reset before DATA_CHANNEL_ACK, RFC 8832
     *                §6). Errors that happen before a handler is installed are logged and kept (the
     *                last 16) for the first handler installed, like messages for {@code onMessage},
     *                so registering right after {@code createDataChannel} misses nothing
     */
    void onError(Consumer<Throwable> handler);

    /**
     * Starts closing (W3C closing procedure, RFC 8831 §6.7). When this method returns the state is
     * CLOSING (from OPEN or CONNECTING) and {@code send} throws IllegalStateException. Messages sent
     * before are still transmitted, then the outgoing SCTP stream is reset; the peer answers by
     * resetting its outgoing stream, and once both directions are reset the state becomes CLOSED
     * and {@code onClose} runs, on both ends. The stream id is not given to a new channel before
     * that (a negotiated channel asking for it gets IllegalArgumentException until then). A
     * channel that never reached the network (closed before the connection was up) becomes CLOSED
     * at once. Idempotent; callable from any thread.
     */
    void close();
}
