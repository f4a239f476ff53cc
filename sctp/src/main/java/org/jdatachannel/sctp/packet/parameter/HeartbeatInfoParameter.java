package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.OpaqueValue;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * Heartbeat Info (type 1), RFC 9260 §3.3.5: opaque sender-specific information echoed back in the
 * HEARTBEAT ACK.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Heartbeat Info Type = 1    |         HB Info Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                  Sender-Specific Heartbeat Info               /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param info the opaque bytes (not copied; treat as read-only)
 */
public record HeartbeatInfoParameter(byte[] info) implements Parameter, OpaqueValue {
    /** Parameter type. */
    public static final int TYPE = 1;

    /** Parses from an exactly-sized value slice; any content is valid. */
    public static HeartbeatInfoParameter parse(ByteBuffer value) {
        return new HeartbeatInfoParameter(Tlv.bytes(value));
    }

    /** @return the value bytes: the same array as {@link #info()} (not copied) */
    @Override
    public byte[] value() {
        return info;
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "HeartbeatInfo(" + Tlv.hex(info) + ")";
    }
}
