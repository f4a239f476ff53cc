package org.jdatachannel;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jdatachannel.internal.PeerConnectionCore;
import org.jdatachannel.internal.SctpAssociationPort;
import org.jdatachannel.internal.SctpPort;

/**
 * W3C {@code RTCPeerConnection} for data channels only: SDP offer/answer (JSEP, non-trickle by
 * default: descriptions carry all host candidates), ICE, DTLS 1.2, SCTP and DCEP.
 *
 * <pre>{@code
 * PeerConnection pc = new PeerConnection(RtcConfiguration.defaults());
 * DataChannel dc = pc.createDataChannel("chat", new DataChannelInit());
 * dc.onOpen(() -> dc.send("hello"));
 * SessionDescriptionInit offer = pc.createOffer().join();
 * pc.setLocalDescription(offer).join();
 * // ... send pc.localDescription() to the peer, get its answer ...
 * pc.setRemoteDescription(answer).join();
 * }</pre>
 *
 * <p>Roles: the side that creates the offer is ICE-controlling and offers {@code a=setup:actpass};
 * our answers say {@code a=setup:active} (we are the DTLS client) unless the offer said
 * {@code active}. Data-channel stream ids follow the DTLS role (client even, server odd).
 *
 * <p>Thread-safety: every method may be called from any thread; operations run in order on the
 * connection's event-loop thread. Futures complete, and callbacks run, on that thread; callbacks
 * must not block, and a callback that throws is logged and ignored. Renegotiation, rollback, glare
 * handling, STUN/TURN servers and media are not supported.
 */
public final class PeerConnection implements AutoCloseable {
    private final PeerConnectionCore core;

    /**
     * Creates a connection. Binds no sockets yet (ICE gathers on createOffer or on
     * setRemoteDescription of an offer).
     *
     * @param config the configuration
     * @throws IllegalArgumentException if {@code config} is null
     */
    public PeerConnection(RtcConfiguration config) {
        this(config, SctpAssociationPort.FACTORY);
    }

    /** For tests: the SCTP layer from {@code sctpFactory}. */
    PeerConnection(RtcConfiguration config, SctpPort.Factory sctpFactory) {
        this.core = new PeerConnectionCore(config, sctpFactory);
    }

    /** For tests: also wraps the datagram transport under DTLS (fault injection). */
    PeerConnection(RtcConfiguration config, SctpPort.Factory sctpFactory,
                   java.util.function.UnaryOperator<org.jdatachannel.dtls.PacketTransport> dtlsLowerWrapper) {
        this.core = new PeerConnectionCore(config, sctpFactory, dtlsLowerWrapper);
    }

    /** Creates a connection with {@link RtcConfiguration#defaults()}. */
    public PeerConnection() {
        this(RtcConfiguration.defaults());
    }

    /**
     * Creates an offer: gathers host candidates (synchronously, on the event loop) and returns an
     * SDP offer holding them, {@code a=setup:actpass}, our fingerprint, sctp-port and
     * max-message-size.
     *
     * @return the offer; fails with IllegalStateException if closed or after a remote offer, or with
     *         an IOException if no local address passes the ICE address filter
     */
    public CompletableFuture<SessionDescriptionInit> createOffer() {
        return core.createOffer();
    }

    /**
     * Creates an answer to the remote offer.
     *
     * @return the answer; fails with IllegalStateException if there is no remote offer
     */
    public CompletableFuture<SessionDescriptionInit> createAnswer() {
        return core.createAnswer();
    }

    /**
     * Applies our own offer or answer. ICE starts once both descriptions are set.
     *
     * @param description what {@link #createOffer()} or {@link #createAnswer()} returned
     * @return completes when applied; fails with the sdp module's {@code SdpParseException} if the
     *         SDP does not parse, IllegalStateException if out of order
     */
    public CompletableFuture<Void> setLocalDescription(SessionDescriptionInit description) {
        return core.setLocalDescription(description);
    }

    /**
     * Applies the peer's offer or answer: ICE credentials and candidates, fingerprints, DTLS role,
     * SCTP port and max-message-size.
     *
     * @param description the peer's description
     * @return completes when applied; fails with {@code org.jdatachannel.sdp.SdpParseException}
     *         (checked; the cause of the ExecutionException/CompletionException; its message says
     *         "line N: reason") if the SDP is malformed or has no data-channel section,
     *         IllegalArgumentException if it rejects the data channel, IllegalStateException if out
     *         of order or a renegotiation
     */
    public CompletableFuture<Void> setRemoteDescription(SessionDescriptionInit description) {
        return core.setRemoteDescription(description);
    }

    /**
     * Adds a trickled remote ICE candidate. An empty string (end of candidates) is ignored.
     *
     * @param candidate {@code candidate:...} as in the browser's {@code RTCIceCandidate.candidate}
     * @return completes when added; fails with SdpParseException if it does not parse, or
     *         IllegalStateException before setRemoteDescription
     */
    public CompletableFuture<Void> addIceCandidate(String candidate) {
        return core.addIceCandidate(candidate);
    }

    /**
     * @return the local description last applied (with every host candidate, since gathering is
     *         synchronous and finishes before the description is created), or null
     */
    public SessionDescriptionInit localDescription() {
        return core.localDescription();
    }

    /** @return the remote description last applied, or null */
    public SessionDescriptionInit remoteDescription() {
        return core.remoteDescription();
    }

    /**
     * @return completes when ICE gathering has finished (during createOffer, or during
     *         setRemoteDescription of an offer); fails if gathering failed or the connection closed
     *         first
     */
    public CompletableFuture<Void> gatheringComplete() {
        return core.gatheringComplete();
    }

    /**
     * Creates a data channel. It opens once the connection is up (or at once if it is).
     *
     * @param label the label, at most 65535 UTF-8 bytes
     * @param init  options, or null for the defaults; copied
     * @return the channel, in state CONNECTING (OPEN at once if the connection is up). Its
     *         {@code maxRetransmits} / {@code maxPacketLifeTime} (clamped to 65535) go into the
     *         DCEP DATA_CHANNEL_OPEN channel type and apply to every message it sends
     * @throws IllegalArgumentException for invalid options (both reliability limits set -- W3C
     *                                  TypeError --, a negative limit, negotiated without id, id
     *                                  out of 0..65534 or in use, also by a channel that is still
     *                                  closing, label/protocol too long)
     * @throws IllegalStateException    if the connection is closed
     */
    public DataChannel createDataChannel(String label, DataChannelInit init) {
        return core.createDataChannel(label, init);
    }

    /** Same as {@code createDataChannel(label, null)}. */
    public DataChannel createDataChannel(String label) {
        return core.createDataChannel(label, null);
    }

    /**
     * @param handler receives each channel the peer opens (on the event loop, before the channel's
     *                onOpen); set it before the connection comes up
     */
    public void onDataChannel(Consumer<DataChannel> handler) {
        core.onDataChannel(handler);
    }

    /** @param handler receives each connection state change, on the event loop */
    public void onConnectionStateChange(Consumer<PeerConnectionState> handler) {
        core.onConnectionStateChange(handler);
    }

    /** @return the current connection state; readable from any thread */
    public PeerConnectionState connectionState() {
        return core.connectionState();
    }

    /**
     * Closes the connection; every channel becomes CLOSED (each reports {@code onClose} once) and
     * the state CLOSED. Idempotent.
     *
     * <p>Called off the event loop: when the SCTP association is up, a graceful SHUTDOWN (RFC 9260
     * §9.2) is started and close() waits up to 500 ms for it to complete, so that messages already
     * accepted by {@link DataChannel#send} are delivered and acknowledged first; anything still
     * queued after 500 ms is discarded. Then DTLS sends close_notify, ICE releases its sockets, and
     * close() returns once this connection's threads have ended (bounded wait of a few seconds).
     *
     * <p>Called from a callback (on the event loop) it cannot wait: SHUTDOWN is sent but DTLS is
     * closed right after it, so queued data is discarded and the peer learns of the close from
     * DTLS close_notify; close() returns at once and the threads end shortly after.
     */
    @Override
    public void close() {
        core.close();
    }

    /** @return threads started by this connection that are still alive (diagnostics, tests) */
    public java.util.List<Thread> liveThreads() {
        return core.liveThreads();
    }

    @Override
    public String toString() {
        return "PeerConnection{" + core.name() + ", " + core.connectionState() + "}";
    }
}
