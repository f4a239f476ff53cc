package org.jdatachannel.dtls;

/**
 * The 13-byte DTLS 1.0/1.2 record header (RFC 6347 §4.1), also used by DTLS 1.3 for plaintext
 * records (RFC 9147 §4, DTLSPlaintext).
 *
 * <pre>
 *  struct {
 *       ContentType type;                 // 1 byte: 20 ccs, 21 alert, 22 handshake, 23 data
 *       ProtocolVersion version;          // 2 bytes: {254, 253} = DTLS 1.2
 *       uint16 epoch;                     // 2 bytes
 *       uint48 sequence_number;           // 6 bytes
 *       uint16 length;                    // 2 bytes, length of the fragment that follows
 *       opaque fragment[DTLSPlaintext.length];
 *  } DTLSPlaintext;
 * </pre>
 *
 * @param contentType 0..255
 * @param version 0..65535, e.g. 0xFEFD for DTLS 1.2
 * @param epoch 0..65535
 * @param sequenceNumber 0..2^48-1
 * @param length fragment length in bytes, 0..65535
 */
record RecordHeader(int contentType, int version, int epoch, long sequenceNumber, int length) {

    /** Header size in bytes. */
    static final int LENGTH = 13;

    /** Content type of handshake records (RFC 5246 §6.2.1). */
    static final int HANDSHAKE = 22;

    RecordHeader {
        if (!Bytes.fitsUnsigned(contentType, 8) || !Bytes.fitsUnsigned(version, 16) || !Bytes.fitsUnsigned(epoch, 16)
                || !Bytes.fitsUnsigned(sequenceNumber, 48) || !Bytes.fitsUnsigned(length, 16)) {
            throw new IllegalArgumentException("record header field out of range: type " + contentType + " version "
                    + version + " epoch " + epoch + " seq " + sequenceNumber + " length " + length);
        }
    }

    /**
     * @param buf holds exactly {@link #LENGTH} bytes at {@code off}; the caller has checked bounds
     */
    static RecordHeader parse(byte[] buf, int off) {
        return new RecordHeader(buf[off] & 0xFF, Bytes.u16(buf, off + 1), Bytes.u16(buf, off + 3),
                Bytes.u48(buf, off + 5), Bytes.u16(buf, off + 11));
    }

    /** Writes the {@link #LENGTH} header bytes at {@code off}. */
    void serializeTo(byte[] buf, int off) {
        buf[off] = (byte) contentType;
        Bytes.put16(buf, off + 1, version);
        Bytes.put16(buf, off + 3, epoch);
        Bytes.put48(buf, off + 5, sequenceNumber);
        Bytes.put16(buf, off + 11, length);
    }

    @Override
    public String toString() {
        return String.format("Record[type=%d, version=0x%04X, epoch=%d, seq=%d, length=%d]", contentType, version,
                epoch, sequenceNumber, length);
    }
}
