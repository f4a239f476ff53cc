package org.jdatachannel.sctp.packet.errorcause;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Missing Mandatory Parameter (cause code 2), RFC 9260 §3.3.10.2.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Cause Code = 2            |      Cause Length = 8 + N * 2 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Number of missing params = N                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Missing Param Type #1       |   Missing Param Type #2       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param missingTypes the missing parameter types (not copied; treat as read-only)
 */
public record MissingMandatoryParameterCause(int[] missingTypes) implements ErrorCause {
    /** Cause code. */
    public static final int CODE = 2;

    /** @throws PacketParseException if the count does not match the value length */
    public static MissingMandatoryParameterCause parse(ByteBuffer v) throws PacketParseException {
        int n = v.remaining();
        if (n < 4) {
            throw new PacketParseException("Missing Mandatory Parameter: value length " + n + " < 4");
        }
        long count = Integer.toUnsignedLong(v.getInt(v.position()));
        if (count * 2 != n - 4) {
            throw new PacketParseException("Missing Mandatory Parameter: count " + count
                    + " does not match value length " + n);
        }
        return new MissingMandatoryParameterCause(Tlv.getU16s(v, 4, (int) count));
    }

    @Override
    public int code() {
        return CODE;
    }

    @Override
    public int valueLength() {
        return 4 + 2 * missingTypes.length;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(missingTypes.length);
        Tlv.putU16s(out, missingTypes);
    }

    @Override
    public String toString() {
        return "MissingMandatoryParameter(" + Arrays.toString(missingTypes) + ")";
    }
}
