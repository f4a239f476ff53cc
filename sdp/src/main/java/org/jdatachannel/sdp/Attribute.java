package org.jdatachannel.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An SDP attribute, {@code a=<attribute-name>[:<attribute-value>]} (RFC 8866 §5.13, §6).
 *
 * <pre>
 *   a=max-message-size:262144     name "max-message-size", value "262144"
 *   a=msid-semantic: WMS          name "msid-semantic",    value " WMS" (kept verbatim)
 *   a=end-of-candidates           name "end-of-candidates", value null (property attribute)
 * </pre>
 *
 * <p>RFC 8866 §5.13: "Attributes take two forms: A property attribute is simply of the form
 * "a=&lt;attribute-name&gt;" ... A value attribute is of the form
 * "a=&lt;attribute-name&gt;:&lt;attribute-value&gt;"." Names are compared exactly as written by this
 * class's users (the RFC says attribute names are case-sensitive unless defined otherwise).
 *
 * <p>Immutable and thread-safe.
 *
 * @param name  the attribute name: non-empty, no ':' , no CR/LF/NUL
 * @param value the value after the first ':' (verbatim, may be empty), or {@code null} for a
 *              property attribute
 */
public record Attribute(String name, String value) {

    /** @throws IllegalArgumentException if the name is empty or contains ':', CR, LF or NUL */
    public Attribute {
        SdpLine.checkText(name, "attribute name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("attribute name must not be empty");
        }
        if (name.indexOf(':') >= 0) {
            throw new IllegalArgumentException("attribute name must not contain ':': " + name);
        }
        if (value != null) {
            SdpLine.checkText(value, "value of attribute " + name);
        }
    }

    /** @return a property attribute (no value) */
    public static Attribute property(String name) {
        return new Attribute(name, null);
    }

    /**
     * The attribute view shared by the session level and each media section (RFC 8866 §5.13).
     *
     * @return every {@code a=} line of {@code lines} as an attribute, in order
     */
    static List<Attribute> allIn(List<SdpLine> lines) {
        List<Attribute> out = new ArrayList<>();
        for (SdpLine l : lines) {
            if (l.isAttribute()) {
                out.add(l.asAttribute());
            }
        }
        return out;
    }

    /**
     * @return the value of the first {@code a=} line of {@code lines} with this exact name; an empty
     *         string for a property attribute; empty when absent
     */
    static Optional<String> firstValueIn(List<SdpLine> lines, String name) {
        for (SdpLine l : lines) {
            if (l.isAttribute()) {
                Attribute a = l.asAttribute();
                if (a.name().equals(name)) {
                    return Optional.of(a.value() == null ? "" : a.value());
                }
            }
        }
        return Optional.empty();
    }

    static Attribute fromLineValue(String lineValue) {
        int colon = lineValue.indexOf(':');
        if (colon < 0) {
            return new Attribute(lineValue, null);
        }
        return new Attribute(lineValue.substring(0, colon), lineValue.substring(colon + 1));
    }

    /** @return the {@code a=} line for this attribute */
    public SdpLine toLine() {
        return new SdpLine('a', value == null ? name : name + ":" + value);
    }

    /** @return {@code name} or {@code name:value}, the text after {@code a=} */
    @Override
    public String toString() {
        return value == null ? name : name + ":" + value;
    }
}
