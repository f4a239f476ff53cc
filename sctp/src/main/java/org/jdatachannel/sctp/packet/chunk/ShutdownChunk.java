package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * SHUTDOWN (type 7), RFC 9260 §3.3.8.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 7    | Chunk  Flags  |      Length = 8               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Cumulative TSN Ack                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param cumulativeTsnAck the last TSN received in sequence
 */
public record ShutdownChunk(Tsn cumulativeTsnAck) implements Chunk {
    /** Chunk type. */
    public static final int TYPE = 7;

    /** Convenience constructor from a raw TSN. */
    public ShutdownChunk(int cumulativeTsnAck) {
        this(new Tsn(cumulativeTsnAck));
    }

    /** @throws PacketParseException if the value is not 4 bytes */
    public static ShutdownChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        Tlv.expectLength("SHUTDOWN", v, 4);
        return new ShutdownChunk(v.getInt(v.position()));
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 4;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(cumulativeTsnAck.value());
    }

    @Override
    public String toString() {
        return "SHUTDOWN(cum=" + cumulativeTsnAck + ")";
    }
}
