package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * Outgoing SSN Reset Request (type 13), RFC 6525 §4.1: the sender resets the SSNs of its outgoing
 * streams (the receiver's incoming streams). An empty stream list means all streams.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Parameter Type = 13       | Parameter Length = 16 + 2 * N |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Re-configuration Request Sequence Number            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Re-configuration Response Sequence Number           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Sender's Last Assigned TSN                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                            ......                             /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param requestSequenceNumber this request's sequence number
 * @param responseSequenceNumber the sequence number of the last request received from the peer
 * @param sendersLastAssignedTsn the last TSN the sender assigned on these streams
 * @param streamIds stream identifiers 0..65535 (not copied; treat as read-only)
 */
public record OutgoingSsnResetRequestParameter(int requestSequenceNumber, int responseSequenceNumber,
        Tsn sendersLastAssignedTsn, int[] streamIds) implements Parameter {
    /** Parameter type. */
    public static final int TYPE = 13;

    /** Convenience constructor from a raw TSN. */
    public OutgoingSsnResetRequestParameter(int requestSequenceNumber, int responseSequenceNumber,
            int sendersLastAssignedTsn, int[] streamIds) {
        this(requestSequenceNumber, responseSequenceNumber, new Tsn(sendersLastAssignedTsn), streamIds);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if shorter than 12 bytes or the stream list has odd length
     */
    public static OutgoingSsnResetRequestParameter parse(ByteBuffer v) throws PacketParseException {
        int n = v.remaining();
        if (n < 12 || (n - 12) % 2 != 0) {
            throw new PacketParseException("Outgoing SSN Reset Request: bad value length " + n);
        }
        int p = v.position();
        return new OutgoingSsnResetRequestParameter(v.getInt(p), v.getInt(p + 4), v.getInt(p + 8),
                Tlv.getU16s(v, 12, (n - 12) / 2));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 12 + 2 * streamIds.length;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(requestSequenceNumber).putInt(responseSequenceNumber).putInt(sendersLastAssignedTsn.value());
        Tlv.putU16s(out, streamIds);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutgoingSsnResetRequestParameter r
                && r.requestSequenceNumber == requestSequenceNumber
                && r.responseSequenceNumber == responseSequenceNumber
                && r.sendersLastAssignedTsn.equals(sendersLastAssignedTsn)
                && Arrays.equals(r.streamIds, streamIds);
    }

    @Override
    public int hashCode() {
        return requestSequenceNumber * 31 + Arrays.hashCode(streamIds);
    }

    @Override
    public String toString() {
        return "OutgoingSsnResetRequest(req=" + Integer.toUnsignedString(requestSequenceNumber)
                + ", resp=" + Integer.toUnsignedString(responseSequenceNumber)
                + ", lastTsn=" + sendersLastAssignedTsn
                + ", streams=" + Arrays.toString(streamIds) + ")";
    }
}
