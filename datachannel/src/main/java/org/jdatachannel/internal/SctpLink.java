package org.jdatachannel.internal;

/**
 * What the data-channel logic needs from the SCTP association, so that {@link ChannelManager} can
 * be driven without a network (tests feed it events directly). Loop thread only.
 */
public interface SctpLink {

    /**
     * Queues one user message.
     *
     * @param streamId       0..65534
     * @param ppid           payload protocol identifier
     * @param payload        the message; ownership passes to the link
     * @param unordered      true for unordered delivery
     * @param maxRetransmits -1 for unlimited
     * @param lifetimeMs     -1 for unlimited
     * @throws IllegalArgumentException if larger than the peer's maximum message size
     * @throws IllegalStateException    if the association is closed or the stream is being reset
     */
    void send(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits, long lifetimeMs);

    /** Requests an outgoing stream reset (RFC 6525), performed once queued data is sent. */
    void resetStream(int streamId);

    /** @return bytes queued or in flight on the stream */
    long bufferedAmount(int streamId);

    /** Sets the level at or below which a BufferedAmountLow event is raised. */
    void setBufferedAmountLowThreshold(int streamId, long bytes);

    /**
     * Reports each stream whose {@link #bufferedAmount} changed since the previous call, once each,
     * so the caller need not read every stream after every drain. Loop thread only.
     *
     * @param streamIds receives stream ids; may call {@link #send}
     * @return false if the link cannot tell (the default, and once after an SCTP restart): the caller
     *     must then re-read {@link #bufferedAmount} of every stream it tracks
     */
    default boolean pollBufferedAmountChanges(java.util.function.IntConsumer streamIds) {
        return false;
    }
}
