package org.jdatachannel.sctp;

import java.util.Arrays;

/**
 * Everything an {@link Association} asks its driver to do or tells its user, returned one at a
 * time by {@link Association#pollOutput()}. Immutable; arrays are handed over (the association
 * keeps no reference to them).
 */
public sealed interface SctpOutput {

    /**
     * Send one SCTP packet as one DTLS record (RFC 8261 §4).
     *
     * @param packet the complete SCTP packet: at most {@link Association#pathMtu()} bytes (which is
     *     {@link SctpOptions#mtu()} while Datagram PLPMTUD is off), except RFC 8899 probe packets
     *     (HEARTBEAT + PAD, exactly the size probed, up to {@link SctpOptions#maxPlpmtu()}) and the
     *     retransmission of a DATA chunk made before a black hole lowered the PLPMTU (alone in its
     *     packet, at most the PLPMTU in use when it was made)
     */
    record SendPacket(byte[] packet) implements SctpOutput {
        @Override
        public String toString() {
            return "SendPacket(" + packet.length + " bytes)";
        }
    }

    /** The association reached ESTABLISHED (emitted once). */
    record Connected() implements SctpOutput {
    }

    /**
     * The peer restarted the association (RFC 9260 §5.2.4 case A: it lost its state and set up a new
     * association over the same transport; §10.2 RESTART notification). The association stays
     * ESTABLISHED with new tags, but everything of the old session is gone: messages we had queued or
     * in flight were discarded (and {@link Association#bufferedAmount} is 0), partly received ones
     * dropped, and every stream starts over at SSN 0 both ways. For data channels the peer's DCEP
     * state is gone, so every channel must be considered closed; new ones can be opened.
     */
    record Restarted() implements SctpOutput {
    }

    /**
     * A complete user message.
     *
     * @param streamId stream identifier 0..65535
     * @param ppid payload protocol identifier, opaque
     * @param payload the message bytes, never empty
     * @param unordered true if it was sent unordered (U bit)
     */
    record MessageReceived(int streamId, int ppid, byte[] payload, boolean unordered) implements SctpOutput {
        @Override
        public String toString() {
            return "MessageReceived(stream=" + streamId + ", ppid=" + ppid + ", " + payload.length + " bytes"
                    + (unordered ? ", unordered" : "") + ")";
        }
    }

    /**
     * The peer reset its outgoing streams (our incoming streams) with RFC 6525; every message it sent
     * on them before the reset has been delivered already.
     *
     * @param streamIds the streams reset; empty means all streams (RFC 6525 §4.1: "If no stream
     *     numbers are listed, the request applies to all streams")
     */
    record IncomingStreamsReset(int[] streamIds) implements SctpOutput {
        @Override
        public String toString() {
            return "IncomingStreamsReset(" + Arrays.toString(streamIds) + ")";
        }
    }

    /**
     * Our outgoing SSN reset request for these streams was performed by the peer: the peer has every
     * message we sent on them, and our next message on them starts at SSN 0. The request follows
     * {@link Association#resetStreams} or a peer's Incoming SSN Reset Request (RFC 6525 §5.2.3; browsers
     * do not send those). A data channel's stream id may be reused once this and
     * {@link IncomingStreamsReset} were both seen for it (RFC 8831 §6.7).
     *
     * @param streamIds the streams reset
     */
    record OutgoingStreamsReset(int[] streamIds) implements SctpOutput {
        @Override
        public String toString() {
            return "OutgoingStreamsReset(" + Arrays.toString(streamIds) + ")";
        }
    }

    /**
     * The peer refused our outgoing SSN reset request for these streams (RFC 6525 §5.2.1 result
     * Denied, or an error result such as Bad Sequence Number or Wrong SSN): the streams were not
     * reset, their SSNs continue, and {@code send} on them is allowed again. The peer may still hold
     * state for them, so a data channel's stream id should not be reused (RFC 8831 §6.7 asks for both
     * directions to be reset first); {@code datachannel} closes the channel locally and keeps the id
     * out of use. No {@link OutgoingStreamsReset} follows for this request.
     *
     * @param streamIds the streams of the refused request
     * @param result the peer's result code, see {@code ReconfigurationResponseParameter.RESULT_*}
     *     (2 Denied, 3 Wrong SSN, 4 Request already in progress, 5 Bad Sequence Number, or an unknown code)
     */
    record StreamResetFailed(int[] streamIds, int result) implements SctpOutput {
        @Override
        public String toString() {
            return "StreamResetFailed(" + Arrays.toString(streamIds) + ", result " + result + ")";
        }
    }

    /**
     * {@link Association#bufferedAmount(int)} fell from above the stream's threshold to at or below it.
     *
     * @param streamId the stream
     */
    record BufferedAmountLow(int streamId) implements SctpOutput {
    }

    /**
     * The association ended; nothing more will be emitted except possibly final packets.
     *
     * @param reason human-readable reason
     * @param aborted true if it ended by ABORT (sent or received) or failure, false after a graceful
     *     SHUTDOWN sequence
     */
    record Closed(String reason, boolean aborted) implements SctpOutput {
    }
}
