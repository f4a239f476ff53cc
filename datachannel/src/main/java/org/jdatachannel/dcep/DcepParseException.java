package org.jdatachannel.dcep;

/**
 * A DCEP message (RFC 8832 §5) could not be parsed: truncated, unknown message or channel type,
 * inconsistent lengths or malformed UTF-8. The message says which check failed and the numbers
 * involved. Checked on purpose: a malformed message from the peer is an expected input, never a
 * programming error.
 */
public final class DcepParseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message which check failed, with the offending values */
    public DcepParseException(String message) {
        super(message);
    }
}
