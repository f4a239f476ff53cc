package org.jdatachannel.sctp.packet.errorcause;

import org.jdatachannel.sctp.packet.OpaqueValue;
import org.jdatachannel.sctp.packet.Tlv;

/**
 * An error cause code this implementation does not interpret (for example Unresolvable Address,
 * Restart of an Association with New Addresses), kept verbatim. RFC 9260 §3.3.10.
 *
 * @param code the cause code
 * @param value the cause-specific information (not copied; treat as read-only)
 */
public record UnknownErrorCause(int code, byte[] value) implements ErrorCause, OpaqueValue {

    @Override
    public String toString() {
        return "ErrorCause(code=" + code + ", " + Tlv.hex(value) + ")";
    }
}
