/**
 * The public, W3C-shaped API of jdatachannel: {@link org.jdatachannel.PeerConnection},
 * {@link org.jdatachannel.DataChannel} and their value types.
 *
 * <p>Threading model (DESIGN.md "Threading"): each {@code PeerConnection} owns one event-loop
 * thread. Every public method may be called from any thread and is carried out on that loop, in
 * call order; futures complete and callbacks run on the loop thread, after the state they report
 * is complete. Callbacks must not block; one that throws is logged and ignored. ice4j has its own
 * threads, and one thread per connection runs the DTLS handshake and then reads DTLS records.
 *
 * <p>Layers: SDP (module {@code sdp}), ICE ({@code ice}, on ice4j), DTLS 1.2 ({@code dtls}, on
 * Bouncy Castle), SCTP ({@code sctp}, sans-IO) and DCEP (RFC 8832, package
 * {@link org.jdatachannel.dcep}).
 */
package org.jdatachannel;
