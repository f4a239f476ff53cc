package org.jdatachannel.dtls;

import java.io.IOException;

/**
 * A DTLS failure: a fatal alert sent or received, a peer certificate that does not match the
 * fingerprint from the remote description, a handshake timeout, a peer outside our profile
 * (no extended master secret, no secure renegotiation signalling, no common AEAD ECDHE suite or
 * group), or the peer closing the connection (close_notify).
 *
 * <p>{@link #reason()} says which in plain words, without the connection name, for users and
 * logs (for example {@code "handshake timed out after 20000 ms"}, {@code "handshake failed: peer
 * certificate fingerprint mismatch: sha-256 expected AB:... but certificate has CD:... (we sent
 * alert bad_certificate)"}, {@code "handshake failed: peer sent fatal alert bad_certificate: the
 * peer rejected our certificate"}, {@code "handshake failed: malformed handshake message
 * (decode_error: a length field runs past the end of its message)"}); {@link #getMessage()} is
 * the connection name, a colon and
 * the reason. Alert names follow RFC 5246 §7.2 / RFC 8446 §6 (for example {@code
 * handshake_failure}), so a reason can be searched for.
 *
 * <p>Immutable; safe to share between threads.
 */
public class DtlsException extends IOException {

    private static final long serialVersionUID = 1L;

    /** {@link #alertDescription()} when no TLS alert is involved. */
    public static final int NO_ALERT = -1;

    private final int alertDescription;
    private final boolean alertFromPeer;
    private final String reason;

    /**
     * @param message what went wrong; also the {@link #reason()}
     * @param cause underlying exception, may be null
     */
    public DtlsException(String message, Throwable cause) {
        this(message, cause, NO_ALERT, false);
    }

    /**
     * @param message what went wrong; also the {@link #reason()}
     * @param cause underlying exception, may be null
     * @param alertDescription the TLS AlertDescription (RFC 5246 §7.2) involved, 0..255, or {@link #NO_ALERT}
     * @param alertFromPeer true when the peer sent the alert, false when we raised it (or no alert)
     */
    public DtlsException(String message, Throwable cause, int alertDescription, boolean alertFromPeer) {
        this(message, message, cause, alertDescription, alertFromPeer);
    }

    private DtlsException(String message, String reason, Throwable cause, int alertDescription,
            boolean alertFromPeer) {
        super(message, cause);
        this.reason = reason;
        this.alertDescription = alertDescription;
        this.alertFromPeer = alertFromPeer;
    }

    /**
     * Our exceptions: message {@code "<connection>: <reason>"}.
     *
     * @param connection connection name for the message, e.g. {@code "dtls-client"}
     * @param reason plain-text cause without the connection name
     */
    static DtlsException of(String connection, String reason, Throwable cause, int alertDescription,
            boolean alertFromPeer) {
        return new DtlsException(connection + ": " + reason, reason, cause, alertDescription, alertFromPeer);
    }

    /** @return the TLS alert description (0 = close_notify, 42 = bad_certificate, ...) or {@link #NO_ALERT} */
    public int alertDescription() {
        return alertDescription;
    }

    /** @return true when the alert came from the peer */
    public boolean alertFromPeer() {
        return alertFromPeer;
    }

    /**
     * @return why the connection failed or ended, in plain words, without the connection name;
     *     never null
     */
    public String reason() {
        return reason != null ? reason : String.valueOf(getMessage());
    }

    /** @return true when the peer ended the connection normally with close_notify (RFC 5246 §7.2.1) */
    public boolean isCloseNotify() {
        return alertFromPeer && alertDescription == 0;
    }

    /**
     * The meaning of a TLS/DTLS alert in plain words, from the point of view of the side that
     * raised it (RFC 5246 §7.2, RFC 8446 §6.2, RFC 7627, RFC 5746).
     *
     * @param alertDescription 0..255
     * @param sentByPeer true when the peer raised it (the text then speaks of "the peer")
     * @return the alert's name followed by its meaning, e.g. {@code "bad_certificate: the peer
     *     rejected our certificate"}; for an unknown value {@code "alert 201"}
     */
    public static String describeAlert(int alertDescription, boolean sentByPeer) {
        String who = sentByPeer ? "the peer" : "we";
        String whose = sentByPeer ? "our" : "the peer's";
        String meaning = switch (alertDescription) {
            case 0 -> sentByPeer ? "the peer closed the connection" : "we closed the connection";
            case 10 -> who + " received a message that is not allowed at this point of the protocol";
            case 20 -> "a record failed authentication (wrong key or corrupted record)";
            case 21 -> "a record could not be decrypted";
            case 22 -> "a record was longer than allowed";
            case 30 -> "decompression failed";
            case 40 -> sentByPeer
                    ? "the peer found no acceptable set of security parameters (cipher suite, group, signature "
                            + "algorithm, extended master secret or renegotiation_info)"
                    : "no acceptable set of security parameters with the peer";
            case 42 -> sentByPeer ? "the peer rejected our certificate" : "we rejected the peer's certificate";
            case 43 -> who + " cannot use " + whose + " certificate type";
            case 44 -> whose + " certificate was revoked";
            case 45 -> whose + " certificate has expired or is not yet valid";
            case 46 -> who + " could not accept " + whose + " certificate";
            case 47 -> who + " found a field out of range or inconsistent";
            case 48 -> who + " does not trust " + whose + " certificate's issuer";
            case 49 -> "access denied";
            case 50 -> who + " could not decode a message";
            case 51 -> who + " could not verify a signature or the Finished message (different keys or transcript)";
            case 70 -> who + " does not support the offered protocol version (we speak DTLS 1.2 only)";
            case 71 -> "the security requirements were not met";
            case 80 -> sentByPeer ? "the peer hit an internal error" : "we hit an internal error";
            case 86 -> "inappropriate fallback";
            case 90 -> sentByPeer ? "the peer's user canceled the handshake" : "handshake canceled";
            case 100 -> who + " refused to renegotiate";
            case 109 -> who + " missed a required extension";
            case 110 -> who + " received an extension it did not offer or does not support";
            case 112 -> "unrecognized server name";
            case 115 -> "unknown PSK identity";
            case 116 -> who + " requires a certificate that was not sent";
            case 120 -> "no common application protocol";
            default -> null;
        };
        String name = org.bouncycastle.tls.AlertDescription.getName((short) alertDescription);
        if (meaning == null) {
            return name.startsWith("UNKNOWN") ? "alert " + alertDescription : name;
        }
        return name + ": " + meaning;
    }
}
