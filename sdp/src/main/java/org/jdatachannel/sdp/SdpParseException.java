package org.jdatachannel.sdp;

/**
 * A session description, or one element of it, could not be parsed.
 *
 * <p>The message is {@code "line N: reason"} when the problem is tied to a line of the description
 * ({@link #lineNumber()} &gt; 0) and just {@code "reason"} otherwise. Instances are immutable and
 * safe to share between threads.
 */
public final class SdpParseException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int lineNumber;
    private final String reason;

    /**
     * @param lineNumber 1-based line number of the offending line, or 0 when not line-specific;
     *                   negative values are treated as 0
     * @param reason     what was wrong, in words (never {@code null})
     */
    public SdpParseException(int lineNumber, String reason) {
        super(format(lineNumber, reason));
        this.lineNumber = Math.max(0, lineNumber);
        this.reason = reason == null ? "unknown error" : reason;
    }

    /** Same exception with a line number attached (used when an element parser runs on a line). */
    SdpParseException atLine(int line) {
        if (line <= 0 || lineNumber == line) {
            return this;
        }
        SdpParseException e = new SdpParseException(line, reason);
        e.initCause(this);
        return e;
    }

    private static String format(int lineNumber, String reason) {
        String r = reason == null ? "unknown error" : reason;
        return lineNumber > 0 ? "line " + lineNumber + ": " + r : r;
    }

    /** @return 1-based line number of the offending line, or 0 when the problem is not line-specific */
    public int lineNumber() {
        return lineNumber;
    }

    /** @return the reason without the line prefix */
    public String reason() {
        return reason;
    }
}
