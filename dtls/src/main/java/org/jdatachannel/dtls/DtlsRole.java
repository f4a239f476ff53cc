package org.jdatachannel.dtls;

/**
 * Which side of the DTLS handshake this endpoint plays.
 *
 * <p>In WebRTC the role follows the SDP {@code a=setup} attribute (RFC 8842 §5.2, RFC 4145 §4):
 * the {@code active} endpoint is the DTLS client, the {@code passive} endpoint the DTLS server.
 * The caller decides; this module never looks at SDP.
 */
public enum DtlsRole {
    /** Sends the ClientHello ({@code a=setup:active}). */
    CLIENT,
    /** Waits for the ClientHello ({@code a=setup:passive}). */
    SERVER
}
