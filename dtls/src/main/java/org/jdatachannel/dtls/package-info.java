/**
 * DTLS 1.2 for WebRTC data channels (RFC 8842, RFC 8261) on Bouncy Castle with JCA crypto.
 *
 * <p>Use: generate a {@link org.jdatachannel.dtls.DtlsCertificate} per peer connection and put
 * its {@code sha256Fingerprint()} in the local description; once ICE has a selected pair, wrap it
 * in a {@link org.jdatachannel.dtls.PacketTransport} and call
 * {@link org.jdatachannel.dtls.DtlsTransport#connect} with the role from {@code a=setup}
 * ({@code active} = client) and the remote description's fingerprints. Then one reader thread
 * loops in {@code receive} and hands each datagram (an SCTP packet) to the event loop, while the
 * event loop calls {@code send}.
 *
 * <p>What arrives from the network is filtered before Bouncy Castle parses it: non-DTLS datagrams
 * (RFC 7983) and handshake records with absurd lengths (CVE-2026-59646) are dropped.
 *
 * <p>Deliberate deviations from the project's sans-IO rule: Bouncy Castle's DTLS is blocking and
 * reads the clock itself, so this module's I/O adapter measures waits with
 * {@code System.nanoTime}, and certificate generation reads the wall clock and a
 * {@code SecureRandom}. No protocol state machine of our own lives here.
 */
package org.jdatachannel.dtls;
