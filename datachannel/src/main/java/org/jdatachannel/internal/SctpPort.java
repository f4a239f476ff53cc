package org.jdatachannel.internal;

/**
 * The sans-IO SCTP association as the driver uses it (DESIGN.md "sctp"): inputs are packets and
 * timeouts with the current time, outputs are polled until null. Implemented over the sctp module's
 * {@code Association}; tests may use a double. Loop thread only. The {@link SctpLink} methods take
 * their time from the clock given to the factory.
 *
 * <p>Input batches: the packets handed to {@code handleInput} between two calls of {@link #poll()}
 * (or {@link #pollTimeout()}, {@link #handleTimeout}) form one input batch, for which the
 * implementation may coalesce acknowledgements (RFC 9260 §6.2 applied per batch, see
 * {@code Association.beginInputBatch}) and hold outputs. The driver must therefore poll until null
 * after each burst of inputs (it may hand in several packets first, e.g. one socket read round);
 * the batch ends with the first {@code poll}.
 */
public interface SctpPort extends SctpLink {

    /** Starts the handshake (both sides call it; INIT collision is handled inside). */
    void connect(long nowMs);

    /** One received SCTP packet; malformed input is dropped or answered inside, never thrown. */
    void handleInput(byte[] packet, long nowMs);

    /**
     * One received SCTP packet held in {@code buf[off, off+len)}, which is read during the call only
     * (not retained, not modified): the caller may reuse {@code buf} afterwards, e.g. the buffer a DTLS
     * record was decrypted into, without copying each packet first. Malformed input is dropped or
     * answered inside, never thrown.
     *
     * @throws IndexOutOfBoundsException if the range lies outside {@code buf}
     */
    default void handleInput(byte[] buf, int off, int len, long nowMs) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        handleInput(java.util.Arrays.copyOfRange(buf, off, off + len), nowMs);
    }

    /**
     * Hands back the array of a {@link SctpEvent.SendPacket} once it was sent (DTLS encrypted it into a
     * record of its own and keeps no reference to it), for the association to write a later packet of
     * the same size into ({@code Association.recyclePacket}). The caller must not touch {@code packet}
     * afterwards and hands each array back at most once. The default ignores it.
     *
     * @param packet the packet just sent
     */
    default void recyclePacket(byte[] packet) {
    }

    /** A timer expired. */
    void handleTimeout(long nowMs);

    /** @return absolute time in ms of the next timer, or {@code Long.MAX_VALUE} */
    long pollTimeout();

    /** @return the next output, or null when drained */
    SctpEvent poll();

    /**
     * Like {@link #poll()}, but an open input batch stays open: the outputs already produced by the
     * batch's packets (received messages, packets that had to go at once) come out, and the
     * acknowledgement due at the end of the batch is not created yet. A message sent before the next
     * {@link #poll()} then carries that SACK in its own packet (RFC 9260 §6: "if any received DATA
     * chunks have not been acknowledged (e.g., due to delayed ack), the sender SHOULD create a SACK
     * chunk and bundle it with the outbound DATA chunk"), instead of the SACK going alone right
     * before it. The driver uses it after one or two received datagrams (a request, not a bulk
     * burst) to deliver their messages to the application first; it must call {@link #poll()} (which
     * ends the batch) as soon as the callbacks of those messages have run (the next task it queues
     * on the loop). The default is {@link #poll()}.
     *
     * @return the next output, or null when drained for now
     */
    default SctpEvent pollHoldingBatch() {
        return poll();
    }

    /**
     * @return the PLPMTU (RFC 8899): the largest SCTP packet now sent, bytes; 0 if the implementation
     *     does not say
     */
    default int pathMtu() {
        return 0;
    }

    /**
     * The path changed (another ICE pair): Datagram PLPMTUD (RFC 8899) goes back to BASE_PLPMTU and
     * searches up to {@code maxPlpmtu} again. The default ignores it.
     *
     * @param maxPlpmtu MAX_PLPMTU, bytes; 0 turns discovery off
     * @param nowMs the driver's clock
     */
    default void restartPathMtuDiscovery(int maxPlpmtu, long nowMs) {
    }

    /** Graceful SHUTDOWN (RFC 9260 §9.2). */
    void shutdown(long nowMs);

    /** ABORT (RFC 9260 §9.1). */
    void abort(String reason, long nowMs);

    /**
     * Parameters for a new association.
     *
     * @param messageInterleaving whether to offer RFC 8260 I-DATA (used only if the peer offers it)
     * @param maxPlpmtu MAX_PLPMTU of RFC 8899 Datagram PLPMTUD, bytes of SCTP packet: 0 for no path MTU
     *     discovery (packets stay at the base size), else above it and at most 65535 ({@link PathMtu})
     */
    record Params(int localPort, int remotePort, long maxSendMessageSize, long maxReceiveMessageSize,
            boolean messageInterleaving, int maxPlpmtu) {

        /** Without path MTU discovery. */
        public Params(int localPort, int remotePort, long maxSendMessageSize, long maxReceiveMessageSize,
                boolean messageInterleaving) {
            this(localPort, remotePort, maxSendMessageSize, maxReceiveMessageSize, messageInterleaving, 0);
        }
    }

    /** Creates associations. */
    interface Factory {
        /**
         * @param params ports and message size limits
         * @param clock  the driver's millisecond clock, for the {@link SctpLink} methods
         * @return a new association, not yet connected
         */
        SctpPort create(Params params, java.util.function.LongSupplier clock);
    }
}
