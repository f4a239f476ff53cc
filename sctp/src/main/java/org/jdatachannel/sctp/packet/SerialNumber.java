package org.jdatachannel.sctp.packet;

/**
 * Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs, as required by RFC 9260
 * §1.6: "Comparisons and arithmetic on TSNs in this document SHOULD use Serial Number Arithmetic as
 * defined in [RFC1982] where SERIAL_BITS = 32." and for SSNs "where SERIAL_BITS = 16".
 *
 * <p>Stateless and thread-safe.
 */
public final class SerialNumber {
    private SerialNumber() {
    }

    /** @return true if TSN {@code a} is after {@code b} (RFC 1982 "greater than", 32 bits) */
    public static boolean tsnGreater(int a, int b) {
        return a != b && (a - b) > 0;
    }

    /** @return true if TSN {@code a} is after or equal to {@code b} (32 bits) */
    public static boolean tsnGreaterOrEqual(int a, int b) {
        return a == b || (a - b) > 0;
    }

    /** @return true if SSN {@code a} is after {@code b} (RFC 1982, 16 bits); inputs 0..65535 */
    public static boolean ssnGreater(int a, int b) {
        return a != b && (short) (a - b) > 0;
    }
}
