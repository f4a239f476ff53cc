package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Incoming SSN Reset Request (type 14), RFC 6525 §4.2: asks the receiver to reset its outgoing
 * streams. We answer "Denied" (data channels use outgoing resets only, RFC 8831 §6.7).
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Parameter Type = 14       |  Parameter Length = 8 + 2 * N |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Re-configuration Request Sequence Number             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                            ......                             /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param requestSequenceNumber this request's sequence number
 * @param streamIds stream identifiers 0..65535 (not copied; treat as read-only)
 */
public record IncomingSsnResetRequestParameter(int requestSequenceNumber, int[] streamIds)
        implements Parameter {
    /** Parameter type. */
    public static final int TYPE = 14;

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if shorter than 4 bytes or the stream list has odd length
     */
    public static IncomingSsnResetRequestParameter parse(ByteBuffer v) throws PacketParseException {
        int n = v.remaining();
        if (n < 4 || (n - 4) % 2 != 0) {
            throw new PacketParseException("Incoming SSN Reset Request: bad value length " + n);
        }
        return new IncomingSsnResetRequestParameter(v.getInt(v.position()), Tlv.getU16s(v, 4, (n - 4) / 2));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 4 + 2 * streamIds.length;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(requestSequenceNumber);
        Tlv.putU16s(out, streamIds);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IncomingSsnResetRequestParameter r
                && r.requestSequenceNumber == requestSequenceNumber && Arrays.equals(r.streamIds, streamIds);
    }

    @Override
    public int hashCode() {
        return requestSequenceNumber * 31 + Arrays.hashCode(streamIds);
    }

    @Override
    public String toString() {
        return "IncomingSsnResetRequest(req=" + Integer.toUnsignedString(requestSequenceNumber)
                + ", streams=" + Arrays.toString(streamIds) + ")";
    }
}
