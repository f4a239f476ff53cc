package org.jdatachannel.sdp;

import java.util.List;
import java.util.Optional;

/**
 * One media description: an {@code m=} line and the lines after it up to the next {@code m=}
 * (RFC 8866 §5).
 *
 * <pre>
 *   m=  (media name and transport address)
 *   i=* (media title)
 *   c=* (connection information -- optional if included at session level)
 *   b=* (zero or more bandwidth information lines)
 *   k=* (obsolete)
 *   a=* (zero or more media attribute lines)
 * </pre>
 *
 * <p>{@link #lines()} keeps every line after {@code m=} verbatim and in order, including unknown
 * attributes and unknown line types. The constructor checks the RFC 8866 §5 order rules, so every
 * instance serializes to text that parses back to an equal instance. Immutable and thread-safe.
 *
 * @param mediaLine the {@code m=} line
 * @param lines     the lines after it (types {@code i c b k a} in that order, plus any unknown types)
 */
public record MediaDescription(MediaLine mediaLine, List<SdpLine> lines) {

    /** @throws IllegalArgumentException if the lines break the RFC 8866 §5 media-level order rules */
    public MediaDescription {
        if (mediaLine == null) {
            throw new IllegalArgumentException("mediaLine must not be null");
        }
        lines = List.copyOf(lines);
        String error = SessionDescription.checkMediaOrder(lines);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
    }

    /** @return all {@code a=} lines as attributes, in order */
    public List<Attribute> attributes() {
        return Attribute.allIn(lines);
    }

    /**
     * @return the value of the first attribute with this exact name; an empty string for a property
     *         attribute; empty when absent
     */
    public Optional<String> attribute(String name) {
        return Attribute.firstValueIn(lines, name);
    }

    /** @return true if an attribute with this exact name is present */
    public boolean hasAttribute(String name) {
        return attribute(name).isPresent();
    }

    /** @return the value of {@code a=mid}, if present */
    public Optional<String> mid() {
        return attribute("mid");
    }

    /** @return this section as SDP text with CRLF line ends, starting with the {@code m=} line */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        appendTo(sb);
        return sb.toString();
    }

    void appendTo(StringBuilder sb) {
        sb.append("m=").append(mediaLine).append("\r\n");
        for (SdpLine l : lines) {
            sb.append(l).append("\r\n");
        }
    }
}
