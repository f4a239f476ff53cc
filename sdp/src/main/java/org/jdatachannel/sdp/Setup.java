package org.jdatachannel.sdp;

import java.util.Locale;

/**
 * The {@code a=setup} attribute (RFC 4145 §4, used for DTLS by RFC 8842 §5). Enum constants are
 * immutable and thread-safe.
 *
 * <pre>
 *   setup-attr = "a=setup:" role
 *   role       = "active" / "passive" / "actpass" / "holdconn"
 * </pre>
 *
 * <p>For DTLS, {@code active} is the DTLS client and {@code passive} the DTLS server.
 */
public enum Setup {
    /** "actpass": the endpoint is willing to take either role (offers, RFC 8842 §5.2). */
    ACTPASS("actpass"),
    /** "active": the endpoint initiates (DTLS client). */
    ACTIVE("active"),
    /** "passive": the endpoint accepts (DTLS server). */
    PASSIVE("passive"),
    /** "holdconn": no connection for now. */
    HOLDCONN("holdconn");

    private final String token;

    Setup(String token) {
        this.token = token;
    }

    /** @return the attribute value, e.g. {@code "actpass"} */
    public String token() {
        return token;
    }

    /**
     * @param value the attribute value (case-insensitive, surrounding spaces ignored)
     * @throws SdpParseException        (line 0) if the value is not one of the four roles
     * @throws IllegalArgumentException if {@code value} is null
     */
    public static Setup parse(String value) throws SdpParseException {
        if (value == null) {
            throw new IllegalArgumentException("setup value must not be null");
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (Setup s : values()) {
            if (s.token.equals(v)) {
                return s;
            }
        }
        throw new SdpParseException(0, "setup must be active, passive, actpass or holdconn, found '"
                + SessionDescription.clip(value) + "'");
    }

    @Override
    public String toString() {
        return token;
    }
}
