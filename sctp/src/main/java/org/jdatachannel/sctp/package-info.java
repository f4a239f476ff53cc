/**
 * A sans-IO SCTP association for WebRTC data channels (RFC 9260 over DTLS per RFC 8261, with
 * RFC 3758 partial reliability and RFC 6525 stream reset).
 *
 * <p>Driving rules (str0m style): the embedder owns the clock, the sockets and the thread. There are
 * two kinds of input, {@link org.jdatachannel.sctp.Association#handleInput a received packet} and
 * {@link org.jdatachannel.sctp.Association#handleTimeout a timeout}, plus the user calls
 * ({@code connect}, {@code send}, {@code resetStreams}, {@code shutdown}, {@code abort}). After every
 * one of them, drain {@link org.jdatachannel.sctp.Association#pollOutput()} until it returns null,
 * then ask {@link org.jdatachannel.sctp.Association#pollTimeout()} for the next deadline, before
 * giving more input.
 *
 * <p>Layout follows dcSCTP: {@code packet} (+ {@code chunk}, {@code parameter}, {@code errorcause})
 * holds one immutable record per wire element, {@code rx} the receive side (TSN tracking,
 * reassembly), {@code tx} the send side (send queue, outstanding data, RTO), {@code timer} the
 * sans-IO timer.
 */
package org.jdatachannel.sctp;
