package org.jdatachannel.sctp.packet.chunk;

import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * What the two user-data chunk formats share: DATA (RFC 9260 §3.3.1) and I-DATA (RFC 8260 §2.1).
 * The congestion control, SACK and retransmission code works on this view; reassembly looks at the
 * concrete type. RFC 8260 §2.2.2: "All other properties of the existing SCTP DATA chunk also apply to
 * the I-DATA chunk".
 */
public sealed interface UserDataChunk extends Chunk permits DataChunk, IDataChunk {
    /** @return the TSN */
    Tsn tsn();

    /** @return the stream */
    StreamId streamId();

    /**
     * @return exactly this fragment's user data (not copied when the chunk holds a whole array, as
     *     parsed chunks do; treat as read-only). Hot paths use {@link #payloadLength()} instead.
     */
    byte[] payload();

    /** @return the length of this fragment's user data in bytes, without copying it */
    int payloadLength();

    /** @return the U bit */
    boolean unordered();

    /** @return the B bit: first fragment of a message */
    boolean beginning();

    /** @return the E bit: last fragment of a message */
    boolean end();

    /** @return the I bit (RFC 7053) */
    boolean immediateAck();

    /** @return bytes in front of the user data: 16 for DATA, 20 for I-DATA */
    int headerSize();
}
