package org.jdatachannel.dtls;

/**
 * The 12-byte DTLS handshake fragment header (RFC 6347 §4.2.2).
 *
 * <pre>
 *  struct {
 *    HandshakeType msg_type;    // 1 byte: 1 client_hello, 2 server_hello, 11 certificate, ...
 *    uint24 length;             // length of the whole message body
 *    uint16 message_seq;
 *    uint24 fragment_offset;    // where this fragment starts in the body
 *    uint24 fragment_length;    // bytes of body in this fragment
 *    ...                        // fragment_length bytes follow
 *  } Handshake;
 * </pre>
 *
 * @param msgType 0..255
 * @param length message body length, 0..2^24-1
 * @param messageSeq 0..65535
 * @param fragmentOffset 0..2^24-1
 * @param fragmentLength 0..2^24-1
 */
record HandshakeHeader(int msgType, int length, int messageSeq, int fragmentOffset, int fragmentLength) {

    /** Header size in bytes. */
    static final int LENGTH = 12;

    HandshakeHeader {
        if (!Bytes.fitsUnsigned(msgType, 8) || !Bytes.fitsUnsigned(length, 24) || !Bytes.fitsUnsigned(messageSeq, 16)
                || !Bytes.fitsUnsigned(fragmentOffset, 24) || !Bytes.fitsUnsigned(fragmentLength, 24)) {
            throw new IllegalArgumentException("handshake header field out of range: type " + msgType + " length "
                    + length + " seq " + messageSeq + " offset " + fragmentOffset + " fragment " + fragmentLength);
        }
    }

    /**
     * @param buf holds exactly {@link #LENGTH} bytes at {@code off}; the caller has checked bounds
     */
    static HandshakeHeader parse(byte[] buf, int off) {
        return new HandshakeHeader(buf[off] & 0xFF, Bytes.u24(buf, off + 1), Bytes.u16(buf, off + 4),
                Bytes.u24(buf, off + 6), Bytes.u24(buf, off + 9));
    }

    /** Writes the {@link #LENGTH} header bytes at {@code off}. */
    void serializeTo(byte[] buf, int off) {
        buf[off] = (byte) msgType;
        Bytes.put24(buf, off + 1, length);
        Bytes.put16(buf, off + 4, messageSeq);
        Bytes.put24(buf, off + 6, fragmentOffset);
        Bytes.put24(buf, off + 9, fragmentLength);
    }

    @Override
    public String toString() {
        return "Handshake[type=" + msgType + ", length=" + length + ", seq=" + messageSeq + ", offset="
                + fragmentOffset + ", fragment=" + fragmentLength + "]";
    }
}
