package org.jdatachannel.dcep;

/**
 * The Channel Type field of DATA_CHANNEL_OPEN (RFC 8832 §5.1, §8.2.2). The high bit (0x80) marks
 * unordered delivery; the low bits choose the reliability model, which gives the meaning of the
 * Reliability Parameter.
 *
 * <pre>
 *  0x00 DATA_CHANNEL_RELIABLE                              reliable, ordered
 *  0x80 DATA_CHANNEL_RELIABLE_UNORDERED                    reliable, unordered
 *  0x01 DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT               parameter = max retransmissions
 *  0x81 DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED
 *  0x02 DATA_CHANNEL_PARTIAL_RELIABLE_TIMED                parameter = lifetime in ms
 *  0x82 DATA_CHANNEL_PARTIAL_RELIABLE_TIMED_UNORDERED
 * </pre>
 */
public enum ChannelType {
    /** 0x00: reliable, ordered; the reliability parameter is ignored. */
    RELIABLE(0x00),
    /** 0x80: reliable, unordered; the reliability parameter is ignored. */
    RELIABLE_UNORDERED(0x80),
    /** 0x01: ordered, at most {@code reliabilityParameter} retransmissions. */
    PARTIAL_RELIABLE_REXMIT(0x01),
    /** 0x81: unordered, at most {@code reliabilityParameter} retransmissions. */
    PARTIAL_RELIABLE_REXMIT_UNORDERED(0x81),
    /** 0x02: ordered, retransmitted for at most {@code reliabilityParameter} milliseconds. */
    PARTIAL_RELIABLE_TIMED(0x02),
    /** 0x82: unordered, retransmitted for at most {@code reliabilityParameter} milliseconds. */
    PARTIAL_RELIABLE_TIMED_UNORDERED(0x82);

    private final int code;

    ChannelType(int code) {
        this.code = code;
    }

    /** @return the wire value, 0..255 */
    public int code() {
        return code;
    }

    /** @return true for the 0x80 variants (RFC 8832 §5.1: "The message is sent unordered") */
    public boolean unordered() {
        return (code & 0x80) != 0;
    }

    /** @return true for the retransmission-limited variants (0x01, 0x81) */
    public boolean limitsRetransmits() {
        return (code & 0x7f) == 0x01;
    }

    /** @return true for the lifetime-limited variants (0x02, 0x82) */
    public boolean limitsLifetime() {
        return (code & 0x7f) == 0x02;
    }

    /**
     * The type for a wire value.
     *
     * @param code the Channel Type byte, 0..255
     * @return the type, or {@code null} if the value is not one of the six defined ones
     */
    public static ChannelType fromCode(int code) {
        for (ChannelType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /**
     * The type matching a channel's options.
     *
     * @param unordered   true for unordered delivery
     * @param rexmit      true if retransmissions are limited
     * @param timed       true if the lifetime is limited
     * @return the type
     * @throws IllegalArgumentException if both {@code rexmit} and {@code timed} are set (W3C and
     *                                  RFC 8832 allow only one reliability limit)
     */
    public static ChannelType of(boolean unordered, boolean rexmit, boolean timed) {
        if (rexmit && timed) {
            throw new IllegalArgumentException("a channel can limit retransmits or lifetime, not both");
        }
        int base = rexmit ? 0x01 : timed ? 0x02 : 0x00;
        return fromCode(base | (unordered ? 0x80 : 0));
    }
}
