package org.jdatachannel.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.jdatachannel.dtls.DtlsCertificate;
import org.jdatachannel.dtls.DtlsException;
import org.jdatachannel.dtls.DtlsRole;
import org.jdatachannel.dtls.DtlsTransport;
import org.jdatachannel.dtls.PacketTransport;
import org.jdatachannel.ice.IceAgent;
import org.jdatachannel.ice.IceCandidate;
import org.jdatachannel.ice.IceConfig;
import org.jdatachannel.ice.IceLogging;
import org.jdatachannel.ice.IceState;
import org.jdatachannel.ice.IceTransport;
import org.jdatachannel.sdp.Candidate;
import org.jdatachannel.sdp.DataChannelMedia;
import org.jdatachannel.sdp.Fingerprint;
import org.jdatachannel.sdp.Jsep;
import org.jdatachannel.sdp.SdpParseException;
import org.jdatachannel.sdp.SessionDescription;
import org.jdatachannel.sdp.Setup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring behind {@link org.jdatachannel.PeerConnection} (DESIGN.md "Threading"): one event-loop
 * thread owns SDP state, the SCTP association and DCEP; ice4j has its own threads; one thread runs
 * the blocking DTLS handshake and then becomes the reader that blocks in
 * {@link DtlsTransport#receive} and posts each SCTP packet to the loop. Only this driver reads the
 * clock. Its public methods mirror {@link org.jdatachannel.PeerConnection}'s and are documented
 * there (same errors, same thread-safety). Not part of the public API.
 */
public final class PeerConnectionCore {
    private static final Logger LOG = LoggerFactory.getLogger(PeerConnectionCore.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** Packets read from DTLS but not yet handled by the loop; the reader waits beyond this. */
    static final int MAX_PACKETS_IN_FLIGHT = 1024;
    /** How long {@link #close()} waits for each of our threads to end. */
    static final long CLOSE_JOIN_MS = 3000;
    /** How long {@link #close()}, called off the loop, waits for the graceful SCTP shutdown. */
    static final long CLOSE_SCTP_SHUTDOWN_MS = 500;
    private static final String MID = "0";

    private final RtcConfiguration config;
    private final SctpPort.Factory sctpFactory;
    /** Wraps the ICE datagram transport under DTLS; identity except in tests that inject faults. */
    private final java.util.function.UnaryOperator<PacketTransport> dtlsLowerWrapper;
    private final String name;
    private final EventLoop loop;
    private final ChannelManager channels;
    private final long originNanos = System.nanoTime();
    private final DtlsCertificate certificate;
    private final long sessionId;
    private final CompletableFuture<Void> gatheringComplete = new CompletableFuture<>();
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    private final Semaphore inFlight = new Semaphore(MAX_PACKETS_IN_FLIGHT);

    private volatile PeerConnectionState state = PeerConnectionState.NEW;
    private volatile Consumer<PeerConnectionState> onStateChange;
    private volatile SessionDescriptionInit localDescription;
    private volatile SessionDescriptionInit remoteDescription;
    private volatile Thread dtlsThread;

    // ---- loop-thread state ----
    private long sessionVersion;
    private IceAgent ice;
    private boolean controlling;
    private List<Candidate> localCandidates;
    private SessionDescription remoteParsed;
    private DataChannelMedia remoteMedia;
    private DtlsRole dtlsRole;
    private boolean iceStarted;
    private boolean dtlsStarted;
    private DtlsTransport dtls;
    private SctpPort sctp;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;
    private boolean drainPending;
    private boolean closed;
    /** close() has begun: an SCTP Closed event then means CLOSED, even if aborted. */
    private boolean closeRequested;
    /** Completed (and cleared) by {@link #stopSctp()}; what close() waits on for the SHUTDOWN. */
    private CompletableFuture<Void> sctpStopped;

    /**
     * @param config      the configuration
     * @param sctpFactory creates the SCTP association once DTLS is up
     */
    public PeerConnectionCore(RtcConfiguration config, SctpPort.Factory sctpFactory) {
        this(config, sctpFactory, java.util.function.UnaryOperator.identity());
    }

    /**
     * For tests: as above, with {@code dtlsLowerWrapper} applied to the datagram transport DTLS
     * runs over (to inject faults into the DTLS threads).
     */
    public PeerConnectionCore(RtcConfiguration config, SctpPort.Factory sctpFactory,
                              java.util.function.UnaryOperator<PacketTransport> dtlsLowerWrapper) {
        this.dtlsLowerWrapper = dtlsLowerWrapper;
        if (config == null) {
            throw new IllegalArgumentException("configuration must not be null");
        }
        this.config = config;
        this.sctpFactory = sctpFactory;
        this.name = "jdatachannel-pc-" + COUNTER.incrementAndGet();
        IceLogging.install();
        this.certificate = config.certificate() != null ? config.certificate() : DtlsCertificate.generate();
        this.sessionId = new SecureRandom().nextLong() >>> 2;
        this.loop = new EventLoop(name + "-loop");
        this.channels = new ChannelManager(loop);
    }

    /** @return the name used for threads and logs */
    public String name() {
        return name;
    }

    private long now() {
        return (System.nanoTime() - originNanos) / 1_000_000L;
    }

    // =========================================================================================
    // Public API entry points (any thread)
    // =========================================================================================

    private <T> CompletableFuture<T> onLoop(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    f.complete(task.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new IllegalStateException("the peer connection is closed"));
        }
        return f;
    }

    public CompletableFuture<SessionDescriptionInit> createOffer() {
        return onLoop(() -> {
            checkOpen();
            if (ice != null && !controlling) {
                throw new IllegalStateException("createOffer after a remote offer is not supported (no renegotiation)");
            }
            ensureIce(true);
            DataChannelMedia local = localMedia(Setup.ACTPASS);
            String sdp = Jsep.createOffer(local, sessionId, sessionVersion++).serialize();
            return new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp);
        });
    }

    public CompletableFuture<SessionDescriptionInit> createAnswer() {
        return onLoop(() -> {
            checkOpen();
            if (remoteParsed == null || remoteDescription.type() != SessionDescriptionInit.Type.OFFER) {
                throw new IllegalStateException("createAnswer needs a remote offer (setRemoteDescription first)");
            }
            // RFC 8842 §5.3: the answerer "MUST use either 'active' or 'passive'"; we prefer active
            // (DTLS client), like Chromium, Pion and aiortc (INTEROP-NOTES); Jsep answers an
            // 'active' offer with 'passive'.
            DataChannelMedia local = localMedia(Setup.ACTIVE);
            String sdp = Jsep.createAnswer(local, remoteParsed, sessionId, sessionVersion++).serialize();
            return new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, sdp);
        });
    }

    public CompletableFuture<Void> setLocalDescription(SessionDescriptionInit desc) {
        return onLoop(() -> {
            checkOpen();
            if (desc == null) {
                throw new IllegalArgumentException("description must not be null");
            }
            SessionDescription parsed = SessionDescription.parse(desc.sdp());
            DataChannelMedia media = DataChannelMedia.from(parsed);
            if (desc.type() == SessionDescriptionInit.Type.OFFER) {
                if (ice == null || !controlling) {
                    throw new IllegalStateException("setLocalDescription(offer) needs createOffer first");
                }
            } else {
                if (remoteDescription == null || remoteDescription.type() != SessionDescriptionInit.Type.OFFER) {
                    throw new IllegalStateException("setLocalDescription(answer) needs a remote offer");
                }
                if (ice == null) {
                    throw new IllegalStateException("setLocalDescription(answer) needs createAnswer first");
                }
                // RFC 8842 §5.3: our answer's setup decides: "active" makes us the DTLS client.
                if (media.setup() == Setup.ACTIVE) {
                    setRole(DtlsRole.CLIENT);
                } else if (media.setup() == Setup.PASSIVE) {
                    setRole(DtlsRole.SERVER);
                } else {
                    throw new IllegalArgumentException("an answer must say a=setup:active or passive, not " + media.setup());
                }
            }
            localDescription = desc;
            maybeStartIce();
            return null;
        });
    }

    public CompletableFuture<Void> setRemoteDescription(SessionDescriptionInit desc) {
        return onLoop(() -> {
            checkOpen();
            if (desc == null) {
                throw new IllegalArgumentException("description must not be null");
            }
            SessionDescription parsed = SessionDescription.parse(desc.sdp());
            DataChannelMedia media = DataChannelMedia.from(parsed);
            if (media.rejected()) {
                throw new IllegalArgumentException("the remote description rejects the data channel section (port 0)");
            }
            if (desc.type() == SessionDescriptionInit.Type.OFFER) {
                if (ice != null && controlling) {
                    throw new IllegalStateException("remote offer while we have a local offer (glare) is not supported");
                }
                if (remoteDescription != null) {
                    throw new IllegalStateException("renegotiation is not supported");
                }
                ensureIce(false);
            } else {
                if (localDescription == null || localDescription.type() != SessionDescriptionInit.Type.OFFER) {
                    throw new IllegalStateException("setRemoteDescription(answer) needs our offer as local description");
                }
                if (remoteDescription != null) {
                    throw new IllegalStateException("renegotiation is not supported");
                }
                // RFC 8842 §5.3: the answerer chooses: "active" makes it the DTLS client, so we
                // are the server; "passive" makes us the client. RFC 4145 §4.1: absent means active.
                Setup s = media.setup() == null ? Setup.ACTIVE : media.setup();
                switch (s) {
                    case ACTIVE -> setRole(DtlsRole.SERVER);
                    case PASSIVE -> setRole(DtlsRole.CLIENT);
                    case ACTPASS -> {
                        LOG.warn("{}: remote answer says a=setup:actpass (invalid in an answer); assuming active", name);
                        setRole(DtlsRole.SERVER);
                    }
                    case HOLDCONN -> throw new IllegalArgumentException("remote answer says a=setup:holdconn");
                }
            }
            remoteParsed = parsed;
            remoteMedia = media;
            remoteDescription = desc;
            channels.setRemoteMaxMessageSize(remoteSendLimit(desc.sdp(), media));
            ice.setRemoteCredentials(media.iceUfrag(), media.icePwd());
            for (Candidate c : media.candidates()) {
                addRemote(c);
            }
            maybeStartIce();
            return null;
        });
    }

    /**
     * Adds a trickled remote candidate ({@code candidate:...}, with or without {@code a=}); an
     * empty string means end of candidates and is ignored.
     */
    public CompletableFuture<Void> addIceCandidate(String candidate) {
        return onLoop(() -> {
            checkOpen();
            if (candidate == null || candidate.isBlank()) {
                return null;
            }
            Candidate c = Candidate.parse(candidate.strip());
            if (ice == null || remoteDescription == null) {
                throw new IllegalStateException("addIceCandidate needs a remote description first");
            }
            addRemote(c);
            return null;
        });
    }

    public SessionDescriptionInit localDescription() {
        return localDescription;
    }

    public SessionDescriptionInit remoteDescription() {
        return remoteDescription;
    }

    public CompletableFuture<Void> gatheringComplete() {
        return gatheringComplete;
    }

    public DataChannel createDataChannel(String label, DataChannelInit init) {
        try {
            return loop.call(() -> {
                checkOpen();
                DataChannelImpl ch = channels.createChannel(label, init);
                requestDrain();
                return ch;
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the peer connection is closed", e);
        }
    }

    public void onDataChannel(Consumer<DataChannel> handler) {
        channels.setOnDataChannel(handler);
    }

    public void onConnectionStateChange(Consumer<PeerConnectionState> handler) {
        onStateChange = handler;
    }

    public PeerConnectionState connectionState() {
        return state;
    }

    /** @return our DTLS certificate (generated or configured) */
    public DtlsCertificate certificate() {
        return certificate;
    }

    // =========================================================================================
    // SDP helpers (loop thread)
    // =========================================================================================

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the peer connection is closed");
        }
    }

    private void ensureIce(boolean asControlling) throws IOException {
        if (ice != null) {
            return;
        }
        controlling = asControlling;
        // RFC 8445 §6.1.1: "the agent that generated the offer ... MUST take the controlling role".
        IceAgent agent = new IceAgent(IceConfig.builder()
                .controlling(asControlling)
                .addressFilter(config.iceAddressFilter())
                .build());
        ice = agent;
        agent.onStateChange(s -> {
            try {
                loop.execute(() -> onIceState(s));
            } catch (RejectedExecutionException e) {
                LOG.debug("{}: ICE state {} after close", name, s);
            }
        });
        try {
            List<Candidate> cands = new ArrayList<>();
            for (IceCandidate c : agent.gather()) {
                cands.add(Candidates.toSdp(c));
            }
            localCandidates = List.copyOf(cands);
            LOG.debug("{}: gathered {} candidates", name, cands.size());
            gatheringComplete.complete(null);
        } catch (IOException | RuntimeException e) {
            gatheringComplete.completeExceptionally(e);
            throw e;
        }
    }

    private DataChannelMedia localMedia(Setup setup) {
        Fingerprint fp;
        try {
            fp = Fingerprint.parse("sha-256 " + certificate.sha256Fingerprint());
        } catch (SdpParseException e) {
            throw new IllegalStateException("our own fingerprint does not parse", e);
        }
        return new DataChannelMedia(MID, ice.localUfrag(), ice.localPassword(), false, List.of(fp), setup,
                config.sctpPort(), config.maxMessageSize(), localCandidates, true, false, false);
    }

    /**
     * The most we may send to the peer, in bytes. RFC 8841 §6.1: "If the SDP
     * 'max-message-size' attribute is not present, the default value is 64K", i.e. 65536
     * ({@link DataChannelMedia#DEFAULT_MAX_MESSAGE_SIZE}, which the sdp module already applies).
     * Interop risk we accept: stock Pion 3.1 writes no attribute yet reads messages into a
     * 65535-byte buffer, so a 65536-byte message closes the channel on Pion's side only
     * (INTEROP-NOTES); the RFC and our CLI protocol's 65536-byte messages need the full 65536.
     *
     * @param sdp   the remote description's text (unused; kept for callers and tests)
     * @param media its data-channel view
     * @return the peer's limit; {@link DataChannelMedia#NO_LIMIT} for {@code a=max-message-size:0}
     */
    static long remoteSendLimit(String sdp, DataChannelMedia media) {
        return media.maxMessageSize();
    }

    private void addRemote(Candidate c) {
        IceCandidate ic;
        try {
            ic = Candidates.fromSdp(c);
        } catch (IllegalArgumentException e) {
            LOG.debug("{}: skipping remote candidate {}: {}", name, c, e.getMessage());
            return;
        }
        ice.addRemoteCandidate(ic);
    }

    private void setRole(DtlsRole role) {
        dtlsRole = role;
        // RFC 8832 §6: stream ids follow the DTLS role, not the ICE role.
        channels.setDtlsRole(role == DtlsRole.CLIENT);
    }

    private void maybeStartIce() {
        if (iceStarted || localDescription == null || remoteDescription == null) {
            return;
        }
        iceStarted = true;
        LOG.debug("{}: starting ICE ({}), DTLS {}", name, controlling ? "controlling" : "controlled", dtlsRole);
        ice.start();
        setState(PeerConnectionState.CONNECTING);
    }

    // =========================================================================================
    // Transport events (loop thread)
    // =========================================================================================

    private void setState(PeerConnectionState s) {
        PeerConnectionState old = state;
        if (old == s || old == PeerConnectionState.CLOSED || old == PeerConnectionState.FAILED) {
            return;
        }
        state = s;
        LOG.debug("{}: {} -> {}", name, old, s);
        loop.defer(() -> {
            Consumer<PeerConnectionState> h = onStateChange;
            if (h != null) {
                h.accept(s);
            }
        });
    }

    private void onIceState(IceState s) {
        if (closed) {
            return;
        }
        LOG.debug("{}: ICE {}", name, s);
        switch (s) {
            case CONNECTED, COMPLETED -> {
                if (!dtlsStarted) {
                    startDtls();
                } else if (dtls != null) {
                    setState(PeerConnectionState.CONNECTED);
                } else {
                    setState(PeerConnectionState.CONNECTING);
                }
            }
            case DISCONNECTED -> {
                if (state == PeerConnectionState.CONNECTED || state == PeerConnectionState.CONNECTING) {
                    setState(PeerConnectionState.DISCONNECTED);
                }
            }
            case FAILED -> fail("ICE failed");
            default -> {
            }
        }
    }

    private void startDtls() {
        dtlsStarted = true;
        DtlsRole role = dtlsRole;
        IceTransport iceTransport = ice.transport();
        // RFC 8122 §5 (paraphrased): several fingerprints may be given, also several with the same
        // hash function (several possible certificates); the peer's must match one of them.
        List<Map.Entry<String, byte[]>> fps = new ArrayList<>();
        for (Fingerprint f : remoteMedia.fingerprints()) {
            fps.add(Map.entry(f.hashFunction(), f.digest()));
        }
        PacketTransport iceLower = new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                iceTransport.send(buf, off, len);
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                return iceTransport.receive(buf, off, len, waitMillis);
            }

            @Override
            public void close() {
                iceTransport.close();
            }
        };
        PacketTransport lower = dtlsLowerWrapper.apply(iceLower);
        int timeout = config.dtlsHandshakeTimeoutMs();
        Thread t = new Thread(() -> runDtls(role, lower, fps, timeout), name + "-dtls");
        t.setDaemon(true);
        dtlsThread = t;
        LOG.debug("{}: ICE connected ({}), DTLS {} handshake", name, ice.selectedPairDescription(), role);
        t.start();
    }

    /** DTLS thread: handshake, then read packets until the transport ends. */
    private void runDtls(DtlsRole role, PacketTransport lower, List<Map.Entry<String, byte[]>> fps, int timeoutMs) {
        DtlsTransport d;
        try {
            d = DtlsTransport.connect(role, lower, certificate, fps, timeoutMs);
        } catch (IOException | RuntimeException e) {
            post(() -> fail("DTLS handshake failed: " + e.getMessage()));
            return;
        } catch (Error e) {
            readerDied(null, e);
            return;
        }
        if (!post(() -> onDtlsConnected(d))) {
            d.close();
            return;
        }
        byte[] buf = new byte[Math.max(d.getReceiveLimit(), 65536)];
        try {
            while (true) {
                int n = d.receive(buf, 0, buf.length, 1000);
                if (n < 0) {
                    continue;
                }
                byte[] packet = java.util.Arrays.copyOf(buf, n);
                inFlight.acquire();
                if (!post(() -> {
                    inFlight.release();
                    onPacket(d, packet);
                })) {
                    return;
                }
            }
        } catch (DtlsException e) {
            if (e.alertFromPeer() && e.alertDescription() == 0) {
                post(() -> onTransportClosed(d, "peer closed DTLS (close_notify)"));
            } else {
                post(() -> onTransportError(d, "DTLS: " + e.getMessage()));
            }
        } catch (IOException e) {
            // Also the normal end after our own close(): onTransportError ignores it then.
            post(() -> onTransportError(d, "DTLS receive: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            readerDied(d, e);
        }
    }

    /**
     * The DTLS thread met an unexpected Throwable (a bug in our code or in Bouncy Castle, or the
     * JVM running out of memory). Without this thread no packet reaches SCTP and a lost DTLS flight
     * is never answered, so the connection is dead now: it fails at once instead of when the peer
     * gives up or ICE consent expires. A VirtualMachineError is rethrown after the report.
     *
     * @param d the transport, or null if the handshake had not completed
     */
    private void readerDied(DtlsTransport d, Throwable e) {
        LOG.error("{}: DTLS {} thread died", name, d == null ? "handshake" : "reader", e);
        String why = "DTLS " + (d == null ? "handshake" : "reader") + " thread died: " + e;
        post(() -> {
            if (d == null) {
                fail(why);
            } else {
                onTransportError(d, why);
            }
        });
        if (e instanceof VirtualMachineError vme) {
            throw vme;
        }
    }

    /** Posts to the loop; false if the loop is gone. */
    private boolean post(Runnable r) {
        try {
            loop.execute(r);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void onDtlsConnected(DtlsTransport d) {
        if (closed || state == PeerConnectionState.FAILED) {
            d.close();
            return;
        }
        dtls = d;
        setState(PeerConnectionState.CONNECTED);
        // RFC 8841 §6.1: the peer's a=max-message-size is the most we may send; our own is what we
        // accept.
        long remoteMax = Math.min(channels.remoteMaxMessageSize(), Integer.MAX_VALUE - 8);
        SctpPort.Params p = new SctpPort.Params(config.sctpPort(), remoteMedia.sctpPort(), remoteMax,
                config.maxMessageSize(), config.messageInterleaving());
        SctpPort s;
        try {
            s = sctpFactory.create(p, this::now);
        } catch (RuntimeException e) {
            fail("cannot create the SCTP association: " + e);
            return;
        }
        sctp = s;
        // DCEP and user sends queue SCTP output outside of a drain: drain after each of them.
        channels.attach(new SctpLink() {
            @Override
            public void send(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits,
                             long lifetimeMs) {
                s.send(streamId, ppid, payload, unordered, maxRetransmits, lifetimeMs);
                requestDrain();
            }

            @Override
            public void resetStream(int streamId) {
                s.resetStream(streamId);
                requestDrain();
            }

            @Override
            public long bufferedAmount(int streamId) {
                return s.bufferedAmount(streamId);
            }

            @Override
            public void setBufferedAmountLowThreshold(int streamId, long bytes) {
                s.setBufferedAmountLowThreshold(streamId, bytes);
            }
        });
        // Both sides send INIT as soon as DTLS is up (Chromium does the same; RFC 9260 §5.2.1
        // handles the collision).
        sctp.connect(now());
        drain();
    }

    private void onPacket(DtlsTransport d, byte[] packet) {
        if (closed || sctp == null || d != dtls) {
            return;
        }
        sctp.handleInput(packet, now());
        drain();
    }

    private void onTimer() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        if (closed || sctp == null) {
            return;
        }
        sctp.handleTimeout(now());
        drain();
    }

    /** Asks for a drain after the current task (user sends queue output outside of a drain). */
    private void requestDrain() {
        if (drainPending || sctp == null) {
            return;
        }
        drainPending = true;
        try {
            loop.post(() -> {
                drainPending = false;
                drain();
            });
        } catch (RejectedExecutionException e) {
            drainPending = false;
        }
    }

    /** Polls SCTP outputs until null, then re-arms the timer. */
    private void drain() {
        SctpPort s = sctp;
        if (s == null) {
            return;
        }
        SctpEvent ev;
        while (sctp == s && (ev = s.poll()) != null) {
            if (ev instanceof SctpEvent.SendPacket sp) {
                sendPacket(sp.packet());
            } else if (ev instanceof SctpEvent.Connected) {
                LOG.debug("{}: SCTP association established", name);
                channels.onConnected();
            } else if (ev instanceof SctpEvent.MessageReceived m) {
                channels.onMessage(m.streamId(), m.ppid(), m.payload());
            } else if (ev instanceof SctpEvent.IncomingStreamsReset r) {
                channels.onIncomingStreamsReset(r.streamIds());
            } else if (ev instanceof SctpEvent.OutgoingStreamsReset r) {
                channels.onOutgoingStreamsReset(r.streamIds());
            } else if (ev instanceof SctpEvent.StreamResetFailed f) {
                LOG.warn("{}: the peer refused to reset streams {} (RFC 6525 result {}); closing their channels "
                        + "locally", name, java.util.Arrays.toString(f.streamIds()), f.result());
                channels.onStreamResetFailed(f.streamIds());
            } else if (ev instanceof SctpEvent.BufferedAmountLow b) {
                channels.onBufferedAmountLow(b.streamId());
            } else if (ev instanceof SctpEvent.Restarted) {
                LOG.warn("{}: the peer restarted the SCTP association; closing every data channel", name);
                channels.onRestarted();
            } else if (ev instanceof SctpEvent.Closed c) {
                onSctpClosed(c.reason(), c.aborted());
            }
        }
        if (sctp == s) {
            channels.refreshBufferedAmounts();
            armTimer();
        }
    }

    private void sendPacket(byte[] packet) {
        DtlsTransport d = dtls;
        if (d == null) {
            return;
        }
        try {
            d.send(packet, 0, packet.length);
        } catch (IOException | IllegalArgumentException e) {
            // A lost packet is recovered by SCTP retransmission; a closed transport is reported by
            // the reader thread.
            LOG.debug("{}: DTLS send of {} bytes failed: {}", name, packet.length, e.toString());
        }
    }

    private void armTimer() {
        long at = sctp.pollTimeout();
        if (at == timerAt) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timerAt = at;
        if (at == Long.MAX_VALUE) {
            return;
        }
        try {
            timer = loop.schedule(this::onTimer, Math.max(0, at - now()));
        } catch (RejectedExecutionException e) {
            timerAt = Long.MAX_VALUE;
        }
    }

    private void onSctpClosed(String reason, boolean aborted) {
        LOG.info("{}: SCTP association closed{}: {}", name, aborted ? " (aborted)" : "", reason);
        channels.onClosed();
        stopSctp();
        setState(aborted && !closeRequested ? PeerConnectionState.FAILED : PeerConnectionState.CLOSED);
        releaseTransports();
    }

    private void onTransportClosed(DtlsTransport d, String why) {
        if (closed || d != dtls || isFinal()) {
            return;
        }
        LOG.info("{}: {}", name, why);
        channels.onClosed();
        stopSctp();
        setState(PeerConnectionState.CLOSED);
        releaseTransports();
    }

    private boolean isFinal() {
        return state == PeerConnectionState.CLOSED || state == PeerConnectionState.FAILED;
    }

    private void onTransportError(DtlsTransport d, String why) {
        if (closed || d != dtls || isFinal()) {
            return;
        }
        fail(why);
    }

    private void fail(String why) {
        if (closed || state == PeerConnectionState.FAILED || state == PeerConnectionState.CLOSED) {
            return;
        }
        LOG.warn("{}: connection failed: {}", name, why);
        channels.onClosed();
        stopSctp();
        setState(PeerConnectionState.FAILED);
        releaseTransports();
    }

    private void stopSctp() {
        sctp = null;
        CompletableFuture<Void> f = sctpStopped;
        if (f != null) {
            sctpStopped = null;
            f.complete(null);
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timerAt = Long.MAX_VALUE;
    }

    /** Closes DTLS and ICE (loop thread); our DTLS/reader thread ends by itself soon after. */
    private void releaseTransports() {
        DtlsTransport d = dtls;
        if (d != null) {
            d.close();
        }
        if (ice != null) {
            ice.close();
        }
    }

    // =========================================================================================
    // close
    // =========================================================================================

    /**
     * Closes the connection; every channel becomes CLOSED and the state CLOSED. Idempotent.
     *
     * <p>Called off the loop thread: if the SCTP association is up, a graceful SHUTDOWN (RFC 9260
     * §9.2) starts, and close() waits up to {@value #CLOSE_SCTP_SHUTDOWN_MS} ms for it to complete:
     * data already accepted by {@code send} is transmitted and acknowledged first, then SHUTDOWN /
     * SHUTDOWN ACK / SHUTDOWN COMPLETE. Whatever is still queued when that time is up is discarded.
     * Then DTLS sends close_notify, ICE releases its sockets, and close() waits (up to a few seconds)
     * until our threads have ended.
     *
     * <p>Called from a callback on the loop thread it cannot wait: the SHUTDOWN is sent with
     * whatever SCTP can send at once, DTLS is closed right after (so the SHUTDOWN does not
     * complete and queued data is discarded; the peer sees close_notify), and close() returns at
     * once; the threads end shortly after.
     */
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) {
            return;
        }
        if (!loop.inLoop()) {
            awaitGracefulSctpShutdown();
        }
        Runnable closeTask = () -> {
            closeRequested = true;
            if (sctp != null) {
                try {
                    sctp.shutdown(now());
                    drainOnce();
                } catch (RuntimeException e) {
                    LOG.debug("{}: SCTP shutdown: {}", name, e.toString());
                }
            }
            channels.onClosed();
            stopSctp();
            if (state != PeerConnectionState.CLOSED) {
                PeerConnectionState old = state;
                state = PeerConnectionState.CLOSED;
                LOG.debug("{}: {} -> CLOSED (close)", name, old);
                loop.defer(() -> {
                    Consumer<PeerConnectionState> h = onStateChange;
                    if (h != null) {
                        h.accept(PeerConnectionState.CLOSED);
                    }
                });
            }
            closed = true;
            releaseTransports();
            if (!gatheringComplete.isDone()) {
                gatheringComplete.completeExceptionally(new IllegalStateException("the peer connection was closed"));
            }
        };
        if (loop.inLoop()) {
            closeTask.run();
            loop.shutdown();
            return;
        }
        try {
            loop.call(() -> {
                closeTask.run();
                return null;
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: loop already stopped", name);
        }
        loop.shutdown();
        try {
            Thread t = dtlsThread;
            if (t != null) {
                t.join(CLOSE_JOIN_MS);
                if (t.isAlive()) {
                    LOG.warn("{}: DTLS thread still running after {} ms", name, CLOSE_JOIN_MS);
                }
            }
            if (!loop.awaitTermination(CLOSE_JOIN_MS)) {
                LOG.warn("{}: event loop still running after {} ms", name, CLOSE_JOIN_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Off the loop: starts the SCTP SHUTDOWN on the loop and waits, bounded by {@link
     * #CLOSE_SCTP_SHUTDOWN_MS}, until the association reports Closed (or goes away otherwise).
     */
    private void awaitGracefulSctpShutdown() {
        CompletableFuture<Void> done;
        try {
            done = loop.call(() -> {
                closeRequested = true;
                if (sctp == null || closed) {
                    return CompletableFuture.<Void>completedFuture(null);
                }
                CompletableFuture<Void> f = new CompletableFuture<>();
                sctpStopped = f;
                // RFC 9260 §9.2: "Upon receipt of the SHUTDOWN primitive from its upper layer, the
                // endpoint enters the SHUTDOWN-PENDING state and remains there until all
                // outstanding data has been acknowledged by its peer."
                sctp.shutdown(now());
                drain();
                return f;
            });
        } catch (RuntimeException e) {
            // Loop already stopped, or the association threw: close() goes on without waiting.
            LOG.debug("{}: no graceful SCTP shutdown: {}", name, e.toString());
            return;
        }
        try {
            done.get(CLOSE_SCTP_SHUTDOWN_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.debug("{}: SCTP shutdown not complete after {} ms; closing DTLS anyway", name, CLOSE_SCTP_SHUTDOWN_MS);
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.debug("{}: SCTP shutdown: {}", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends whatever SCTP queued (used during close, without events). */
    private void drainOnce() {
        SctpEvent ev;
        while ((ev = sctp.poll()) != null) {
            if (ev instanceof SctpEvent.SendPacket sp) {
                sendPacket(sp.packet());
            }
        }
    }

    /** @return threads this connection started that are still alive (for tests) */
    public List<Thread> liveThreads() {
        List<Thread> out = new ArrayList<>();
        Thread t = dtlsThread;
        if (t != null && t.isAlive()) {
            out.add(t);
        }
        Thread l = loop.thread();
        if (l != null && l.isAlive()) {
            out.add(l);
        }
        return out;
    }
}
