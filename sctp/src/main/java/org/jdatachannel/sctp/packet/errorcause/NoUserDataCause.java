package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * No User Data (cause code 9), RFC 9260 §3.3.10.9: a DATA chunk arrived with no payload.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 9            |      Cause Length = 8         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                  TSN value                                    /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param tsn the TSN of the empty DATA chunk
 */
public record NoUserDataCause(Tsn tsn) implements ErrorCause {
    /** Cause code. */
    public static final int CODE = 9;

    /** @throws PacketParseException if the value is not 4 bytes */
    public static NoUserDataCause parse(ByteBuffer v) throws PacketParseException {
        Tlv.expectLength("No User Data", v, 4);
        return new NoUserDataCause(new Tsn(v.getInt(v.position())));
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
        out.putInt(tsn.value());
    }

    @Override
    public String toString() {
        return "NoUserData(tsn=" + tsn + ")";
    }
}
