package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Invalid Stream Identifier (cause code 1), RFC 9260 §3.3.10.1.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 1            |      Cause Length = 8         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Stream Identifier      |         (Reserved)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param streamId the offending stream identifier, 0..65535
 */
public record InvalidStreamIdentifierCause(StreamId streamId) implements ErrorCause {
    /** Cause code. */
    public static final int CODE = 1;

    /** @throws PacketParseException if the value is not 4 bytes */
    public static InvalidStreamIdentifierCause parse(ByteBuffer v) throws PacketParseException {
        Tlv.expectLength("Invalid Stream Identifier", v, 4);
        return new InvalidStreamIdentifierCause(new StreamId(v.getShort(v.position()) & 0xffff));
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public int valueLength() {
        return 4;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putShort((short) streamId.value()).putShort((short) 0);
    }

    @Override
    public String toString() {
        return "InvalidStreamIdentifier(" + streamId + ")";
    }
}
