package org.jdatachannel.sctp.packet.parameter;

import java.nio.ByteBuffer;
import org.jdatachannel.sctp.packet.PacketParseException;

/**
 * Re-configuration Response (type 16), RFC 6525 §4.4. The optional TSN fields are only used for
 * SSN/TSN reset requests, which we never send; they are kept when present.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Parameter Type = 16       |      Parameter Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Re-configuration Response Sequence Number             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Result                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Sender's Next TSN (optional)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Receiver's Next TSN (optional)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param responseSequenceNumber the request sequence number this answers
 * @param result one of the {@code RESULT_*} codes (other values are kept as received)
 * @param hasTsns whether the two optional TSN fields are present
 * @param sendersNextTsn the optional sender's next TSN (0 when absent)
 * @param receiversNextTsn the optional receiver's next TSN (0 when absent)
 */
public record ReconfigurationResponseParameter(int responseSequenceNumber, int result, boolean hasTsns,
        int sendersNextTsn, int receiversNextTsn) implements Parameter {
    /** Parameter type. */
    public static final int TYPE = 16;
    /** "Success - Nothing to do". */
    public static final int RESULT_SUCCESS_NOTHING_TO_DO = 0;
    /** "Success - Performed". */
    public static final int RESULT_SUCCESS_PERFORMED = 1;
    /** "Denied". */
    public static final int RESULT_DENIED = 2;
    /** "Error - Wrong SSN". */
    public static final int RESULT_ERROR_WRONG_SSN = 3;
    /** "Error - Request already in progress". */
    public static final int RESULT_ERROR_REQUEST_ALREADY_IN_PROGRESS = 4;
    /** "Error - Bad Sequence Number". */
    public static final int RESULT_ERROR_BAD_SEQUENCE_NUMBER = 5;
    /** "In progress". */
    public static final int RESULT_IN_PROGRESS = 6;

    /** A response without the optional TSN fields. */
    public ReconfigurationResponseParameter(int responseSequenceNumber, int result) {
        this(responseSequenceNumber, result, false, 0, 0);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the value is neither 8 nor 16 bytes
     */
    public static ReconfigurationResponseParameter parse(ByteBuffer v) throws PacketParseException {
        int n = v.remaining();
        int p = v.position();
        if (n == 8) {
            return new ReconfigurationResponseParameter(v.getInt(p), v.getInt(p + 4));
        }
        if (n == 16) {
            return new ReconfigurationResponseParameter(v.getInt(p), v.getInt(p + 4), true,
                    v.getInt(p + 8), v.getInt(p + 12));
        }
        throw new PacketParseException("Re-configuration Response: value length " + n + " is not 8 or 16");
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return hasTsns ? 16 : 8;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(responseSequenceNumber).putInt(result);
        if (hasTsns) {
            out.putInt(sendersNextTsn).putInt(receiversNextTsn);
        }
    }

    /** @return a readable name for a result code */
    public static String resultName(int result) {
        switch (result) {
            case 0: return "Success - Nothing to do";
            case 1: return "Success - Performed";
            case 2: return "Denied";
            case 3: return "Error - Wrong SSN";
            case 4: return "Error - Request already in progress";
            case 5: return "Error - Bad Sequence Number";
            case 6: return "In progress";
            default: return "Unknown(" + Integer.toUnsignedString(result) + ")";
        }
    }

    @Override
    public String toString() {
        return "ReconfigurationResponse(resp=" + Integer.toUnsignedString(responseSequenceNumber)
                + ", " + resultName(result) + (hasTsns ? ", senderNext=" + Integer.toUnsignedString(sendersNextTsn)
                + ", receiverNext=" + Integer.toUnsignedString(receiversNextTsn) : "") + ")";
    }
}
