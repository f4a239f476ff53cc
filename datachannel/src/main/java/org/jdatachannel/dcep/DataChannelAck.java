package org.jdatachannel.dcep;

import java.nio.ByteBuffer;

/**
 * DATA_CHANNEL_ACK (RFC 8832 §5.2): "This message is sent in response to a DATA_CHANNEL_OPEN
 * message. It is sent on the stream used for user messages using the data channel. Reception of
 * this message tells the opener that the data channel setup handshake is complete."
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+
 * |  Message Type |   (0x02)
 * +-+-+-+-+-+-+-+-+
 * </pre>
 */
public record DataChannelAck() implements DcepMessage {

    static DataChannelAck parseBody(ByteBuffer b) throws DcepParseException {
        if (b.remaining() != 1) {
            throw new DcepParseException("DATA_CHANNEL_ACK must be 1 byte, got " + b.remaining());
        }
        return new DataChannelAck();
    }

    @Override
    public int serializedLength() {
        return 1;
    }

    @Override
    public void serializeTo(ByteBuffer out) {
        out.put((byte) TYPE_ACK);
    }

    @Override
    public String toString() {
        return "DATA_CHANNEL_ACK";
    }
}
