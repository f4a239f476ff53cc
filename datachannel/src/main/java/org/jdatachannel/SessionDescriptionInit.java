package org.jdatachannel;

import java.util.Objects;

/**
 * W3C {@code RTCSessionDescriptionInit}: an SDP offer or answer as exchanged over signaling.
 * Immutable; thread-safe.
 *
 * @param type offer or answer
 * @param sdp  the SDP text (RFC 8866), CRLF or LF line ends
 */
public record SessionDescriptionInit(Type type, String sdp) {

    /** The JSEP description type (RFC 8829 §4.1.8). Rollback and provisional answers are not supported. */
    public enum Type {
        /** An offer. */
        OFFER,
        /** A final answer. */
        ANSWER;

        /** @return the W3C/JSON spelling, {@code "offer"} or {@code "answer"} */
        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * @param s {@code "offer"} or {@code "answer"}, any case
         * @return the type
         * @throws IllegalArgumentException for anything else
         */
        public static Type fromJsonName(String s) {
            if (s != null) {
                for (Type t : values()) {
                    if (t.jsonName().equalsIgnoreCase(s.trim())) {
                        return t;
                    }
                }
            }
            throw new IllegalArgumentException("session description type must be \"offer\" or \"answer\", got " + s);
        }
    }

    /** @throws NullPointerException if {@code type} or {@code sdp} is null */
    public SessionDescriptionInit {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sdp, "sdp");
    }

    @Override
    public String toString() {
        return "SessionDescriptionInit{" + type.jsonName() + ", " + sdp.length() + " chars}";
    }
}
