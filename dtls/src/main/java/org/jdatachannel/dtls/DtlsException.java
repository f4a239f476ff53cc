package org.jdatachannel.dtls;

import java.io.IOException;

/**
 * A DTLS failure: a fatal alert sent or received, a peer certificate that does not match the
 * fingerprint from the remote description, a handshake timeout, or the peer closing the
 * connection (close_notify). The message always says which.
 */
public class DtlsException extends IOException {

    /** {@link #alertDescription()} when no TLS alert is involved. */
    public static final int NO_ALERT = -1;

    private final int alertDescription;
    private final boolean alertFromPeer;

    /**
     * @param message what went wrong
     * @param cause underlying exception, may be null
     */
    public DtlsException(String message, Throwable cause) {
        this(message, cause, NO_ALERT, false);
    }

    /**
     * @param message what went wrong
     * @param cause underlying exception, may be null
     * @param alertDescription the TLS AlertDescription (RFC 5246 §7.2) involved, 0..255, or {@link #NO_ALERT}
     * @param alertFromPeer true when the peer sent the alert, false when we raised it (or no alert)
     */
    public DtlsException(String message, Throwable cause, int alertDescription, boolean alertFromPeer) {
        super(message, cause);
        this.alertDescription = alertDescription;
        this.alertFromPeer = alertFromPeer;
    }

    /** @return the TLS alert description (0 = close_notify, 42 = bad_certificate, ...) or {@link #NO_ALERT} */
    public int alertDescription() {
        return alertDescription;
    }

    /** @return true when the alert came from the peer */
    public boolean alertFromPeer() {
        return alertFromPeer;
    }
}
