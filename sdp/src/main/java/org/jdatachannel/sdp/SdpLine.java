package org.jdatachannel.sdp;

import java.util.Objects;

/**
 * One {@code <type>=<value>} line of a session description, kept verbatim (RFC 8866 §5).
 *
 * <pre>
 *   type  "="  value  CRLF
 *   a=ice-ufrag:ZmVp
 *   ^ ^
 *   | +-- value: everything after the first '=' up to the line end
 *   +---- type: exactly one letter, case-significant
 * </pre>
 *
 * <p>RFC 8866 §5: "An SDP description consists of a number of lines of text of the form:
 * {@code <type>=<value>} where {@code <type>} MUST be exactly one case-significant character and
 * {@code <value>} is structured text whose format depends on {@code <type>}."
 *
 * <p>Immutable and thread-safe.
 *
 * @param type  the type letter ({@code A-Z} or {@code a-z})
 * @param value the text after {@code '='}; may be empty, never contains CR, LF or NUL
 */
public record SdpLine(char type, String value) {

    /**
     * @throws IllegalArgumentException if {@code type} is not an ASCII letter or {@code value} is
     *                                  {@code null} or contains CR, LF or NUL
     */
    public SdpLine {
        if (!isTypeLetter(type)) {
            throw new IllegalArgumentException("SDP line type must be an ASCII letter, got '" + type + "'");
        }
        checkText(value, "value of " + type + "= line");
    }

    /** @return an {@code a=} line for the attribute */
    public static SdpLine attribute(String name, String value) {
        return new Attribute(name, value).toLine();
    }

    /** @return true if this is an {@code a=} line */
    public boolean isAttribute() {
        return type == 'a';
    }

    /**
     * @return this {@code a=} line as an attribute (name before the first ':' and the value after it,
     *         or a {@code null} value when there is no ':')
     * @throws IllegalStateException if this is not an {@code a=} line
     */
    public Attribute asAttribute() {
        if (type != 'a') {
            throw new IllegalStateException("not an a= line: " + this);
        }
        return Attribute.fromLineValue(value);
    }

    /** @return the line as written, without line end: {@code type=value} */
    @Override
    public String toString() {
        return type + "=" + value;
    }

    static boolean isTypeLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Rejects null and text that would break the line structure of a description. */
    static String checkText(String s, String what) {
        Objects.requireNonNull(s, () -> what + " must not be null");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // RFC 8866 §9: text = byte-string; byte-string = 1*(%x01-09/%x0B-0C/%x0E-FF)
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException(what + " must not contain CR, LF or NUL (index " + i + ")");
            }
        }
        return s;
    }
}
