package org.jdatachannel.sdp;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A certificate fingerprint attribute value (RFC 8122 §5).
 *
 * <pre>
 * attribute              =/ fingerprint-attribute
 * fingerprint-attribute  =  "fingerprint" ":" hash-func SP fingerprint
 * hash-func              =  "sha-1" / "sha-224" / "sha-256" /
 *                           "sha-384" / "sha-512" /
 *                           "md5" / "md2" / token
 * fingerprint            =  2UHEX *(":" 2UHEX)
 *
 * a=fingerprint:sha-256 4F:0E:...:9A      (32 bytes for sha-256)
 * </pre>
 *
 * <p>Immutable and thread-safe: the digest is copied in and out.
 *
 * @param hashFunction lower-case hash function name, e.g. {@code sha-256}
 * @param digest       the digest bytes, 1 to 64 bytes (exactly the hash size for the named hashes)
 */
public record Fingerprint(String hashFunction, byte[] digest) {

    /**
     * @throws IllegalArgumentException if the hash function is not a token, the digest is empty or
     *                                  longer than 64 bytes, or its length does not match a known hash
     */
    public Fingerprint {
        if (!Candidate.isToken(hashFunction)) {
            throw new IllegalArgumentException("fingerprint hash function must be a token: '" + hashFunction + "'");
        }
        hashFunction = hashFunction.toLowerCase(Locale.ROOT);
        if (digest == null) {
            throw new IllegalArgumentException("fingerprint digest must not be null");
        }
        digest = digest.clone();
        int expected = expectedLength(hashFunction);
        if (expected > 0 && digest.length != expected) {
            throw new IllegalArgumentException(hashFunction + " fingerprint must be " + expected + " bytes, got " + digest.length);
        }
        if (digest.length == 0 || digest.length > 64) {
            throw new IllegalArgumentException("fingerprint digest must be 1 to 64 bytes, got " + digest.length);
        }
    }

    /**
     * Parses {@code "sha-256 AB:CD:..."} (the value after {@code a=fingerprint:}).
     *
     * <p>RFC 8122 §5: "A certificate fingerprint MUST be computed using the same one-way hash
     * function as is used in the certificate's signature algorithm" is the sender's duty; here the
     * hash name is compared case-insensitively and hex digits of either case are accepted
     * (RFC 8122 §5 writes UHEX; some stacks write lower case).
     *
     * @throws SdpParseException        (line 0) if the value is malformed
     * @throws IllegalArgumentException if {@code value} is null
     */
    public static Fingerprint parse(String value) throws SdpParseException {
        if (value == null) {
            throw new IllegalArgumentException("fingerprint value must not be null");
        }
        String v = value.strip();
        int sp = v.indexOf(' ');
        if (sp < 0) {
            throw new SdpParseException(0, "fingerprint needs '<hash-func> <hex>', found '" + SessionDescription.clip(v) + "'");
        }
        String hash = v.substring(0, sp);
        String hex = v.substring(sp + 1).strip();
        if (!Candidate.isToken(hash)) {
            throw new SdpParseException(0, "fingerprint hash function is not a token: '" + SessionDescription.clip(hash) + "'");
        }
        // fingerprint = 2UHEX *(":" 2UHEX): length 3n-1 with a colon after every pair
        if (hex.length() < 2 || hex.length() > 64 * 3 - 1 || (hex.length() + 1) % 3 != 0) {
            throw new SdpParseException(0, "fingerprint must be 1 to 64 colon-separated hex pairs, found '"
                    + SessionDescription.clip(hex) + "'");
        }
        byte[] d = new byte[(hex.length() + 1) / 3];
        for (int i = 0; i < d.length; i++) {
            int p = i * 3;
            int hi = Character.digit(hex.charAt(p), 16);
            int lo = Character.digit(hex.charAt(p + 1), 16);
            if (hi < 0 || lo < 0 || hex.charAt(p) > 0x7f || hex.charAt(p + 1) > 0x7f) {
                throw new SdpParseException(0, "fingerprint has a non-hex digit at index " + p);
            }
            if (i + 1 < d.length && hex.charAt(p + 2) != ':') {
                throw new SdpParseException(0, "fingerprint expects ':' at index " + (p + 2));
            }
            d[i] = (byte) (hi << 4 | lo);
        }
        int expected = expectedLength(hash.toLowerCase(Locale.ROOT));
        if (expected > 0 && d.length != expected) {
            throw new SdpParseException(0, hash + " fingerprint must be " + expected + " bytes, found " + d.length);
        }
        return new Fingerprint(hash, d);
    }

    /** @return a copy of the digest */
    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /** @return the digest as upper-case colon hex, {@code "AB:CD:..."} */
    public String hex() {
        HexFormat f = HexFormat.ofDelimiter(":").withUpperCase();
        return f.formatHex(digest);
    }

    /** @return the attribute value: {@code "sha-256 AB:CD:..."} */
    @Override
    public String toString() {
        return hashFunction + " " + hex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && f.hashFunction.equals(hashFunction) && Arrays.equals(f.digest, digest);
    }

    @Override
    public int hashCode() {
        return hashFunction.hashCode() * 31 + Arrays.hashCode(digest);
    }

    private static int expectedLength(String hash) {
        return switch (hash) {
            case "sha-1" -> 20;
            case "sha-224" -> 28;
            case "sha-256" -> 32;
            case "sha-384" -> 48;
            case "sha-512" -> 64;
            case "md5", "md2" -> 16;
            default -> -1;
        };
    }
}
