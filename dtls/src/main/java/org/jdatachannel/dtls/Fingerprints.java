package org.jdatachannel.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Certificate fingerprints (RFC 8122 §5): hash of the DER certificate, hash names as in SDP
 * ({@code sha-256}), text as upper-case colon hex.
 */
final class Fingerprints {

    /** Hash function tokens we can verify, RFC 8122 §5 / IANA "Hash Function Textual Names". */
    static final List<String> SUPPORTED = List.of("sha-1", "sha-224", "sha-256", "sha-384", "sha-512");

    private static final Map<String, String> JCA_NAMES = Map.of(
            "sha-1", "SHA-1", "sha-224", "SHA-224", "sha-256", "SHA-256",
            "sha-384", "SHA-384", "sha-512", "SHA-512");

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Fingerprints() {
    }

    static boolean isSupported(String hashFunction) {
        return hashFunction != null && JCA_NAMES.containsKey(hashFunction.toLowerCase(Locale.ROOT));
    }

    /** @return the digest length in bytes of a supported hash function */
    static int digestLength(String hashFunction) {
        return digest(hashFunction, new byte[0]).length;
    }

    static byte[] digest(String hashFunction, byte[] data) {
        String jca = JCA_NAMES.get(hashFunction.toLowerCase(Locale.ROOT));
        if (jca == null) {
            throw new IllegalArgumentException("unsupported hash function " + hashFunction);
        }
        try {
            return MessageDigest.getInstance(jca).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + jca, e);
        }
    }

    static String toColonHex(byte[] digest) {
        if (digest.length == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder(digest.length * 3 - 1);
        for (int i = 0; i < digest.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(HEX[(digest[i] >> 4) & 0xF]).append(HEX[digest[i] & 0xF]);
        }
        return sb.toString();
    }

    /**
     * Checks a peer certificate against the fingerprints of the remote description.
     *
     * <p>RFC 8122 §5 lets a description carry several fingerprints (several hash functions or
     * several possible certificates) and says which ones decide: {@code "An endpoint MUST select
     * the set of fingerprints that use its most preferred hash function (out of those offered by
     * the peer) and verify that each certificate used matches one fingerprint out of that set."}
     * Our preference is the order of {@link #SUPPORTED}, strongest last; entries with unknown hash
     * functions are skipped. So a sha-1 entry that matches does not rescue a sha-256 entry that
     * does not (a collision in the weaker hash must not let a different certificate in).
     *
     * @param der the peer's end-entity certificate
     * @param expected (hash name, digest) pairs, a hash name possibly repeated, already validated by
     *     {@link DtlsTransport#connect}
     * @return null when accepted, otherwise a message saying why not
     */
    static String verify(byte[] der, List<Map.Entry<String, byte[]>> expected) {
        int preferred = -1;
        for (Map.Entry<String, byte[]> e : expected) {
            preferred = Math.max(preferred, SUPPORTED.indexOf(e.getKey().toLowerCase(Locale.ROOT)));
        }
        if (preferred < 0) {
            return "no remote fingerprint with a supported hash function (supported: " + SUPPORTED + ")";
        }
        String hash = SUPPORTED.get(preferred);
        byte[] actual = digest(hash, der);
        StringBuilder tried = new StringBuilder();
        for (Map.Entry<String, byte[]> e : expected) {
            if (!e.getKey().toLowerCase(Locale.ROOT).equals(hash)) {
                continue;
            }
            if (MessageDigest.isEqual(actual, e.getValue())) {
                return null;
            }
            if (tried.length() > 0) {
                tried.append("; ");
            }
            tried.append(hash).append(" expected ").append(toColonHex(e.getValue()))
                    .append(" but certificate has ").append(toColonHex(actual));
        }
        return "peer certificate fingerprint mismatch: " + tried;
    }
}
