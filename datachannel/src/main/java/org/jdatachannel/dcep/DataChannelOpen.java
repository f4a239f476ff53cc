package org.jdatachannel.dcep;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * DATA_CHANNEL_OPEN (RFC 8832 §5.1): "This message is initially sent using the data channel on the
 * stream used for user messages."
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Message Type |  Channel Type |            Priority           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Reliability Parameter                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Label Length          |       Protocol Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               /
 * |                             Label                             |
 * /                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               /
 * |                            Protocol                           |
 * /                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Message Type is 0x03. Label and Protocol are UTF-8 without terminator or padding; their byte
 * lengths are the 16-bit Label Length and Protocol Length fields.
 *
 * @param channelType          the reliability/ordering model
 * @param priority             0..65535 (RFC 8832 §5.1: "The priority of the data channel, as
 *                             described in [RFC8831]"; 256 is "normal")
 * @param reliabilityParameter 0..2^32-1: retransmissions for the REXMIT types, milliseconds for
 *                             the TIMED types, ignored (send 0) for the reliable types
 * @param label                the channel label; at most 65535 bytes of UTF-8
 * @param protocol             the sub-protocol, "" if none; at most 65535 bytes of UTF-8
 */
public record DataChannelOpen(ChannelType channelType, int priority, long reliabilityParameter,
                              String label, String protocol) implements DcepMessage {

    /** Size of the fixed part before the label (RFC 8832 §5.1). */
    public static final int HEADER_LENGTH = 12;

    /** RFC 8831 §6.4 priority "normal". */
    public static final int PRIORITY_NORMAL = 256;

    /**
     * @throws IllegalArgumentException if a field is null or out of range, or label/protocol are
     *                                  longer than 65535 UTF-8 bytes or contain unpaired surrogates
     */
    public DataChannelOpen {
        Objects.requireNonNull(channelType, "channelType");
        if (priority < 0 || priority > 0xffff) {
            throw new IllegalArgumentException("priority must be 0..65535, got " + priority);
        }
        if (reliabilityParameter < 0 || reliabilityParameter > 0xffffffffL) {
            throw new IllegalArgumentException("reliabilityParameter must be 0..4294967295, got " + reliabilityParameter);
        }
        checkText("label", label);
        checkText("protocol", protocol);
    }

    private static void checkText(String what, String s) {
        if (s == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        int len = utf8(what, s).length;
        if (len > 0xffff) {
            throw new IllegalArgumentException(what + " is " + len + " UTF-8 bytes; at most 65535 fit in DATA_CHANNEL_OPEN");
        }
    }

    private static byte[] utf8(String what, String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not encodable as UTF-8 (unpaired surrogate)", e);
        }
    }

    static DataChannelOpen parseBody(ByteBuffer b) throws DcepParseException {
        int size = b.remaining();
        if (size < HEADER_LENGTH) {
            throw new DcepParseException("DATA_CHANNEL_OPEN truncated: " + size + " bytes, header needs " + HEADER_LENGTH);
        }
        int typeCode = b.get(1) & 0xff;
        ChannelType type = ChannelType.fromCode(typeCode);
        if (type == null) {
            throw new DcepParseException("DATA_CHANNEL_OPEN has unknown channel type 0x" + Integer.toHexString(typeCode));
        }
        int priority = b.getShort(2) & 0xffff;
        long reliability = b.getInt(4) & 0xffffffffL;
        int labelLength = b.getShort(8) & 0xffff;
        int protocolLength = b.getShort(10) & 0xffff;
        int expected = HEADER_LENGTH + labelLength + protocolLength;
        if (expected != size) {
            throw new DcepParseException("DATA_CHANNEL_OPEN label length " + labelLength + " + protocol length "
                    + protocolLength + " + header " + HEADER_LENGTH + " = " + expected + " but message is " + size + " bytes");
        }
        String label = decode("label", b, HEADER_LENGTH, labelLength);
        String protocol = decode("protocol", b, HEADER_LENGTH + labelLength, protocolLength);
        return new DataChannelOpen(type, priority, reliability, label, protocol);
    }

    private static String decode(String what, ByteBuffer b, int offset, int length) throws DcepParseException {
        ByteBuffer part = b.duplicate().position(offset).limit(offset + length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(part).toString();
        } catch (CharacterCodingException e) {
            throw new DcepParseException("DATA_CHANNEL_OPEN " + what + " (" + length + " bytes at offset " + offset
                    + ") is not valid UTF-8");
        }
    }

    @Override
    public int serializedLength() {
        return HEADER_LENGTH + utf8("label", label).length + utf8("protocol", protocol).length;
    }

    @Override
    public void serializeTo(ByteBuffer out) {
        byte[] l = utf8("label", label);
        byte[] p = utf8("protocol", protocol);
        ByteOrder order = out.order();
        out.order(ByteOrder.BIG_ENDIAN); // RFC 8832 fields are in network byte order
        out.put((byte) TYPE_OPEN)
                .put((byte) channelType.code())
                .putShort((short) priority)
                .putInt((int) reliabilityParameter)
                .putShort((short) l.length)
                .putShort((short) p.length)
                .put(l)
                .put(p);
        out.order(order);
    }

    @Override
    public String toString() {
        return "DATA_CHANNEL_OPEN{type=" + channelType + ", priority=" + priority + ", reliability="
                + reliabilityParameter + ", label=\"" + label + "\", protocol=\"" + protocol + "\"}";
    }
}
