package org.jdatachannel;

/**
 * W3C {@code RTCIceCandidateInit} (webrtc-pc §4.8.1.1): one trickled ICE candidate as exchanged
 * over signaling, shaped like the browser's JSON ({@code {"candidate": ..., "sdpMid": ...,
 * "sdpMLineIndex": ..., "usernameFragment": ...}}). Immutable; thread-safe.
 *
 * <p>A {@code candidate} of {@code ""} is the end-of-candidates indication (RFC 8838 §4.4,
 * W3C: "an empty candidate string indicates the end of candidates").
 *
 * @param candidate        the {@code candidate-attribute} of RFC 8839 §5.1 without {@code a=}
 *                         (e.g. {@code "candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host"}), or
 *                         {@code ""}; never null
 * @param sdpMid           the media stream identification ({@code a=mid}) of the section the candidate
 *                         belongs to, or null
 * @param sdpMLineIndex    the 0-based index of that m= section, 0..65535, or null
 * @param usernameFragment the {@code ice-ufrag} of the ICE generation the candidate belongs to, or null
 *                         (then the current generation is assumed)
 */
public record IceCandidateInit(String candidate, String sdpMid, Integer sdpMLineIndex, String usernameFragment) {

    /**
     * @throws IllegalArgumentException if {@code candidate} is null or longer than 4096 characters,
     *                                  or {@code sdpMLineIndex} is outside 0..65535
     */
    public IceCandidateInit {
        if (candidate == null) {
            throw new IllegalArgumentException("candidate must not be null (use \"\" for end of candidates)");
        }
        if (candidate.length() > 4096) {
            throw new IllegalArgumentException("candidate is longer than 4096 characters: " + candidate.length());
        }
        if (sdpMLineIndex != null && (sdpMLineIndex < 0 || sdpMLineIndex > 65535)) {
            throw new IllegalArgumentException("sdpMLineIndex must be 0..65535, got " + sdpMLineIndex);
        }
    }

    /** @return true if this is the end-of-candidates indication ({@code candidate} is blank) */
    public boolean isEndOfCandidates() {
        return candidate.isBlank();
    }
}
