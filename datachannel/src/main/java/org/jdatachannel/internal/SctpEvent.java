package org.jdatachannel.internal;

/**
 * Outputs of an {@link SctpPort}, mirroring the sctp module's {@code SctpOutput} so the driver can
 * run over a test double. Not part of the public API.
 */
public sealed interface SctpEvent {
    /** A packet to give to DTLS. */
    record SendPacket(byte[] packet) implements SctpEvent {
    }

    /** The association is established. */
    record Connected() implements SctpEvent {
    }

    /** A complete user message. */
    record MessageReceived(int streamId, int ppid, byte[] payload) implements SctpEvent {
    }

    /** The peer reset its outgoing streams (our incoming ones). */
    record IncomingStreamsReset(int[] streamIds) implements SctpEvent {
    }

    /** Our outgoing stream reset request was performed. */
    record OutgoingStreamsReset(int[] streamIds) implements SctpEvent {
    }

    /**
     * The peer refused our outgoing stream reset request (RFC 6525 Denied or an error result): the
     * streams were not reset.
     */
    record StreamResetFailed(int[] streamIds, int result) implements SctpEvent {
    }

    /** The stream's buffered amount fell to its threshold. */
    record BufferedAmountLow(int streamId) implements SctpEvent {
    }

    /**
     * The peer restarted the association (RFC 9260 §5.2.4 A): it stays up with fresh streams, but
     * the peer's DCEP state and our queued data are gone.
     */
    record Restarted() implements SctpEvent {
    }

    /** The association ended. */
    record Closed(String reason, boolean aborted) implements SctpEvent {
    }
}
