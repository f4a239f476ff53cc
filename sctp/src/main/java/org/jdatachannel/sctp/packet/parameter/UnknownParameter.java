package org.jdatachannel.sctp.packet.parameter;

import org.jdatachannel.sctp.packet.OpaqueValue;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.TlvElement;

/**
 * A parameter whose type this implementation does not interpret (IPv4/IPv6 address, cookie
 * preservative, host name, zero checksum, ...). Kept verbatim so that RFC 9260 §3.2.1 can be
 * applied: "The Parameter Types are encoded such that the highest-order 2 bits specify the action
 * that is taken if the processing endpoint does not recognize the Parameter Type."
 *
 * @param type the 16-bit type
 * @param value the raw value bytes (not copied; treat as read-only)
 */
public record UnknownParameter(int type, byte[] value) implements Parameter, OpaqueValue {

    /** @return true if bit 15 is set: "Skip this parameter and continue processing." */
    public boolean skipAndContinue() {
        return (type & 0x8000) != 0;
    }

    /** @return true if bit 14 is set: report it in an Unrecognized Parameter. */
    public boolean report() {
        return (type & 0x4000) != 0;
    }

    /** @return the complete TLV (header plus value, unpadded), as carried in error reports */
    public byte[] tlvBytes() {
        return TlvElement.unpaddedBytes(this);
    }

    @Override
    public String toString() {
        return "UnknownParameter(type=0x" + Integer.toHexString(type) + ", " + Tlv.hex(value) + ")";
    }
}
