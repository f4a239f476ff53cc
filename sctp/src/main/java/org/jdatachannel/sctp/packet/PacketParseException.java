package org.jdatachannel.sctp.packet;

/**
 * A received SCTP packet, chunk, parameter or error cause that is malformed. Checked, so that bad
 * input can never escape as an unchecked exception; the message names the element and the check
 * that failed, with the offending numbers.
 */
public final class PacketParseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message which element failed which check, including the numbers involved */
    public PacketParseException(String message) {
        super(message);
    }
}
