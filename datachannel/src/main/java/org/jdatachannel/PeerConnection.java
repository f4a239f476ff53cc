package org.jdatachannel;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jdatachannel.dtls.DtlsCertificate;
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
 * <p>Signaling: offers and answers may also be exchanged again on an established session
 * (renegotiation, by either side), and {@link #restartIce()} restarts ICE under the live data
 * channels. Candidates can be trickled both ways ({@link #onIceCandidate},
 * {@link #addIceCandidate(IceCandidateInit)}). Rollback, glare handling, provisional answers and
 * media are not supported.
 *
 * <p>Thread-safety: every method may be called from any thread; operations run in order on the
 * connection's event-loop thread. Futures complete, and callbacks run, on that thread; callbacks
 * must not block, and a callback that throws is logged and ignored. The state getters read
 * volatile fields and may be called from any thread.
 */
public final class PeerConnection implements AutoCloseable {
    private final PeerConnectionCore core;

    /**
     * Creates a connection. Binds no sockets yet (ICE gathers on createOffer or on
     * setRemoteDescription of an offer). Without a configured certificate the connection gets a
     * fresh ECDSA P-256 one (valid 30 days) of its own, never shared between connections: usually
     * a spare generated ahead on a background thread (spares are generated after a connection's
     * set-up is over, at most two at a time). If the spare is still being generated, this
     * constructor waits for it up to 20 ms; if there is none, or the wait ends first, it generates
     * one here, on the calling thread (about 0.5-1 ms of CPU warm). So the constructor may block
     * for about 20 ms plus one generation: avoid calling it from a callback.
     *
     * @param config the configuration
     * @throws IllegalArgumentException if {@code config} is null, or its certificate has expired
     *     since the configuration was built (the W3C constructor throws InvalidAccessError)
     * @throws IllegalStateException if the configuration's {@link EventLoopGroup} was closed
     */
    public PeerConnection(RtcConfiguration config) {
        this(config, SctpAssociationPort.FACTORY);
    }

    /** For tests: the SCTP layer from {@code sctpFactory}. */
    PeerConnection(RtcConfiguration config, SctpPort.Factory sctpFactory) {
        this.core = new PeerConnectionCore(config, sctpFactory, java.util.function.UnaryOperator.identity(),
                java.util.function.UnaryOperator.identity(), workerFor(config));
    }

    /** The shared event-loop thread from the configuration's group, or null for a thread of its own. */
    private static org.jdatachannel.internal.EventLoop.Worker workerFor(RtcConfiguration config) {
        EventLoopGroup g = config == null ? null : config.eventLoopGroup();
        return g == null ? null : g.nextWorker();
    }

    /** For tests: every local socket address this connection's ICE agents bound. */
    java.util.List<java.net.InetSocketAddress> iceSocketAddresses() {
        return core.iceSocketAddresses();
    }

    /** For tests: a failure of the ICE path in use waits for an ICE restart in progress. */
    boolean failureDeferredForRestart() {
        return core.failureDeferredForRestart();
    }

    /** For tests: receive-path and event-loop counters (push mode, inbox batches, wake-ups, timers). */
    org.jdatachannel.internal.PeerConnectionCore.ReceiveStats receiveStats() {
        return core.receiveStats();
    }

    /** For tests: SCTP's PLPMTU now (RFC 8899; the largest packet it sends), bytes; 0 before SCTP. */
    int sctpPathMtu() {
        return core.sctpPathMtu();
    }

    /** For tests: the MAX_PLPMTU given to SCTP for the current path, bytes; 0 = no path MTU discovery. */
    int sctpMaxPlpmtu() {
        return core.sctpMaxPlpmtu();
    }

    /** For tests: ICE agent closer threads this connection started (one per agent it made). */
    int agentClosersStarted() {
        return core.agentClosersStarted();
    }

    /** For tests: remote candidates given to the ICE agent with this local ufrag (see the core). */
    java.util.List<String> remoteCandidatesOf(String localUfrag) {
        return core.remoteCandidatesOf(localUfrag);
    }

    /** For tests: also wraps the datagram transport under DTLS (fault injection). */
    PeerConnection(RtcConfiguration config, SctpPort.Factory sctpFactory,
                   java.util.function.UnaryOperator<org.jdatachannel.dtls.PacketTransport> dtlsLowerWrapper) {
        this.core = new PeerConnectionCore(config, sctpFactory, dtlsLowerWrapper,
                java.util.function.UnaryOperator.identity(), workerFor(config));
    }

    /** For tests: also adjusts each ICE agent's configuration (e.g. short consent timeouts). */
    PeerConnection(RtcConfiguration config, SctpPort.Factory sctpFactory,
                   java.util.function.UnaryOperator<org.jdatachannel.dtls.PacketTransport> dtlsLowerWrapper,
                   java.util.function.UnaryOperator<org.jdatachannel.ice.IceConfig.Builder> iceConfigHook) {
        this.core = new PeerConnectionCore(config, sctpFactory, dtlsLowerWrapper, iceConfigHook, workerFor(config));
    }

    /**
     * W3C webrtc-pc {@code RTCPeerConnection.generateCertificate()}: a new key pair and
     * self-signed certificate, valid for 30 days, made on another thread (RSA key generation
     * takes tens to hundreds of ms). Give it to {@link RtcConfiguration.Builder#certificate}; it
     * can be reused by any number of connections (one identity, one fingerprint) and stored with
     * {@link DtlsCertificate#toPem()}.
     *
     * @param type {@link DtlsCertificate.KeyType#ECDSA_P256} (what browsers use) or
     *             {@link DtlsCertificate.KeyType#RSA_2048}
     * @return completes with the certificate; fails with IllegalArgumentException if {@code type}
     *         is null. Never blocks the caller. Thread-safe. Threads: see the two-argument variant.
     */
    public static CompletableFuture<DtlsCertificate> generateCertificate(DtlsCertificate.KeyType type) {
        return generateCertificate(type, DtlsCertificate.DEFAULT_VALIDITY);
    }

    /**
     * Like {@link #generateCertificate(DtlsCertificate.KeyType)} with the validity given (W3C
     * {@code expires}).
     *
     * <p>Threads: all calls share at most 2 daemon threads named {@code jdatachannel-certgen}
     * (idle ones end after 10 s); at most 256 further requests wait, beyond that the future fails
     * at once with {@link java.util.concurrent.RejectedExecutionException}. The future is completed
     * on a {@code jdatachannel-certgen} thread, so dependent stages added with the non-async
     * methods ({@code thenApply}, {@code whenComplete}, ...) run there (or on the caller's thread
     * if it is already complete) and delay other generations while they run: use the
     * {@code ...Async} variants for long work. Thread-safe.
     *
     * @param type     the key type
     * @param validity how long from now the certificate is valid: 1 s .. 3650 days
     * @return completes with the certificate; fails with IllegalArgumentException if {@code type}
     *         or {@code validity} is null or the validity is out of range (checked on the caller's
     *         thread before anything is queued), RejectedExecutionException if 256 requests
     *         already wait
     */
    public static CompletableFuture<DtlsCertificate> generateCertificate(DtlsCertificate.KeyType type,
                                                                         Duration validity) {
        try {
            if (type == null) {
                throw new IllegalArgumentException("key type must not be null");
            }
            DtlsCertificate.checkValidity(validity);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<DtlsCertificate> f = new CompletableFuture<>();
        try {
            CertGen.EXECUTOR.execute(() -> {
                try {
                    f.complete(DtlsCertificate.generate(type, validity));
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    /**
     * The shared certificate generator: at most {@link #THREADS} daemon threads named
     * "jdatachannel-certgen" (each ends after {@link #IDLE_SECONDS} s idle), at most
     * {@link #QUEUE} waiting requests; more are refused, not queued without bound.
     */
    private static final class CertGen {
        static final int THREADS = 2;
        static final int QUEUE = 256;
        static final int IDLE_SECONDS = 10;
        static final java.util.concurrent.ThreadPoolExecutor EXECUTOR = create();

        private static java.util.concurrent.ThreadPoolExecutor create() {
            java.util.concurrent.ThreadPoolExecutor e = new java.util.concurrent.ThreadPoolExecutor(THREADS, THREADS,
                    IDLE_SECONDS, java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(QUEUE), r -> {
                        Thread t = new Thread(r, "jdatachannel-certgen");
                        t.setDaemon(true);
                        return t;
                    });
            e.allowCoreThreadTimeOut(true);
            return e;
        }
    }

    /** Creates a connection with {@link RtcConfiguration#defaults()}. */
    public PeerConnection() {
        this(RtcConfiguration.defaults());
    }

    /**
     * Creates an offer (W3C webrtc-pc §4.4.1.6; JSEP RFC 8829 §5.2). The first offer creates the
     * ICE agent, gathers host candidates synchronously on the event loop and makes us
     * ICE-controlling. The offer carries the candidates gathered so far (so a peer that does not
     * trickle can use it as is), {@code a=ice-options:trickle}, {@code a=end-of-candidates} if
     * gathering is complete, {@code a=setup:actpass}, our fingerprint, sctp-port and
     * max-message-size.
     *
     * <p>A subsequent offer (renegotiation, RFC 8829 §5.2.2) keeps every m= section of the session
     * in order with its mid (sections other than the data channel's stay rejected), keeps the
     * session id, increments the session version and keeps the ICE credentials, fingerprint and
     * our ICE role; it says
     * {@code actpass} but the answer must keep the established DTLS roles. After
     * {@link #restartIce()}, the offer carries new ICE credentials and the candidates of a new ICE
     * agent (RFC 8839 §4.4.1.1.1).
     *
     * @return the offer; fails with IllegalStateException if closed or in signaling state
     *         {@code have-remote-offer} (the message names the state), or with an IOException if no
     *         local address passes the ICE address filter
     */
    public CompletableFuture<SessionDescriptionInit> createOffer() {
        return core.createOffer();
    }

    /**
     * Creates an answer to the remote offer. Its {@code a=setup} is {@code active} (we become the
     * DTLS client) for a first {@code actpass} offer, and keeps the established DTLS role in a
     * renegotiation; its ICE credentials are new only if the offer restarted ICE.
     *
     * @return the answer; fails with IllegalStateException unless the signaling state is
     *         {@code have-remote-offer}
     */
    public CompletableFuture<SessionDescriptionInit> createAnswer() {
        return core.createAnswer();
    }

    /**
     * Applies our own offer or answer (W3C webrtc-pc §4.4.1.5). Signaling state: an offer is
     * allowed in {@code stable} or {@code have-local-offer} and leads to {@code have-local-offer};
     * an answer is allowed in {@code have-remote-offer} and leads to {@code stable}. From now on
     * the candidates of the description's ICE generation are reported through
     * {@link #onIceCandidate} and added to {@link #localDescription()}. ICE checks start once both
     * descriptions are set.
     *
     * @param description what {@link #createOffer()} or {@link #createAnswer()} returned
     * @return completes when applied; fails with the sdp module's {@code SdpParseException} if the
     *         SDP does not parse, IllegalStateException if not allowed in the current signaling
     *         state or not created by us (unknown ICE credentials), IllegalArgumentException if an
     *         answer's {@code a=setup} is not active/passive or would change the established DTLS
     *         role. On failure nothing changes.
     */
    public CompletableFuture<Void> setLocalDescription(SessionDescriptionInit description) {
        return core.setLocalDescription(description);
    }

    /**
     * Applies the peer's offer or answer: ICE credentials and candidates, fingerprints, DTLS role,
     * SCTP port and max-message-size; then the candidates given to {@link #addIceCandidate} before
     * it. Signaling state: an offer is allowed in {@code stable} (also as a re-offer on an
     * established session) or {@code have-remote-offer} and leads to {@code have-remote-offer};
     * an answer is allowed in {@code have-local-offer} and leads to {@code stable}.
     *
     * <p>Renegotiation: a re-offer with unchanged ICE credentials and fingerprint leaves the
     * transports alone; one with new ICE credentials is an ICE restart by the peer (a new ICE agent
     * is started when our answer is set; DTLS moves to it when it connects). A description that
     * changes the DTLS roles of a live session fails this call (not the connection). One that
     * names another remote certificate once DTLS has started fails this call AND the
     * connection (FAILED, {@link #failureReason()} says "remote certificate fingerprint changed
     * mid-session"): the peer has a new certificate and would need a new DTLS association, which is
     * not supported. "Another certificate": once the handshake is done, the description's
     * fingerprints do not match the peer certificate by the rule the handshake used (RFC 8122 §5);
     * before that, both descriptions list a hash function with no digest in common. The same
     * certificate listed under other or additional hash functions is no change.
     *
     * @param description the peer's description
     * @return completes when applied; fails with {@code org.jdatachannel.sdp.SdpParseException}
     *         (checked; the cause of the ExecutionException/CompletionException; its message says
     *         "line N: reason") if the SDP is malformed or has no data-channel section, or (an
     *         answer) does not match our offer (RFC 3264 §6 / RFC 8829 §5.3.1: another number of
     *         m= sections, another mid, or the data section at another index),
     *         IllegalArgumentException if it rejects the data channel, names another remote
     *         certificate (then the connection fails too) or DTLS role of a live session, or (an answer) changes the ICE credentials without a
     *         restart, IllegalStateException if not allowed in the current signaling state (e.g. a
     *         remote offer in {@code have-local-offer}: glare, rollback is not supported). On
     *         failure the descriptions and signaling state do not change; only a changed remote
     *         certificate also fails the connection (see above).
     */
    public CompletableFuture<Void> setRemoteDescription(SessionDescriptionInit description) {
        return core.setRemoteDescription(description);
    }

    /**
     * Adds a trickled remote ICE candidate (W3C webrtc-pc §4.4.1.6 addIceCandidate; RFC 8838,
     * RFC 8840). {@code candidate} {@code ""} is the peer's end-of-candidates.
     *
     * <p>Before the remote description is set, candidates are held (at most 100; W3C instead
     * rejects with InvalidStateError) and applied when it is, because over a real signaling
     * channel candidates can overtake the description; a held candidate that then turns out
     * invalid is logged and dropped. A candidate whose {@code usernameFragment} (or
     * {@code ufrag} extension) names an older ICE generation (before an ICE restart) is ignored;
     * one naming a generation not described yet (the peer restarts ICE and its candidates
     * overtake its offer or answer) is held (at most 4 such generations, 100 candidates in all)
     * and applied when the description with that ufrag is set.
     * Candidates ICE cannot use (TCP, other components, unresolvable {@code .local} names) are
     * skipped silently.
     *
     * @param candidate the candidate as the peer's {@code onicecandidate} gave it
     * @return completes when added (or held or ignored); fails with IllegalArgumentException if
     *         {@code candidate} is null, has neither sdpMid nor sdpMLineIndex (W3C TypeError), or
     *         they name no m= section of the remote description (W3C OperationError; a candidate
     *         for a section BUNDLEd with the data section is used for it, one for another section
     *         is ignored);
     *         {@code SdpParseException} if the candidate line does not parse (RFC 8839 §5.1
     *         grammar); IllegalStateException if closed or more than 100 candidates are held
     */
    public CompletableFuture<Void> addIceCandidate(IceCandidateInit candidate) {
        return core.addIceCandidate(candidate, false);
    }

    /**
     * Adds a trickled remote ICE candidate for the data-channel section, like
     * {@link #addIceCandidate(IceCandidateInit)} without sdpMid/sdpMLineIndex/usernameFragment.
     * An empty or blank string is the peer's end-of-candidates.
     *
     * @param candidate {@code candidate:...} (with or without {@code a=}) as in the browser's
     *                  {@code RTCIceCandidate.candidate}
     * @return completes when added or held; fails with SdpParseException if it does not parse,
     *         IllegalArgumentException if null, IllegalStateException if closed or too many are held
     */
    public CompletableFuture<Void> addIceCandidate(String candidate) {
        if (candidate == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("candidate must not be null"));
        }
        String c = candidate.strip();
        if (c.startsWith("a=")) {
            c = c.substring(2);
        }
        return core.addIceCandidate(new IceCandidateInit(c, null, null, null), true);
    }

    /**
     * W3C webrtc-pc §4.4.1.6 {@code restartIce()}: the next {@link #createOffer()} (by either
     * side: a remote offer with new credentials restarts too) carries new ICE credentials
     * (RFC 8445 §9, RFC 8839 §4.4.1.1.1). A new ICE agent gathers and checks while DTLS and SCTP go
     * on over the current path; when it connects, DTLS moves over to it and the old agent is
     * closed, so the data channels survive. If the restart fails, the current path stays in use.
     * If the current path fails while a restart is in progress (its offer made), the connection
     * stays DISCONNECTED and waits for the restart; it becomes FAILED only if the restart fails
     * too, is abandoned, or has not connected within 30 s. FAILED is final: DTLS and SCTP are torn
     * down then, so restartIce() cannot revive a FAILED connection (call it while DISCONNECTED).
     * Call createOffer afterwards (there is no negotiationneeded event). Returns at once; a no-op
     * before the first offer/answer and after close.
     */
    public void restartIce() {
        core.restartIce();
    }

    /**
     * @return our local description: the one last set, plus every local candidate of its ICE
     *         generation gathered since ({@code a=candidate}) and {@code a=end-of-candidates} once
     *         gathering is complete (W3C: the pending/current local description is "updated with
     *         new candidates"); null before setLocalDescription. Readable from any thread.
     */
    public SessionDescriptionInit localDescription() {
        return core.localDescription();
    }

    /** @return the remote description last applied, or null; readable from any thread */
    public SessionDescriptionInit remoteDescription() {
        return core.remoteDescription();
    }

    /**
     * @return completes when the first ICE agent's gathering has finished (during the first
     *         createOffer, or the first setRemoteDescription of an offer); fails if gathering failed
     *         or the connection closed first
     */
    public CompletableFuture<Void> gatheringComplete() {
        return core.gatheringComplete();
    }

    /**
     * Sets the handler for our ICE candidates (W3C {@code onicecandidate}; trickle ICE, RFC 8838).
     * After each setLocalDescription that brings a new ICE generation (the first offer or answer,
     * or an ICE restart), it receives each local candidate of that generation, with
     * {@code sdpMid} and {@code sdpMLineIndex} of our data section and the generation's
     * {@code usernameFragment}, then once a candidate {@code ""} (end of candidates; browsers also
     * fire a null candidate, we do not). Send each one to the peer, which passes it to its
     * {@code addIceCandidate}. Called on the event loop; set it before setLocalDescription.
     *
     * @param handler the handler, or null to stop receiving candidates
     */
    public void onIceCandidate(Consumer<IceCandidateInit> handler) {
        core.onIceCandidate(handler);
    }

    /** @return the W3C ICE gathering state (§4.3.2); readable from any thread */
    public IceGatheringState iceGatheringState() {
        return core.iceGatheringState();
    }

    /** @param handler receives each ICE gathering state change, on the event loop; null to remove */
    public void onIceGatheringStateChange(Consumer<IceGatheringState> handler) {
        core.onIceGatheringStateChange(handler);
    }

    /**
     * @return the W3C signaling state (§4.3.1); {@link SignalingState#CLOSED} after close();
     *         readable from any thread
     */
    public SignalingState signalingState() {
        return core.signalingState();
    }

    /**
     * @param handler receives each signaling state change, on the event loop, after the
     *                description causing it is applied; close() changes the state to CLOSED
     *                without an event (W3C)
     */
    public void onSignalingStateChange(Consumer<SignalingState> handler) {
        core.onSignalingStateChange(handler);
    }

    /**
     * @return the W3C ICE connection state (§4.3.3) of the ICE agent DTLS runs over (during an ICE
     *         restart still the old one, until the new one connects); readable from any thread
     */
    public IceConnectionState iceConnectionState() {
        return core.iceConnectionState();
    }

    /**
     * @param handler receives each ICE connection state change, on the event loop; close() changes
     *                the state to CLOSED without an event (W3C)
     */
    public void onIceConnectionStateChange(Consumer<IceConnectionState> handler) {
        core.onIceConnectionStateChange(handler);
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

    /**
     * @param handler receives each connection state change, on the event loop (unlike W3C, also
     *                the change to CLOSED caused by close())
     */
    public void onConnectionStateChange(Consumer<PeerConnectionState> handler) {
        core.onConnectionStateChange(handler);
    }

    /**
     * @return the W3C connection state (§4.3.3 RTCPeerConnectionState), combining ICE and DTLS:
     *         NEW, CONNECTING (checks or DTLS handshake running), CONNECTED, DISCONNECTED (ICE
     *         consent not confirmed; back to CONNECTED when ICE recovers, FAILED when it expires,
     *         unless an ICE restart is in progress: see {@link #restartIce()}), FAILED (final: a
     *         failed connection is not revived, not even by restartIce()), CLOSED; readable from
     *         any thread
     */
    public PeerConnectionState connectionState() {
        return core.connectionState();
    }

    /**
     * Why the connection failed, for logs and users: empty until {@link #connectionState()} is
     * {@link PeerConnectionState#FAILED}, then set once (the first cause wins) before the FAILED
     * state change is reported. Examples: {@code "DTLS handshake failed: ... handshake timed out
     * after 20000 ms"}, {@code "DTLS handshake failed: ... peer certificate fingerprint mismatch:
     * ..."}, {@code "remote certificate fingerprint changed mid-session (...)"}, {@code "ICE failed:
     * consent expired (...)"}, {@code "SCTP association aborted: ..."}. The text is for people;
     * its wording may change. Not part of W3C (browsers report no reason). Readable from any thread.
     *
     * @return the reason, or empty if the connection has not failed; kept after close() (which
     *         turns a FAILED connection CLOSED)
     */
    public Optional<String> failureReason() {
        return Optional.ofNullable(core.failureReason());
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

    /**
     * @return threads started by this connection that are still alive: event loop, DTLS reader,
     *         the socket readers of its ICE agents (diagnostics, tests)
     */
    public java.util.List<Thread> liveThreads() {
        return core.liveThreads();
    }

    @Override
    public String toString() {
        return "PeerConnection{" + core.name() + ", " + core.connectionState() + "}";
    }
}
