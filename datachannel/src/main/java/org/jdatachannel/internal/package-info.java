/**
 * Wiring behind the public API; not API, may change without notice.
 *
 * <ul>
 *   <li>{@link org.jdatachannel.internal.EventLoop}: the connection's owner thread; user callbacks
 *       are deferred until the current task has finished.</li>
 *   <li>{@link org.jdatachannel.internal.PeerConnectionCore}: SDP offer/answer, ICE agent, the DTLS
 *       thread (handshake, then reader), the SCTP driver (drain outputs after every input, one timer
 *       for {@code pollTimeout}); the only place that reads the clock.</li>
 *   <li>{@link org.jdatachannel.internal.ChannelManager}: DCEP and data-channel state over an
 *       {@link org.jdatachannel.internal.SctpLink}, testable without a network.</li>
 *   <li>{@link org.jdatachannel.internal.SctpPort} / {@link org.jdatachannel.internal.SctpAssociationPort}:
 *       the sctp module's {@code Association} as the driver sees it.</li>
 * </ul>
 */
package org.jdatachannel.internal;
