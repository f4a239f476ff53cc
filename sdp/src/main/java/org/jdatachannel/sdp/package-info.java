/**
 * SDP (RFC 8866) model, parser and serializer, ICE candidate / fingerprint / setup attributes, and
 * JSEP (RFC 8829) offer/answer for WebRTC data channels (RFC 8841).
 *
 * <p>No dependencies, no I/O, no threads: every type is immutable and thread-safe. Parsing never
 * throws an unchecked exception for malformed input; it throws {@link
 * org.jdatachannel.sdp.SdpParseException} naming the line and the reason.
 */
package org.jdatachannel.sdp;
