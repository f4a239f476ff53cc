package org.jdatachannel.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.IceCandidateInit;
import org.jdatachannel.IceConnectionState;
import org.jdatachannel.IceGatheringState;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.jdatachannel.SignalingState;
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
import org.jdatachannel.sdp.Attribute;
import org.jdatachannel.sdp.Candidate;
import org.jdatachannel.sdp.DataChannelMedia;
import org.jdatachannel.sdp.Fingerprint;
import org.jdatachannel.sdp.Jsep;
import org.jdatachannel.sdp.MediaDescription;
import org.jdatachannel.sdp.SdpParseException;
import org.jdatachannel.sdp.SessionDescription;
import org.jdatachannel.sdp.Setup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring behind {@link org.jdatachannel.PeerConnection} (DESIGN.md "Threading"): one event-loop
 * thread owns SDP and signaling state, the SCTP association and DCEP; ice4j has its own threads;
 * one thread runs the blocking DTLS handshake and then becomes the reader that blocks in
 * {@link DtlsTransport#receive} and posts each SCTP packet to the loop. Only this driver reads the
 * clock. Its public methods mirror {@link org.jdatachannel.PeerConnection}'s and are documented
 * there (same errors, same thread-safety). Not part of the public API.
 *
 * <p>ICE generations: each set of local ICE credentials is one {@link IceAgent} ("generation").
 * {@code active} carries (or will carry) DTLS; an ICE restart (ours through restartIce(), or a
 * remote offer with new credentials) negotiates a {@code next} generation, which replaces
 * {@code active} under DTLS (through {@link SwitchableTransport}) when it connects; the old agent
 * is closed then.
 */
public final class PeerConnectionCore {
    private static final Logger LOG = LoggerFactory.getLogger(PeerConnectionCore.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** Packets read from DTLS but not yet handled by the loop; the reader waits beyond this (pull mode). */
    static final int MAX_PACKETS_IN_FLIGHT = 1024;
    /**
     * Push mode: most bytes of received datagrams waiting for the event loop (the inbox); a datagram
     * that would exceed it is dropped, as the network would drop it, and counted.
     */
    static final long MAX_INBOX_BYTES = 4L * 1024 * 1024;
    /**
     * Push mode: most datagrams waiting for the event loop. Each costs a queue node and a task
     * (~100 bytes) besides its bytes, so without a count a known peer sending 13-byte datagrams
     * could queue ~320,000 tasks (~40 MB) under {@link #MAX_INBOX_BYTES} (issue-6 review). 8192 is
     * more than 4 MiB of full-sized (1.2 KB) datagrams.
     */
    static final int MAX_INBOX_DATAGRAMS = 8192;
    /**
     * Push mode: pushed datagrams handled before the SCTP outputs are drained even if more are
     * queued (a backlog of thousands would otherwise hold back SACKs and messages until its end).
     */
    static final int MAX_DATAGRAMS_PER_DRAIN = 32;
    /** How long {@link #close()} waits for each of our threads to end. */
    static final long CLOSE_JOIN_MS = 3000;
    /** How long {@link #close()}, called off the loop, waits for the graceful SCTP shutdown. */
    static final long CLOSE_SCTP_SHUTDOWN_MS = 500;
    /**
     * How long a failure of the ICE path in use waits for an ICE restart in progress to connect
     * before the connection fails, in ms (RFC 7675 §5.1 gives consent 30 s; the same budget here).
     */
    static final long RESTART_GRACE_MS = 30_000;
    /** Remote candidates held until the remote description arrives (see addIceCandidate). */
    public static final int MAX_HELD_REMOTE_CANDIDATES = IceAgent.MAX_REMOTE_CANDIDATES;
    private static final String MID = "0";
    /** Unknown remote ICE generations whose early candidates are held (oldest dropped beyond). */
    static final int MAX_HELD_GENERATIONS = 4;
    /** Remote ufrags remembered as past generations (their late candidates are ignored). */
    static final int MAX_KNOWN_UFRAGS = 32;

    private final RtcConfiguration config;
    private final SctpPort.Factory sctpFactory;
    /** Wraps the ICE datagram transport under DTLS; identity except in tests that inject faults. */
    private final java.util.function.UnaryOperator<PacketTransport> dtlsLowerWrapper;
    /** Adjusts each ICE agent's configuration; identity except in tests. */
    private final java.util.function.UnaryOperator<IceConfig.Builder> iceConfigHook;
    private final String name;
    private final EventLoop loop;
    private final ChannelManager channels;
    private final long originNanos = System.nanoTime();
    private final DtlsCertificate certificate;
    private final long sessionId;
    private final CompletableFuture<Void> gatheringComplete = new CompletableFuture<>();
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    private final Semaphore inFlight = new Semaphore(MAX_PACKETS_IN_FLIGHT);
    /** Every local socket address any of our ICE agents bound (diagnostics, liveThreads, tests). */
    private final List<InetSocketAddress> iceSockets = new CopyOnWriteArrayList<>();
    /** Threads closing replaced or released ICE agents (see closeAgent); joined by close(). */
    private final List<Thread> agentClosers = new CopyOnWriteArrayList<>();

    private volatile PeerConnectionState state = PeerConnectionState.NEW;
    private volatile SignalingState signalingState = SignalingState.STABLE;
    private volatile IceGatheringState gatheringState = IceGatheringState.NEW;
    private volatile IceConnectionState iceConnectionState = IceConnectionState.NEW;
    private volatile Consumer<PeerConnectionState> onStateChange;
    private volatile Consumer<SignalingState> onSignalingStateChange;
    private volatile Consumer<IceGatheringState> onGatheringStateChange;
    private volatile Consumer<IceConnectionState> onIceConnectionStateChange;
    private volatile Consumer<IceCandidateInit> onIceCandidate;
    private volatile SessionDescriptionInit localDescription;
    private volatile SessionDescriptionInit remoteDescription;
    /** The thread running this connection's DTLS handshake task (a pooled one, see DtlsThreads), or null. */
    private volatile Thread dtlsThread;
    /** Completed when this connection's DTLS task (handshake, then pull reading if any) has ended. */
    private final CompletableFuture<Void> dtlsTaskDone = new CompletableFuture<>();
    /** The DTLS task was handed to a thread (set before; close() then waits for dtlsTaskDone). */
    private volatile boolean dtlsTaskSubmitted;
    /** Delay from SCTP up to generating spare certificates (see setUpOver), ms. */
    static final long REFILL_DELAY_MS = 10;
    /** This connection's certificate came from SpareCertificate (none configured): it refills after the set-up. */
    private final boolean generatedCertificate;

    // ---- push receive (issue 6): socket reader thread -> event loop ----
    /** One received datagram held by the loop until onDtlsConnected (push mode only). */
    private record Datagram(byte[] data, int off, int len) {
    }
    /**
     * Bytes of pushed datagrams queued on the loop and not yet handled (the "inbox"), bounded by
     * {@link #MAX_INBOX_BYTES}.
     */
    private final java.util.concurrent.atomic.AtomicLong inboxBytes = new java.util.concurrent.atomic.AtomicLong();
    /** Pushed datagrams queued on the loop and not yet handled. */
    private final AtomicInteger inboxWaiting = new AtomicInteger();
    /** Datagrams dropped because the inbox was full. */
    private final java.util.concurrent.atomic.AtomicLong inboxDropped = new java.util.concurrent.atomic.AtomicLong();
    /** SCTP drains that followed pushed datagrams (tests: a burst costs one drain, not one each). */
    private final java.util.concurrent.atomic.AtomicLong pushDrains = new java.util.concurrent.atomic.AtomicLong();
    /** Most pushed datagrams handled between two drains (written by the loop). */
    private volatile int largestInboxBatch;
    /** Datagrams handed to DTLS by the loop in push mode. */
    private final java.util.concurrent.atomic.AtomicLong inboxDatagrams = new java.util.concurrent.atomic.AtomicLong();
    /** Loop thread: pushed datagrams handled since the last drain. */
    private int datagramsSinceDrain;
    /** Loop thread: datagrams that ran before onDtlsConnected; it handles them (still counted in inboxBytes). */
    private final java.util.ArrayDeque<Datagram> heldBeforeConnected = new java.util.ArrayDeque<>();
    /** Why the connection failed; set once, by the first cause, before the state becomes FAILED. */
    private volatile String failureReason;

    // ---- loop-thread state ----
    private long sessionVersion;
    /** The generation DTLS runs (or will run) over; null before the first createOffer / remote offer. */
    private IceGen active;
    /** An ICE restart being negotiated, or null. */
    private IceGen next;
    /** The generation answering the remote offer (set with it; used by createAnswer). */
    private IceGen answerGen;
    private int generations;
    /** The active generation failed while a restart was in progress (failure deferred; see onIceState). */
    private boolean activeFailed;
    /** Fails the connection if a deferred failure is not healed by the restart in time. */
    private EventLoop.Timer restartDeadline;
    /** restartIce() was called and no offer with new credentials has been applied yet. */
    private boolean restartRequested;
    /** Our ICE role; fixed by the first offer/answer exchange (RFC 8445 §6.1.1). */
    private boolean controlling;
    /** A first offer/answer exchange has completed. */
    private boolean negotiated;
    /** Our local description as set (before candidates were added), its data section and generation. */
    private SessionDescription localBase;
    private SessionDescriptionInit.Type localBaseType;
    private int localDataIndex;
    private String localMid;
    private IceGen localGen;
    /** The remote description's data section: index and mid, for trickled candidates. */
    private int remoteDataIndex = -1;
    private String remoteMid;
    private SessionDescription remoteParsed;
    private DataChannelMedia remoteMedia;
    /** The remote fingerprints DTLS checks; fixed once DTLS has started. */
    private List<Fingerprint> remoteFingerprints;
    private final List<Held> heldRemoteCandidates = new ArrayList<>();
    /**
     * Candidates of an ICE generation the peer has not described yet (an ICE restart whose
     * candidates overtake its offer or answer), by remote ufrag, oldest ufrag first; at most
     * {@link #MAX_HELD_GENERATIONS} ufrags and {@link #MAX_HELD_REMOTE_CANDIDATES} candidates in all.
     */
    private final Map<String, List<Held>> heldByUfrag = new java.util.LinkedHashMap<>();
    /** Remote ufrags of every generation described so far (the newest {@link #MAX_KNOWN_UFRAGS}). */
    private final Set<String> knownRemoteUfrags = new java.util.LinkedHashSet<>();

    /** A candidate trickled before the remote description; anySection for the string form. */
    private record Held(IceCandidateInit init, boolean anySection) {
    }
    private DtlsRole dtlsRole;
    private boolean dtlsStarted;
    private SwitchableTransport dtlsLower;
    private DtlsTransport dtls;
    /** {@link #dtls} once it receives in push mode (the loop decrypts); null in pull mode. */
    private DtlsTransport pushDtls;
    /** Push receive started (for {@link #receiveStats()}). */
    private volatile boolean pushStarted;
    /** The time (ms) of the inbox batch being processed, for every SCTP packet in it. */
    private long batchNow;
    /** Takes each decrypted record of a pushed datagram (loop thread); one instance, no per-packet lambda. */
    private final DtlsTransport.ApplicationDataSink sctpSink = this::onApplicationData;
    /** Push receive ({@link #onDatagram}): owned arrays, and arrays the socket lends for the call. */
    private final PacketTransport.DatagramReceiver datagramReceiver = new PacketTransport.DatagramReceiver() {
        @Override
        public void onDatagram(byte[] data, int off, int len) {
            PeerConnectionCore.this.onDatagram(data, off, len, false);
        }

        @Override
        public void onBorrowedDatagram(byte[] data, int off, int len) {
            PeerConnectionCore.this.onDatagram(data, off, len, true);
        }
    };
    private SctpPort sctp;
    /** The ICE path {@link #sctpMaxPlpmtu} was computed for (loop thread); null if unknown. */
    private IceAgent.DataPathInfo sctpPath;
    /** MAX_PLPMTU given to SCTP (RFC 8899; 0: no path MTU discovery), bytes; written on the loop. */
    private volatile int sctpMaxPlpmtu;
    /** DTLS's send limit and suite when SCTP started, for {@link #sctpPathChanged()}; loop thread. */
    private int sctpDtlsSendLimit;
    private String sctpCipherSuite;
    /**
     * The one SCTP timer: a wake-up at {@link #timerAt} (ms on {@link #now()}), armed for the
     * earliest {@code pollTimeout} seen since it was set. It is re-armed only when the deadline
     * moves EARLIER; a later deadline (T3-rtx restarted by a SACK, RFC 9260 §6.3.2 R3) leaves it,
     * and a wake-up before the current deadline only re-polls.
     */
    private EventLoop.Timer timer;
    private long timerAt = Long.MAX_VALUE;
    private boolean drainPending;
    private boolean closed;
    /** close() has begun: an SCTP Closed event then means CLOSED, even if aborted. */
    private boolean closeRequested;
    /** Completed (and cleared) by {@link #stopSctp()}; what close() waits on for the SHUTDOWN. */
    private CompletableFuture<Void> sctpStopped;

    /** One ICE generation: an agent with its own credentials and candidates (loop-thread state). */
    private static final class IceGen {
        final int number;
        final IceAgent agent;
        /** Local candidates gathered so far, in SDP form. */
        final List<Candidate> local = new ArrayList<>();
        /** Remote candidates given to the agent (a=candidate values; tests), bounded by the agent's limit. */
        final List<String> remoteAdded = new ArrayList<>();
        boolean gatheringDone;
        /** A local description with this generation's credentials has been set: report candidates. */
        boolean announced;
        int reported;
        boolean endReported;
        String remoteUfrag;
        String remotePwd;
        boolean remoteEnd;
        boolean started;
        /** Closed (replaced by a restart, or a restart that failed or was superseded). */
        boolean retired;
        /** {@link #closeAgentOf} has handed the agent to a closer thread (each agent is closed once). */
        boolean agentClosed;
        IceState iceState = IceState.NEW;
        /** This generation reached CONNECTED or COMPLETED at least once (its own flag, not the connection's). */
        boolean everConnected;
        /** {@link IceAgent#dataReady()} completed: a pair was valid and data (DTLS) may have used it. */
        boolean dataReady;

        IceGen(int number, IceAgent agent) {
            this.number = number;
            this.agent = agent;
        }

        @Override
        public String toString() {
            return "ice#" + number + "(" + agent.localUfrag() + ")";
        }
    }

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
        this(config, sctpFactory, dtlsLowerWrapper, java.util.function.UnaryOperator.identity());
    }

    /**
     * For tests: as above, with {@code iceConfigHook} applied to the builder of every ICE agent's
     * configuration (e.g. short consent timeouts) after it is filled from {@code config}.
     */
    public PeerConnectionCore(RtcConfiguration config, SctpPort.Factory sctpFactory,
                              java.util.function.UnaryOperator<PacketTransport> dtlsLowerWrapper,
                              java.util.function.UnaryOperator<IceConfig.Builder> iceConfigHook) {
        this(config, sctpFactory, dtlsLowerWrapper, iceConfigHook, null);
    }

    /**
     * As above, on a shared event-loop thread.
     *
     * @param sharedWorker the thread to run on (from an EventLoopGroup), or null for a thread of its own
     * @throws IllegalStateException if {@code sharedWorker} was stopped (its group closed)
     */
    public PeerConnectionCore(RtcConfiguration config, SctpPort.Factory sctpFactory,
                              java.util.function.UnaryOperator<PacketTransport> dtlsLowerWrapper,
                              java.util.function.UnaryOperator<IceConfig.Builder> iceConfigHook,
                              EventLoop.Worker sharedWorker) {
        this.dtlsLowerWrapper = dtlsLowerWrapper;
        this.iceConfigHook = iceConfigHook;
        if (config == null) {
            throw new IllegalArgumentException("configuration must not be null");
        }
        this.config = config;
        this.busyPollNanos = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(config.busyPollMicros());
        this.sctpFactory = sctpFactory;
        this.name = "jdatachannel-pc-" + COUNTER.incrementAndGet();
        IceLogging.install();
        DtlsCertificate given = config.certificate();
        // W3C webrtc-pc, RTCPeerConnection constructor: a certificate whose expires is less than the
        // current time is refused (InvalidAccessError). RtcConfiguration checked it when built; it
        // may have expired since.
        if (given != null && given.isExpired(java.time.Instant.now())) {
            throw new IllegalArgumentException("the configured DTLS certificate expired at " + given.expires()
                    + "; generate a new one");
        }
        // A fresh certificate per connection, usually generated ahead in the background (SpareCertificate).
        this.certificate = given != null ? given : SpareCertificate.take();
        this.generatedCertificate = given == null;
        this.sessionId = new SecureRandom().nextLong() >>> 2;
        this.loop = sharedWorker == null ? new EventLoop(name + "-loop") : new EventLoop(name, sharedWorker);
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
            // W3C webrtc-pc §4.4.1.6 (createOffer) and JSEP RFC 8829 §5.2: an offer is made in
            // "stable" or to replace our own pending offer; we do not support glare/rollback.
            if (signalingState != SignalingState.STABLE && signalingState != SignalingState.HAVE_LOCAL_OFFER) {
                throw new IllegalStateException("createOffer is not allowed in signaling state "
                        + signalingState.jsonName() + " (answer the remote offer first)");
            }
            IceGen g;
            if (active == null) {
                // RFC 8445 §6.1.1: "the agent that generated the offer ... MUST take the controlling role".
                controlling = true;
                g = newGeneration();
                active = g;
            } else if (next != null && next.remoteUfrag == null) {
                g = next; // our restart offer, made again
            } else if (restartRequested) {
                // RFC 8445 §9: "To restart ICE, an agent MUST change both the password and the
                // username fragment"; and "agents MUST NOT redetermine the roles as part as an ICE
                // restart" (we keep `controlling`).
                closeGeneration(next);
                g = newGeneration();
                next = g;
            } else {
                // RFC 8829 §5.2.2 (subsequent offers): same ICE credentials unless restarting.
                g = next != null ? next : active;
            }
            // RFC 8829 §5.2.2: a subsequent offer keeps the o= session id and increments the version.
            // The offer's a=setup is actpass (RFC 8842 §5.2); the answer must keep our established
            // DTLS roles, which setRemoteDescription(answer) checks.
            DataChannelMedia local = localMedia(g, Setup.ACTPASS);
            // RFC 8829 §5.2.2: once a local description exists, "Each "a=mid" line MUST stay the
            // same" and the m= sections keep their order: the re-offer is built from it (every
            // other section stays, rejected; our data section keeps its negotiated mid).
            String sdp = (localBase == null ? Jsep.createOffer(local, sessionId, sessionVersion++)
                    : Jsep.createSubsequentOffer(local, localBase)).serialize();
            return new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, sdp);
        });
    }

    public CompletableFuture<SessionDescriptionInit> createAnswer() {
        return onLoop(() -> {
            checkOpen();
            // W3C webrtc-pc §4.4.1.6 (createAnswer): "If connection's signaling state is neither
            // "have-remote-offer" nor "have-local-pranswer", return a promise rejected with ...
            // InvalidStateError."
            if (signalingState != SignalingState.HAVE_REMOTE_OFFER) {
                throw new IllegalStateException("createAnswer needs a remote offer; signaling state is "
                        + signalingState.jsonName());
            }
            IceGen g = answerGen;
            // RFC 8842 §5.3: the answerer "MUST use either 'active' or 'passive'"; we prefer active
            // (DTLS client), like Chromium, Pion and aiortc (INTEROP-NOTES); Jsep answers an
            // 'active' offer with 'passive'. Once DTLS roles are established, a subsequent answer
            // keeps them (RFC 8842 §5.5: no new DTLS association unless asked for).
            Setup want = dtlsRole == DtlsRole.SERVER ? Setup.PASSIVE : Setup.ACTIVE;
            DataChannelMedia local = localMedia(g, want);
            SessionDescription remote = SessionDescription.parse(remoteDescription.sdp());
            // RFC 8829 §5.3.2 (subsequent answers): the o= line and the negotiated mid are kept, and
            // a=setup stays "consistent with the existing DTLS association".
            Setup established = dtlsRole == null ? null : dtlsRole == DtlsRole.CLIENT ? Setup.ACTIVE : Setup.PASSIVE;
            String sdp = (localBase == null ? Jsep.createAnswer(local, remote, sessionId, sessionVersion++)
                    : Jsep.createSubsequentAnswer(local, remote, localBase, established)).serialize();
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
            IceGen g = generationOf(media.iceUfrag());
            if (desc.type() == SessionDescriptionInit.Type.OFFER) {
                // W3C webrtc-pc §4.4.1.5 / RFC 8829 §5.5: a local offer is applied in "stable" or
                // "have-local-offer" and leads to "have-local-offer".
                if (signalingState != SignalingState.STABLE && signalingState != SignalingState.HAVE_LOCAL_OFFER) {
                    throw new IllegalStateException("setLocalDescription(offer) is not allowed in signaling state "
                            + signalingState.jsonName());
                }
                if (g == null) {
                    throw new IllegalStateException("setLocalDescription(offer) needs an offer from createOffer "
                            + "(its ice-ufrag is not one of ours)");
                }
                if (g == next) {
                    restartRequested = false;
                }
                applyLocal(desc, parsed, media, g);
                setSignalingState(SignalingState.HAVE_LOCAL_OFFER);
            } else {
                if (signalingState != SignalingState.HAVE_REMOTE_OFFER) {
                    throw new IllegalStateException("setLocalDescription(answer) needs a remote offer; signaling state is "
                            + signalingState.jsonName());
                }
                if (g == null || g != answerGen) {
                    throw new IllegalStateException("setLocalDescription(answer) needs an answer from createAnswer "
                            + "(its ice-ufrag is not the one answering the remote offer)");
                }
                // RFC 8842 §5.3: our answer's setup decides: "active" makes us the DTLS client.
                DtlsRole role = switch (media.setup() == null ? Setup.ACTPASS : media.setup()) {
                    case ACTIVE -> DtlsRole.CLIENT;
                    case PASSIVE -> DtlsRole.SERVER;
                    default -> throw new IllegalArgumentException(
                            "an answer must say a=setup:active or passive, not " + media.setup());
                };
                checkRoleUnchanged(role, "our answer");
                setRole(role);
                applyLocal(desc, parsed, media, g);
                negotiated = true;
                setSignalingState(SignalingState.STABLE);
            }
            maybeStartIce(g);
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
            DataChannelMedia media;
            if (desc.type() == SessionDescriptionInit.Type.ANSWER && signalingState == SignalingState.HAVE_LOCAL_OFFER
                    && localBase != null && localBaseType == SessionDescriptionInit.Type.OFFER) {
                // RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as
                // the offer"; RFC 8829 §5.3.1: each answered section carries the offered mid.
                // Jsep.checkAnswer refuses (SdpParseException) an answer that does not match our
                // offer before any state changes; its data section is the one at our data index.
                media = Jsep.checkAnswer(localBase, parsed);
            } else {
                media = DataChannelMedia.from(parsed);
            }
            if (media.rejected()) {
                throw new IllegalArgumentException("the remote description rejects the data channel section (port 0)");
            }
            IceGen g;
            if (desc.type() == SessionDescriptionInit.Type.OFFER) {
                if (signalingState == SignalingState.HAVE_LOCAL_OFFER) {
                    // W3C webrtc-pc §4.4.1.5: a remote offer in "have-local-offer" needs rollback first.
                    throw new IllegalStateException("setRemoteDescription(offer) is not allowed in signaling state "
                            + "have-local-offer (glare; rollback is not supported)");
                }
                checkFingerprintsUnchanged(media);
                if (dtlsRole != null && media.setup() != null) {
                    // RFC 8842 §5.5 (subsequent offer): actpass lets us keep our role; active or
                    // passive must leave us the role we have.
                    switch (media.setup()) {
                        case ACTIVE -> checkRoleUnchanged(DtlsRole.SERVER, "the remote offer (a=setup:active)");
                        case PASSIVE -> checkRoleUnchanged(DtlsRole.CLIENT, "the remote offer (a=setup:passive)");
                        case HOLDCONN -> throw new IllegalArgumentException("the remote offer says a=setup:holdconn");
                        default -> {
                        }
                    }
                }
                if (active == null) {
                    controlling = false;
                    g = newGeneration();
                    active = g;
                } else if (sameCredentials(active, media)) {
                    g = active;
                    if (next != null && next.remoteUfrag == null) {
                        // Our restart offer was made but never applied (else we would be in
                        // have-local-offer) and the peer's plain re-offer supersedes it: its agent is
                        // closed now; restartRequested stays, so our next offer restarts afresh.
                        dropNext("superseded by the peer's re-offer");
                    }
                } else if (next != null && sameCredentials(next, media)) {
                    g = next;
                } else if (active.remoteUfrag == null) {
                    g = active; // a second offer before we answered the first
                } else {
                    // RFC 8445 §9 / RFC 8839 §4.4.1.1.1: new remote ice-ufrag/ice-pwd in an offer is
                    // an ICE restart by the peer ("An ICE restart causes all previous states of the
                    // data streams, excluding the roles of the agents, to be flushed"): a new agent,
                    // same role, new credentials in our answer.
                    LOG.info("{}: the remote offer restarts ICE (new ice-ufrag {})", name, media.iceUfrag());
                    if (next != null && next.remoteUfrag == null && !next.announced) {
                        g = next; // our own pending restart generation serves this one
                    } else {
                        closeGeneration(next);
                        g = newGeneration();
                        next = g;
                    }
                    restartRequested = false;
                }
                setRemote(desc, parsed, media, g);
                answerGen = g;
                setSignalingState(SignalingState.HAVE_REMOTE_OFFER);
            } else {
                if (signalingState != SignalingState.HAVE_LOCAL_OFFER) {
                    throw new IllegalStateException("setRemoteDescription(answer) needs our offer as local "
                            + "description; signaling state is " + signalingState.jsonName());
                }
                g = localGen;
                checkFingerprintsUnchanged(media);
                if (g.remoteUfrag != null && !sameCredentials(g, media)) {
                    throw new IllegalArgumentException("the remote answer changes the ICE credentials (ice-ufrag "
                            + g.remoteUfrag + " -> " + media.iceUfrag() + ") although our offer did not restart ICE");
                }
                // RFC 8842 §5.3: the answerer chooses: "active" makes it the DTLS client, so we
                // are the server; "passive" makes us the client. RFC 4145 §4.1: absent means active.
                Setup s = media.setup() == null ? Setup.ACTIVE : media.setup();
                DtlsRole role = switch (s) {
                    case ACTIVE -> DtlsRole.SERVER;
                    case PASSIVE -> DtlsRole.CLIENT;
                    case ACTPASS -> {
                        LOG.warn("{}: remote answer says a=setup:actpass (invalid in an answer); assuming active", name);
                        yield DtlsRole.SERVER;
                    }
                    case HOLDCONN -> throw new IllegalArgumentException("remote answer says a=setup:holdconn");
                };
                checkRoleUnchanged(role, "the remote answer");
                setRole(role);
                setRemote(desc, parsed, media, g);
                negotiated = true;
                setSignalingState(SignalingState.STABLE);
            }
            maybeStartIce(g);
            return null;
        });
    }

    private static boolean sameCredentials(IceGen g, DataChannelMedia media) {
        return media.iceUfrag().equals(g.remoteUfrag) && media.icePwd().equals(g.remotePwd);
    }

    /** A re-negotiation must not change the DTLS roles of a live session (no new DTLS association). */
    private void checkRoleUnchanged(DtlsRole role, String where) {
        if (dtlsRole != null && dtlsRole != role) {
            throw new IllegalArgumentException(where + " would make us DTLS " + role + " but the session's DTLS role "
                    + "is " + dtlsRole + "; changing DTLS roles (a new DTLS association) is not supported");
        }
    }

    /**
     * Once DTLS has started, the remote certificate is fixed: a later description may list it
     * differently (RFC 8122 §5, paraphrased: one certificate may be given by several fingerprints
     * under different hash functions) but must not name another certificate.
     */
    private void checkFingerprintsUnchanged(DataChannelMedia media) {
        if (!dtlsStarted || remoteFingerprints == null) {
            return;
        }
        String problem;
        if (dtls != null) {
            // The handshake is done and DTLS has the peer certificate: the new description must
            // describe that certificate by the same rule the handshake used (Fingerprints.verify
            // through DtlsTransport), whatever hash functions it lists.
            problem = dtls.verifyPeerFingerprints(entries(media.fingerprints()));
        } else {
            // Handshake still running, certificate not known yet: compare the descriptions. Only
            // a hash function both list can tell; the handshake itself checks the first
            // description's fingerprints against the certificate it receives.
            problem = disagreeingHash(remoteFingerprints, media.fingerprints());
        }
        if (problem != null) {
            // RFC 8842 §5.5 (paraphrased): a changed fingerprint in a subsequent offer asks for a new
            // DTLS association, which we do not support on a live session. A peer that changed its
            // certificate will only talk to us through a new association, so the session is dead:
            // the connection fails (issue 5, decided) and this call fails too.
            String why = "remote certificate fingerprint changed mid-session (was " + fingerprintList(remoteFingerprints)
                    + ", now " + fingerprintList(media.fingerprints()) + ": " + problem
                    + "); a new DTLS association is not supported";
            fail(why);
            throw new IllegalArgumentException("the remote description changes the DTLS fingerprint of a live "
                    + "session: " + why);
        }
    }

    private static List<Map.Entry<String, byte[]>> entries(List<Fingerprint> fps) {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>(fps.size());
        for (Fingerprint f : fps) {
            out.add(Map.entry(f.hashFunction(), f.digest()));
        }
        return out;
    }

    /**
     * Before the peer certificate is known: the first hash function listed in both descriptions
     * under which they share no digest (so they cannot describe the same certificate), or null.
     */
    private static String disagreeingHash(List<Fingerprint> before, List<Fingerprint> after) {
        Map<String, Set<String>> old = digestsByHash(before);
        Map<String, Set<String>> now = digestsByHash(after);
        for (Map.Entry<String, Set<String>> e : old.entrySet()) {
            Set<String> n = now.get(e.getKey());
            if (n != null && java.util.Collections.disjoint(e.getValue(), n)) {
                return "no " + e.getKey() + " digest in common";
            }
        }
        return null;
    }

    private static Map<String, Set<String>> digestsByHash(List<Fingerprint> fps) {
        Map<String, Set<String>> m = new java.util.LinkedHashMap<>();
        for (Fingerprint f : fps) {
            m.computeIfAbsent(f.hashFunction().toLowerCase(java.util.Locale.ROOT), k -> new HashSet<>())
                    .add(Arrays.toString(f.digest()));
        }
        return m;
    }

    private static String fingerprintList(List<Fingerprint> fps) {
        if (fps.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Fingerprint f : fps) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(f);
        }
        return sb.toString();
    }

    private void setRemote(SessionDescriptionInit desc, SessionDescription parsed, DataChannelMedia media, IceGen g) {
        remoteMedia = media;
        if (!dtlsStarted) {
            remoteFingerprints = media.fingerprints();
        }
        remoteDescription = desc;
        remoteMid = media.mid();
        remoteParsed = parsed;
        remoteDataIndex = dataSectionIndex(parsed, media.mid());
        channels.setRemoteMaxMessageSize(remoteSendLimit(desc.sdp(), media));
        if (!media.iceUfrag().equals(g.remoteUfrag) || !media.icePwd().equals(g.remotePwd)) {
            g.agent.setRemoteCredentials(media.iceUfrag(), media.icePwd());
            g.remoteUfrag = media.iceUfrag();
            g.remotePwd = media.icePwd();
            knownRemoteUfrags.remove(g.remoteUfrag);
            knownRemoteUfrags.add(g.remoteUfrag);
            if (knownRemoteUfrags.size() > MAX_KNOWN_UFRAGS) {
                knownRemoteUfrags.remove(knownRemoteUfrags.iterator().next());
            }
        }
        for (Candidate c : media.candidates()) {
            addRemote(g, c);
        }
        if (media.endOfCandidates()) {
            g.remoteEnd = true;
        }
        // Candidates trickled before this description (held by addIceCandidate), and those of this
        // generation that came before it (held by applyRemoteCandidate).
        List<Held> held = new ArrayList<>(heldRemoteCandidates);
        heldRemoteCandidates.clear();
        List<Held> early = heldByUfrag.remove(media.iceUfrag());
        if (early != null) {
            LOG.debug("{}: applying {} candidates of {} trickled before its description", name, early.size(), g);
            held.addAll(early);
        }
        for (Held c : held) {
            try {
                applyRemoteCandidate(c.init(), c.anySection());
            } catch (IllegalArgumentException | SdpParseException e) {
                LOG.warn("{}: dropping a candidate trickled before the remote description: {}", name, e.getMessage());
            }
        }
    }

    /** True if m= section {@code index} of the remote description is in a BUNDLE group with the data section. */
    private boolean bundledWithData(int index) {
        String mid = remoteParsed.media().get(index).mid().orElse(null);
        if (mid == null || remoteMid == null) {
            return false;
        }
        for (Attribute a : remoteParsed.attributes()) {
            if (a.name().equals("group") && a.value() != null) {
                List<String> f = List.of(a.value().trim().split("\\s+"));
                if (!f.isEmpty() && f.get(0).equals("BUNDLE") && f.contains(mid) && f.contains(remoteMid)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The generation whose local ufrag is {@code ufrag}, or null. */
    private IceGen generationOf(String ufrag) {
        if (active != null && active.agent.localUfrag().equals(ufrag)) {
            return active;
        }
        if (next != null && next.agent.localUfrag().equals(ufrag)) {
            return next;
        }
        return null;
    }

    /**
     * Adds a trickled remote candidate. Before the remote description, candidates are held (at most
     * {@link #MAX_HELD_REMOTE_CANDIDATES}) and applied with it.
     *
     * @param init       the candidate
     * @param anySection true for the string form (no sdpMid/sdpMLineIndex: our data section)
     */
    public CompletableFuture<Void> addIceCandidate(IceCandidateInit init, boolean anySection) {
        return onLoop(() -> {
            checkOpen();
            if (init == null) {
                throw new IllegalArgumentException("candidate must not be null");
            }
            // W3C webrtc-pc §4.4.1.6 (addIceCandidate): "If candidate.candidate is not an empty
            // string and both candidate.sdpMid and candidate.sdpMLineIndex are null, return a promise
            // rejected with a newly created TypeError."
            if (!anySection && !init.isEndOfCandidates() && init.sdpMid() == null && init.sdpMLineIndex() == null) {
                throw new IllegalArgumentException("a candidate needs sdpMid or sdpMLineIndex");
            }
            if (!init.isEndOfCandidates()) {
                Candidate.parse(init.candidate().strip()); // SdpParseException now, not later
            }
            if (remoteDescription == null) {
                // Deviation from W3C (which rejects with InvalidStateError): over a real signaling
                // channel candidates may overtake the description, so they are held and applied
                // with it.
                if (heldRemoteCandidates.size() >= MAX_HELD_REMOTE_CANDIDATES) {
                    throw new IllegalStateException("more than " + MAX_HELD_REMOTE_CANDIDATES
                            + " candidates before the remote description");
                }
                heldRemoteCandidates.add(new Held(init, anySection));
                return null;
            }
            applyRemoteCandidate(init, anySection);
            return null;
        });
    }

    /**
     * Applies one remote candidate to the generation its usernameFragment names (loop thread).
     * With {@code anySection} (the string form) and neither sdpMid nor sdpMLineIndex, it is for
     * our data section.
     */
    private void applyRemoteCandidate(IceCandidateInit init, boolean anySection) throws SdpParseException {
        // W3C webrtc-pc §4.4.1.6 (addIceCandidate): "If candidate.sdpMid is not null ... If no
        // media description is found [with that mid], reject ... OperationError"; otherwise "If
        // candidate.sdpMLineIndex is not null ... If index is equal to or larger than the number of
        // media descriptions, reject ... OperationError." Only the data section has a transport
        // here: a candidate for a section BUNDLEd with it (RFC 8843 §10: one transport for the
        // bundle; browsers trickle for the first bundled section) is used for it; one for another
        // (rejected) section is ignored.
        int index;
        if (init.sdpMid() != null) {
            index = -1;
            for (int i = 0; i < remoteParsed.media().size(); i++) {
                if (init.sdpMid().equals(remoteParsed.media().get(i).mid().orElse(null))) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                throw new IllegalArgumentException("sdpMid '" + init.sdpMid() + "' names no m= section of the remote "
                        + "description (the data section's mid is "
                        + (remoteMid == null ? "absent" : "'" + remoteMid + "'") + ")");
            }
        } else if (init.sdpMLineIndex() != null) {
            index = init.sdpMLineIndex();
            if (index >= remoteParsed.media().size()) {
                throw new IllegalArgumentException("sdpMLineIndex " + index + " is beyond the remote description's "
                        + remoteParsed.media().size() + " m= section(s)");
            }
        } else if (anySection) {
            index = remoteDataIndex;
        } else {
            throw new IllegalArgumentException("a candidate needs sdpMid or sdpMLineIndex");
        }
        if (index != remoteDataIndex && !bundledWithData(index)) {
            LOG.debug("{}: ignoring a candidate for m= section {} (not the data section {}): {}", name, index,
                    remoteDataIndex, init.candidate());
            return;
        }
        Candidate c = init.isEndOfCandidates() ? null : Candidate.parse(init.candidate().strip());
        String ufrag = init.usernameFragment();
        if (ufrag == null && c != null) {
            ufrag = c.extension("ufrag").orElse(null); // werift and Firefox add "ufrag <ufrag>"
        }
        IceGen g;
        if (ufrag == null) {
            g = next != null && next.remoteUfrag != null ? next : active;
        } else if (next != null && ufrag.equals(next.remoteUfrag)) {
            g = next;
        } else if (active != null && ufrag.equals(active.remoteUfrag)) {
            g = active;
        } else if (knownRemoteUfrags.contains(ufrag)) {
            // W3C webrtc-pc §4.4.1.6: a candidate whose usernameFragment names no current ICE
            // generation belongs to an older one (before an ICE restart) and is ignored.
            LOG.debug("{}: ignoring candidate of old ICE generation '{}': {}", name, ufrag, init.candidate());
            return;
        } else {
            // A generation not described yet: the peer restarts ICE and trickles the new
            // generation's candidates alongside its offer/answer, which may come later. Held
            // (bounded) and applied with the description that carries this ufrag (setRemote).
            holdForGeneration(ufrag, init, anySection);
            return;
        }
        if (c == null) {
            // RFC 8838 §4.4 (end-of-candidates): the peer has no more candidates for this generation.
            g.remoteEnd = true;
            LOG.debug("{}: end of remote candidates for {}", name, g);
            return;
        }
        addRemote(g, c);
    }

    private void holdForGeneration(String ufrag, IceCandidateInit init, boolean anySection) {
        int total = 0;
        for (List<Held> l : heldByUfrag.values()) {
            total += l.size();
        }
        if (!heldByUfrag.containsKey(ufrag) && heldByUfrag.size() >= MAX_HELD_GENERATIONS) {
            String oldest = heldByUfrag.keySet().iterator().next();
            List<Held> dropped = heldByUfrag.remove(oldest);
            total -= dropped.size();
            LOG.warn("{}: dropping {} held candidates of undescribed ICE generation '{}' (more than {} such "
                    + "generations)", name, dropped.size(), oldest, MAX_HELD_GENERATIONS);
        }
        if (total >= MAX_HELD_REMOTE_CANDIDATES) {
            throw new IllegalStateException("more than " + MAX_HELD_REMOTE_CANDIDATES
                    + " candidates held for ICE generations without a remote description");
        }
        LOG.debug("{}: holding candidate of undescribed ICE generation '{}': {}", name, ufrag, init.candidate());
        heldByUfrag.computeIfAbsent(ufrag, u -> new ArrayList<>()).add(new Held(init, anySection));
    }

    /**
     * For tests: the remote candidates (a=candidate values, in order) given to the ICE agent whose
     * local ufrag is {@code localUfrag}, while it is current; empty if there is none. Thread-safe.
     */
    public List<String> remoteCandidatesOf(String localUfrag) {
        try {
            return loop.call(() -> {
                IceGen g = generationOf(localUfrag);
                return g == null ? List.<String>of() : List.copyOf(g.remoteAdded);
            });
        } catch (RejectedExecutionException e) {
            return List.of();
        }
    }

    /**
     * For tests: true while a failure of the ICE path in use is deferred because an ICE restart is
     * in progress (see onIceState). Thread-safe.
     */
    public boolean failureDeferredForRestart() {
        try {
            return loop.call(() -> activeFailed);
        } catch (RejectedExecutionException e) {
            return false;
        }
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

    /**
     * W3C webrtc-pc §4.4.1.6 (restartIce): the next offer gets new ICE credentials. Idempotent
     * until that offer is applied; a no-op when closed.
     */
    public void restartIce() {
        post(() -> {
            if (!closed && active != null) {
                restartRequested = true;
                LOG.debug("{}: ICE restart requested; the next offer has new credentials", name);
            }
        });
    }

    public void onDataChannel(Consumer<DataChannel> handler) {
        channels.setOnDataChannel(handler);
    }

    public void onConnectionStateChange(Consumer<PeerConnectionState> handler) {
        onStateChange = handler;
    }

    public void onSignalingStateChange(Consumer<SignalingState> handler) {
        onSignalingStateChange = handler;
    }

    public void onIceGatheringStateChange(Consumer<IceGatheringState> handler) {
        onGatheringStateChange = handler;
    }

    public void onIceConnectionStateChange(Consumer<IceConnectionState> handler) {
        onIceConnectionStateChange = handler;
    }

    public void onIceCandidate(Consumer<IceCandidateInit> handler) {
        onIceCandidate = handler;
    }

    public PeerConnectionState connectionState() {
        return state;
    }

    /** @return why the connection failed, or null unless FAILED (see PeerConnection#failureReason) */
    public String failureReason() {
        return failureReason;
    }

    public SignalingState signalingState() {
        return signalingState;
    }

    public IceGatheringState iceGatheringState() {
        return gatheringState;
    }

    public IceConnectionState iceConnectionState() {
        return iceConnectionState;
    }

    /** @return our DTLS certificate (generated or configured) */
    public DtlsCertificate certificate() {
        return certificate;
    }

    /** @return every local socket address our ICE agents bound so far (closed ones included; tests) */
    public List<InetSocketAddress> iceSocketAddresses() {
        return List.copyOf(iceSockets);
    }

    // =========================================================================================
    // SDP and ICE-generation helpers (loop thread)
    // =========================================================================================

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the peer connection is closed");
        }
    }

    private <T> void fire(Consumer<T> handler, T value) {
        if (handler != null) {
            loop.defer(() -> handler.accept(value));
        }
    }

    private void setSignalingState(SignalingState s) {
        if (signalingState == s) {
            return;
        }
        LOG.debug("{}: signaling {} -> {}", name, signalingState, s);
        signalingState = s;
        fire(onSignalingStateChange, s);
    }

    private void setGatheringState(IceGatheringState s) {
        if (gatheringState == s) {
            return;
        }
        gatheringState = s;
        fire(onGatheringStateChange, s);
    }

    private void setIceConnectionState(IceConnectionState s) {
        if (iceConnectionState == s || iceConnectionState == IceConnectionState.CLOSED) {
            return;
        }
        LOG.debug("{}: ICE connection {} -> {}", name, iceConnectionState, s);
        iceConnectionState = s;
        fire(onIceConnectionStateChange, s);
    }

    /** Creates an ICE agent with our role and gathers its host candidates (synchronously). */
    private IceGen newGeneration() throws IOException {
        // The loop reads the host sockets itself (issue 6): no reader thread, no hand-off per datagram.
        IceAgent agent = new IceAgent(
                iceConfigHook.apply(IceConfigs.builder(config, controlling).datagramIo(loop)).build());
        IceGen g = new IceGen(++generations, agent);
        agent.onStateChange(s -> {
            if (!post(() -> onIceState(g, s))) {
                LOG.debug("{}: ICE state {} of {} after close", name, s, g);
            }
        });
        agent.dataReady().thenRun(() -> post(() -> onIceDataReady(g)));
        boolean first = g.number == 1;
        try {
            for (IceCandidate c : agent.gather()) {
                g.local.add(Candidates.toSdp(c));
            }
            iceSockets.addAll(agent.localSocketAddresses());
            LOG.debug("{}: {} gathered {} host candidates", name, g, g.local.size());
        } catch (IOException | RuntimeException e) {
            closeAgent(agent);
            if (first) {
                gatheringComplete.completeExceptionally(e);
            }
            throw e;
        }
        // Server-reflexive and relayed candidates come later (trickle ICE, RFC 8838 §4); the agent
        // replays what it found before this registration, in order, and reports nothing after
        // gatheringDone, so the posts below reach the loop in order.
        // Replays run here on the loop thread and are handled at once; so is a gathering that
        // is already over (no STUN/TURN servers), so the first offer says a=end-of-candidates.
        agent.onLocalCandidate(c -> {
            if (loop.inLoop()) {
                onLocalCandidate(g, c);
            } else {
                post(() -> onLocalCandidate(g, c));
            }
        });
        CompletableFuture<Void> done = agent.gatheringDone();
        if (done.isDone()) {
            onGatheringDone(g);
        } else {
            done.whenComplete((v, e) -> post(() -> onGatheringDone(g)));
        }
        return g;
    }

    /**
     * Abandons the restart generation {@code next} (failed or superseded) and closes it; if the
     * active generation has failed meanwhile, the connection fails now (nothing is left to carry it).
     */
    private void dropNext(String why) {
        IceGen g = next;
        if (g == null) {
            return;
        }
        next = null;
        closeGeneration(g);
        if (activeFailed) {
            fail("ICE failed, and the ICE restart " + g + " was abandoned: " + why);
        }
    }

    private void closeGeneration(IceGen g) {
        if (g != null) {
            g.retired = true;
            closeAgentOf(g);
        }
    }

    /**
     * Closes the agent of {@code g} unless that was done already (loop thread). A connection's
     * transports are released once per way it ends, and a graceful close ends it twice: the SCTP
     * association closes (onSctpClosed), then close() itself; each used to start a closer thread
     * for the same agent (issue 6: 4 ice-close threads per connected pair instead of 2).
     */
    private void closeAgentOf(IceGen g) {
        if (g != null && !g.agentClosed) {
            g.agentClosed = true;
            closeAgent(g.agent);
        }
    }

    /**
     * Closes an ICE agent off the loop: {@link IceAgent#close()} waits for the I/O thread (this
     * loop) to release each socket (up to 1 s each) and frees ice4j's state, which must not stall
     * the event loop. One short-lived daemon thread per agent;
     * {@link #close()} (off the loop) waits for them, so {@link #liveThreads()} is empty after it.
     */
    private void closeAgent(IceAgent agent) {
        agentClosers.removeIf(t -> !t.isAlive());
        Thread t = new Thread(agent::close, name + "-ice-close");
        t.setDaemon(true);
        agentClosers.add(t);
        agentClosersStarted.incrementAndGet();
        t.start();
    }

    /** Agent-closer threads started by this connection so far (tests: one per agent). */
    private final AtomicInteger agentClosersStarted = new AtomicInteger();

    /** @return ICE agent closer threads this connection has started (for tests) */
    public int agentClosersStarted() {
        return agentClosersStarted.get();
    }

    /** A local candidate found after the agent was created (STUN/TURN; loop thread). */
    private void onLocalCandidate(IceGen g, IceCandidate c) {
        if (closed || g.retired) {
            return;
        }
        iceSockets.addAll(g.agent.localSocketAddresses());
        if (g.local.size() >= DataChannelMedia.MAX_CANDIDATES) {
            LOG.debug("{}: too many local candidates, dropping {}", name, c);
            return;
        }
        g.local.add(Candidates.toSdp(c));
        reportCandidates(g);
    }

    /** Gathering of {@code g} has ended (loop thread). */
    private void onGatheringDone(IceGen g) {
        if (g.gatheringDone || closed) {
            return;
        }
        g.gatheringDone = true;
        // First the local description and the events, then the future: whoever waits on
        // gatheringComplete() reads a localDescription() with every candidate and end-of-candidates.
        reportCandidates(g);
        if (g.number == 1) {
            gatheringComplete.complete(null);
        }
    }

    /**
     * Reports what {@code g} gathered and was not reported yet, once a local description with its
     * credentials is set (W3C webrtc-pc §4.4.1.6: candidates are surfaced after
     * setLocalDescription), then end-of-candidates once, and refreshes localDescription (W3C §4.4.1.5:
     * "pendingLocalDescription ... updated with new candidates").
     */
    private void reportCandidates(IceGen g) {
        if (!g.announced || closed) {
            return;
        }
        Consumer<IceCandidateInit> h = onIceCandidate;
        String ufrag = g.agent.localUfrag();
        while (g.reported < g.local.size()) {
            Candidate c = g.local.get(g.reported++);
            fire(h, new IceCandidateInit(c.toAttributeValue(), localMid, localDataIndex, ufrag));
        }
        if (g.gatheringDone && !g.endReported) {
            g.endReported = true;
            // W3C webrtc-pc §4.3.2 / RFC 8838 §4.4: at the end of gathering the gathering state
            // becomes "complete", then one end-of-candidates event, candidate "" (browsers also
            // fire a null candidate).
            setGatheringState(IceGatheringState.COMPLETE);
            fire(h, new IceCandidateInit("", localMid, localDataIndex, ufrag));
        }
        if (g == localGen) {
            refreshLocalDescription();
        }
    }

    private void applyLocal(SessionDescriptionInit desc, SessionDescription parsed, DataChannelMedia media, IceGen g) {
        localBase = parsed;
        localBaseType = desc.type();
        localMid = media.mid();
        localDataIndex = Math.max(0, dataSectionIndex(parsed, media.mid()));
        localGen = g;
        localDescription = desc;
        if (!g.announced) {
            g.announced = true;
            setGatheringState(IceGatheringState.GATHERING);
        }
        reportCandidates(g);
        refreshLocalDescription();
    }

    /** localDescription = what was set, plus the candidates gathered since, plus end-of-candidates. */
    private void refreshLocalDescription() {
        IceGen g = localGen;
        SessionDescription sd = localBase;
        if (g == null || sd == null) {
            return;
        }
        // RFC 8840 §8.2 (paraphrased): "a=end-of-candidates" once gathering is complete.
        SessionDescription updated = Jsep.addCandidates(sd, g.local, g.gatheringDone);
        String text = updated.serialize();
        if (!text.equals(sd.serialize())) {
            localDescription = new SessionDescriptionInit(localBaseType, text);
        }
    }

    /** Index of the m= section with this mid (or of the first data-channel section), or -1. */
    static int dataSectionIndex(SessionDescription sd, String mid) {
        List<MediaDescription> media = sd.media();
        int firstApp = -1;
        for (int i = 0; i < media.size(); i++) {
            MediaDescription m = media.get(i);
            if (mid != null && mid.equals(m.mid().orElse(null))) {
                return i;
            }
            if (firstApp < 0 && m.mediaLine().media().equals("application") && m.mediaLine().port() != 0) {
                firstApp = i;
            }
        }
        return firstApp;
    }

    private DataChannelMedia localMedia(IceGen g, Setup setup) {
        Fingerprint fp;
        try {
            fp = Fingerprint.parse("sha-256 " + certificate.sha256Fingerprint());
        } catch (SdpParseException e) {
            throw new IllegalStateException("our own fingerprint does not parse", e);
        }
        return new DataChannelMedia(MID, g.agent.localUfrag(), g.agent.localPassword(), false, List.of(fp), setup,
                config.sctpPort(), config.maxMessageSize(), List.copyOf(g.local), g.gatheringDone, false, false);
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

    private void addRemote(IceGen g, Candidate c) {
        IceCandidate ic;
        try {
            ic = Candidates.fromSdp(c);
        } catch (IllegalArgumentException e) {
            LOG.debug("{}: skipping remote candidate {}: {}", name, c, e.getMessage());
            return;
        }
        g.agent.addRemoteCandidate(ic);
        if (g.remoteAdded.size() < IceAgent.MAX_REMOTE_CANDIDATES) {
            g.remoteAdded.add(c.toAttributeValue());
        }
    }

    private void setRole(DtlsRole role) {
        if (dtlsRole == role) {
            return;
        }
        dtlsRole = role;
        // RFC 8832 §6: stream ids follow the DTLS role, not the ICE role.
        channels.setDtlsRole(role == DtlsRole.CLIENT);
    }

    /** Starts checks on {@code g} once it has our local description and the remote credentials. */
    private void maybeStartIce(IceGen g) {
        if (g.started || !g.announced || g.remoteUfrag == null || closed) {
            return;
        }
        g.started = true;
        LOG.debug("{}: starting {} ({}), DTLS {}", name, g, controlling ? "controlling" : "controlled", dtlsRole);
        g.agent.start();
        if (g == active) {
            setIceConnectionState(IceConnectionState.CHECKING);
            updateConnectionState();
        }
    }

    // =========================================================================================
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

    /**
     * W3C webrtc-pc §4.3.3 (RTCPeerConnectionState) for one ICE and one DTLS transport: "failed"
     * and "closed" are set where they happen (final); otherwise "disconnected" if "any of the
     * RTCIceTransports are in the "disconnected" state", "new" if "all of the connection's transports
     * are in the "new" or "closed" state", "connecting" if any "are in the "new" or "checking"" (ICE)
     * or "new" or "connecting" (DTLS) state, else "connected".
     */
    private void updateConnectionState() {
        if (closed || isFinal()) {
            return;
        }
        IceConnectionState i = iceConnectionState;
        PeerConnectionState s;
        if (i == IceConnectionState.DISCONNECTED) {
            s = PeerConnectionState.DISCONNECTED;
        } else if (i == IceConnectionState.NEW && !dtlsStarted) {
            s = PeerConnectionState.NEW;
        } else if (i == IceConnectionState.NEW || i == IceConnectionState.CHECKING || dtls == null) {
            s = PeerConnectionState.CONNECTING;
        } else {
            s = PeerConnectionState.CONNECTED;
        }
        setState(s);
    }

    private static IceConnectionState map(IceState s) {
        return switch (s) {
            case NEW -> IceConnectionState.NEW;
            case CHECKING -> IceConnectionState.CHECKING;
            case CONNECTED -> IceConnectionState.CONNECTED;
            case COMPLETED -> IceConnectionState.COMPLETED;
            case DISCONNECTED -> IceConnectionState.DISCONNECTED;
            case FAILED -> IceConnectionState.FAILED;
            case CLOSED -> IceConnectionState.CLOSED;
        };
    }

    private void onIceState(IceGen g, IceState s) {
        if (closed) {
            return;
        }
        LOG.debug("{}: {} {}", name, g, s);
        g.iceState = s;
        if (s == IceState.CONNECTED || s == IceState.COMPLETED) {
            g.everConnected = true;
        }
        if (g == next) {
            switch (s) {
                case CONNECTED, COMPLETED -> promoteNext();
                case FAILED -> {
                    // The restart did not connect: keep the path we have (W3C: the connection fails
                    // only if the ICE transport in use fails).
                    LOG.warn("{}: ICE restart {} failed; staying on {}", name, g, active);
                    dropNext("its checks failed");
                }
                default -> {
                }
            }
            return;
        }
        if (g != active || s == IceState.CLOSED) {
            return;
        }
        if (s == IceState.NEW && g.started) {
            return;
        }
        if (s == IceState.FAILED && next != null) {
            // The path in use is gone but an ICE restart is under way (its offer made or its checks
            // running), which is how an application recovers a lost path (W3C webrtc-pc §4.4.1.6
            // restartIce). Failing now would tear down DTLS and SCTP under it. So the failure is
            // deferred: ICE reads "disconnected" meanwhile; the connection fails only if the
            // restart fails, is dropped, or has not connected within RESTART_GRACE_MS.
            LOG.warn("{}: {} failed while ICE restart {} is in progress; waiting up to {} ms for it", name, g,
                    next, RESTART_GRACE_MS);
            activeFailed = true;
            setIceConnectionState(IceConnectionState.DISCONNECTED);
            updateConnectionState();
            try {
                restartDeadline = loop.schedule(() -> {
                    restartDeadline = null;
                    if (activeFailed && !closed) {
                        fail("ICE failed and the ICE restart did not connect within " + RESTART_GRACE_MS + " ms");
                    }
                }, RESTART_GRACE_MS);
            } catch (RejectedExecutionException e) {
                LOG.debug("{}: loop stopped", name);
            }
            return;
        }
        setIceConnectionState(map(s));
        switch (s) {
            case CONNECTED, COMPLETED -> {
                if (!dtlsStarted) {
                    startDtls();
                }
                sctpPathChanged(); // the selected pair may differ from the early one DTLS started on
                updateConnectionState();
            }
            // The reason depends on whether THIS generation ever had a working pair: one that did
            // lost it (consent); one that never did found none, whatever earlier generations did.
            case FAILED -> fail(g.everConnected
                    // RFC 7675 §5.1: "Consent expires after 30 seconds" without an answered check.
                    ? "ICE failed: consent expired (no connectivity check answered for "
                            + config.iceConsentTimeoutMs() + " ms on " + g + ")"
                    // A pair succeeded and may have carried data (RFC 8445 §12.1) but none was
                    // selected: its consent expired (IceAgent's early-pair deadline) or ICE gave up.
                    : g.dataReady
                    ? "ICE failed: a candidate pair of " + g + " succeeded and was used before nomination, but no"
                            + " pair was selected (consent on it expired after " + config.iceConsentTimeoutMs()
                            + " ms, or ICE processing failed)"
                    // RFC 8445 §8.1.2 / §7.2.5.4: every candidate pair failed.
                    : "ICE failed: no candidate pair succeeded (connectivity checks of " + g + " all failed)");
            default -> updateConnectionState();
        }
    }

    /**
     * The restarted generation connected (RFC 8445 §9: once ICE processing of the restart
     * completes, the new pair is used): DTLS moves over to it and the old agent is closed.
     */
    private void promoteNext() {
        IceGen old = active;
        IceGen g = next;
        next = null;
        active = g;
        activeFailed = false;
        if (restartDeadline != null) {
            restartDeadline.cancel();
            restartDeadline = null;
        }
        LOG.info("{}: ICE restart done: {} replaces {} ({})", name, g, old, g.agent.selectedPairDescription());
        if (dtlsLower != null) {
            dtlsLower.switchTo(SwitchableTransport.ice(g.agent.transport()));
        }
        sctpPathChanged();
        setIceConnectionState(map(g.iceState));
        if (!dtlsStarted) {
            startDtls();
        }
        updateConnectionState();
        closeGeneration(old);
    }

    /**
     * ICE of {@code g} has a valid pair and the peer checks us (see {@link IceAgent#dataReady()}):
     * the first DTLS handshake starts now rather than when a pair is nominated (a round of Ta
     * pacing later). RFC 8445 §12.1: "An ICE agent MAY send data on any valid pair before
     * selected pairs have been produced for the data stream"; RFC 5763 §6.7.1 (updated by RFC
     * 8842): "the ICE connectivity checks are performed before the DTLS handshake begins" and
     * "Implementations MUST treat all ICE candidate pairs associated with a single component as
     * part of the same DTLS association": the IceTransport moves to the selected pair when there
     * is one. Browsers do the same (DTLS once a pair is writable). ICE restarts are unchanged:
     * DTLS moves to a new generation only when it connects ({@link #promoteNext}).
     */
    private void onIceDataReady(IceGen g) {
        g.dataReady = true;
        if (closed || isFinal() || dtlsStarted || g != active || g.retired || dtlsRole == null
                || remoteFingerprints == null) {
            return;
        }
        startDtls();
        updateConnectionState();
    }

    private void startDtls() {
        dtlsStarted = true;
        DtlsRole role = dtlsRole;
        // RFC 8122 §5 (paraphrased): several fingerprints may be given, also several with the same
        // hash function (several possible certificates); the peer's must match one of them.
        List<Map.Entry<String, byte[]>> fps = entries(remoteFingerprints);
        dtlsLower = new SwitchableTransport(SwitchableTransport.ice(active.agent.transport()));
        PacketTransport lower = dtlsLowerWrapper.apply(dtlsLower);
        int timeout = config.dtlsHandshakeTimeoutMs();
        LOG.debug("{}: ICE {} (selected pair {}), DTLS {} handshake", name, active.iceState,
                active.agent.selectedPairDescription(), role);
        Runnable task = () -> {
            Thread self = Thread.currentThread();
            String idleName = self.getName();
            self.setName(name + "-dtls");
            dtlsThread = self;
            try {
                runDtls(role, lower, fps, timeout);
            } finally {
                self.setName(idleName);
                dtlsTaskDone.complete(null);
            }
        };
        dtlsTaskSubmitted = true;
        try {
            DtlsThreads.run(task, name + "-dtls");
        } catch (OutOfMemoryError | RuntimeException e) {
            // No thread could start ("unable to create native thread"): the task never runs, so its
            // handshake time limit never applies; fail now, and close() must not wait for it.
            dtlsTaskDone.complete(null);
            fail("DTLS handshake thread could not start: " + e);
        }
    }

    /**
     * Threads for DTLS handshakes, shared by the connections of the JVM (issue 6, set-up time).
     * Before, each handshake started a thread of its own when ICE had a pair, and it began running
     * 0.4-2.4 ms later on the 2-core test machine (measured set-up timeline; a new thread is queued
     * behind the running ones, and the connection's peer was already sending its ClientHello). A
     * thread that has just finished a handshake now waits up to {@link #KEEP_ALIVE_S} s for the
     * next one and is woken at once; a handshake for which no thread waits gets a new one, as
     * before, which stays in the pool afterwards (at most {@link #MAX_THREADS} pooled threads, busy
     * or idle; beyond that a handshake gets a thread of its own that ends with it). While it runs a
     * connection's task a thread is named {@code <connection>-dtls}; idle, {@code
     * jdatachannel-dtls}. Thread-safe.
     */
    static final class DtlsThreads {
        /** How long an idle handshake thread waits for the next handshake, s. */
        static final long KEEP_ALIVE_S = 5;
        /** Most pooled handshake threads (busy or idle). */
        static final int MAX_THREADS = 64;
        private static final java.util.concurrent.ThreadPoolExecutor POOL = new java.util.concurrent.ThreadPoolExecutor(
                0, MAX_THREADS, KEEP_ALIVE_S, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "jdatachannel-dtls");
                    t.setDaemon(true);
                    return t;
                });
        /** Threads started for handshakes (pooled or not), for tests. */
        private static final AtomicInteger STARTED = new AtomicInteger();

        private DtlsThreads() {
        }

        /** Runs {@code task} on an idle pooled thread, a new pooled one, or (pool full) a thread of its own. */
        static void run(Runnable task, String ownName) {
            int before = POOL.getPoolSize();
            try {
                POOL.execute(task);
                if (POOL.getPoolSize() > before) {
                    STARTED.incrementAndGet(); // approximate under concurrency; tests run one at a time
                }
                return;
            } catch (RejectedExecutionException e) {
                // all MAX_THREADS busy: a thread of its own, as before the pool
            }
            Thread t = new Thread(task, ownName);
            t.setDaemon(true);
            STARTED.incrementAndGet();
            t.start();
        }

        /** @return handshake threads started so far in this JVM (tests) */
        static int threadsStarted() {
            return STARTED.get();
        }

        /** @return pooled handshake threads waiting for work now (tests) */
        static int idle() {
            return POOL.getPoolSize() - POOL.getActiveCount();
        }
    }

    /**
     * DTLS thread: the handshake; then, if the transport below supports push receive, the thread
     * ends and the event loop takes every datagram (DESIGN.md "Threading", issue 6); else it stays
     * and reads packets until the transport ends (pull mode).
     */
    private void runDtls(DtlsRole role, PacketTransport lower, List<Map.Entry<String, byte[]>> fps, int timeoutMs) {
        DtlsTransport d;
        try {
            d = DtlsTransport.connect(role, lower, certificate, fps, timeoutMs);
        } catch (IOException | RuntimeException e) {
            post(() -> fail("DTLS handshake failed: " + describe(e)));
            return;
        } catch (Error e) {
            readerDied(null, e);
            return;
        }
        boolean push;
        try {
            // Datagrams that arrive from now on (and those already queued below, first) become loop
            // tasks. Those that run before onDtlsConnected (posted next) are held for it; it hands
            // them to DTLS after what DTLS itself already holds.
            lower.setReceiver(datagramReceiver);
            push = true;
        } catch (UnsupportedOperationException e) {
            push = false;
        }
        boolean pushMode = push;
        if (!post(() -> onDtlsConnected(d, pushMode))) {
            d.close();
            return;
        }
        if (push) {
            LOG.debug("{}: DTLS connected; push receive on the event loop", name);
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
            post(() -> onDtlsEnded(d, e));
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
     * Push receive, on the thread that read the datagram (must not block). On the event-loop
     * thread itself (it reads the host sockets, issue 6) and once push receive runs, the datagram
     * is decrypted and handed to SCTP right here, between tasks, with no queue and no hand-off;
     * the SCTP drain is requested once per selection round ({@link #requestDrain}). Before that
     * (the handshake hand-over) and on any other thread (a TURN relayed socket's reader, the
     * shared fallback I/O thread) it queues the datagram on the event loop as one task: the
     * loop's queue is lock-free and wakes the loop thread only when it is parked, so a burst costs
     * one wake-up; queued datagrams keep their order relative to other loop tasks and are bounded
     * by {@link #MAX_INBOX_BYTES} and {@link #MAX_INBOX_DATAGRAMS}; beyond them the datagram is
     * dropped, as a full socket buffer would drop it. A datagram read inline is handled when the
     * loop reads it, i.e. between two tasks, as if it had arrived then (SCTP and DTLS take any
     * interleaving of received packets and user sends; the loop polls its sockets at least every
     * {@value EventLoop#TASKS_PER_IO_POLL} tasks).
     */
    private void onDatagram(byte[] data, int off, int len, boolean borrowed) {
        DtlsTransport d;
        if (loop.inLoop() && (d = pushDtls) != null && inboxWaiting.get() == 0) {
            // Inline only when no datagram waits in the queue (e.g. one read after onDtlsConnected
            // was posted but before it ran): otherwise this one would overtake it. A borrowed array
            // is fine here: DTLS reads it during the call only (DtlsTransport.handleDatagram).
            handlePushed(d, data, off, len);
            return;
        }
        if (inboxBytes.addAndGet(len) > MAX_INBOX_BYTES || inboxWaiting.get() >= MAX_INBOX_DATAGRAMS) {
            inboxBytes.addAndGet(-len);
            long n = inboxDropped.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.warn("{}: receive inbox full ({} bytes waiting for the event loop); dropped a {}-byte datagram "
                        + "({} so far; logged at 1, 2, 4, ...)", name, inboxBytes.get(), len, n);
            }
            return;
        }
        inboxWaiting.incrementAndGet();
        // A borrowed array is reused by the socket once we return: the queued task gets a copy.
        byte[] queued = borrowed ? java.util.Arrays.copyOfRange(data, off, off + len) : data;
        int queuedOff = borrowed ? 0 : off;
        try {
            loop.post(() -> onPushedDatagram(queued, queuedOff, len));
        } catch (RejectedExecutionException e) {
            // closed: nobody handles it any more
            inboxBytes.addAndGet(-len);
            inboxWaiting.decrementAndGet();
        }
    }

    /** Loop thread: one pushed datagram. */
    private void onPushedDatagram(byte[] data, int off, int len) {
        inboxWaiting.decrementAndGet();
        DtlsTransport d = pushDtls;
        if (d == null) {
            if (!pushStarted && !closed && !isFinal()) {
                // onDtlsConnected (queued right behind) has not run yet: it takes these first.
                heldBeforeConnected.add(new Datagram(data, off, len));
            } else {
                inboxBytes.addAndGet(-len);
            }
            return;
        }
        inboxBytes.addAndGet(-len);
        handlePushed(d, data, off, len);
    }

    /**
     * Loop thread: decrypts one datagram (every record in it) into SCTP and asks for one drain
     * after the burst. A DTLS end (close_notify, fatal alert) or an unexpected failure ends push
     * receive and the connection.
     */
    private void handlePushed(DtlsTransport d, byte[] data, int off, int len) {
        if (closed || d != dtls || isFinal()) {
            pushEnded(d);
            return;
        }
        batchNow = now();
        try {
            d.handleDatagram(data, off, len, sctpSink);
        } catch (DtlsException e) {
            pushEnded(d);
            // What SCTP got before the end (e.g. an ABORT right before close_notify) counts first.
            drain();
            onDtlsEnded(d, e);
            return;
        } catch (IOException e) {
            pushEnded(d);
            drain();
            // Also the normal end after our own close(): onTransportError ignores it then.
            onTransportError(d, "DTLS receive: " + e.getMessage());
            return;
        } catch (RuntimeException | Error e) {
            // A bug in our code or in Bouncy Castle, or the JVM out of memory: without this path no
            // packet reaches SCTP any more, so the connection fails now (DtlsReaderFailureTest).
            pushEnded(d);
            LOG.error("{}: DTLS receive on the event loop failed", name, e);
            onTransportError(d, "DTLS receive path died: " + e);
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            return;
        }
        inboxDatagrams.incrementAndGet();
        if (++datagramsSinceDrain >= MAX_DATAGRAMS_PER_DRAIN) {
            // A long backlog: SACKs and received messages go out now rather than after all of it.
            drain();
        } else {
            requestDrain();
        }
    }

    /** Loop thread: the push receive of {@code d} is over; what waits in the inbox is dropped. */
    private void pushEnded(DtlsTransport d) {
        if (pushDtls == d) {
            pushDtls = null;
        }
        heldBeforeConnected.clear();
    }

    /** Loop thread: one decrypted record (one SCTP packet), valid only during the call. */
    private void onApplicationData(byte[] buf, int off, int len) {
        SctpPort s = sctp;
        if (s == null || closed) {
            return;
        }
        // SctpAssociationPort reads the range in place (the buffer is DTLS's, valid only during this call).
        s.handleInput(buf, off, len, batchNow);
    }

    /**
     * A readable cause for {@link #failureReason()}: the DtlsException's plain-text reason (alert
     * meaning, timeout, fingerprint mismatch; without the internal connection name), else the
     * exception itself.
     */
    private static String describe(Exception e) {
        if (e instanceof DtlsException d) {
            return d.reason();
        }
        return e.toString();
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

    private void onDtlsConnected(DtlsTransport d, boolean push) {
        if (closed || state == PeerConnectionState.FAILED) {
            d.close();
            heldBeforeConnected.clear();
            return;
        }
        dtls = d;
        updateConnectionState();
        // RFC 8841 §6.1: the peer's a=max-message-size is the most we may send; our own is what we
        // accept.
        long remoteMax = Math.min(channels.remoteMaxMessageSize(), Integer.MAX_VALUE - 8);
        // RFC 8899 Datagram PLPMTUD: SCTP probes up to the largest packet that DTLS sends in one
        // record and the local interface of the ICE path carries (PathMtu; 0 = off).
        sctpDtlsSendLimit = d.getSendLimit();
        sctpCipherSuite = d.cipherSuite();
        // Any failure here means no discovery (PathMtu.size), never a connection stuck before SCTP.
        IceGen gen = active;
        PathMtu.Sizing sizing = PathMtu.size(name, () -> gen == null ? null : gen.agent.dataPath(), sctpDtlsSendLimit,
                sctpCipherSuite, config.sctpMaxPacketSize());
        sctpPath = sizing.path();
        sctpMaxPlpmtu = sizing.maxPlpmtu();
        LOG.debug("{}: SCTP MAX_PLPMTU {} (path {}, DTLS send limit {}, {})", name, sctpMaxPlpmtu, sctpPath,
                sctpDtlsSendLimit, sctpCipherSuite);
        SctpPort.Params p = new SctpPort.Params(config.sctpPort(), remoteMedia.sctpPort(), remoteMax,
                config.maxMessageSize(), config.messageInterleaving(), sctpMaxPlpmtu);
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

            @Override
            public boolean pollBufferedAmountChanges(java.util.function.IntConsumer streamIds) {
                return s.pollBufferedAmountChanges(streamIds);
            }
        });
        // Both sides send INIT as soon as DTLS is up (Chromium does the same; RFC 9260 §5.2.1
        // handles the collision).
        sctp.connect(now());
        if (push) {
            pushDtls = d;
            pushStarted = true;
            batchNow = now();
            try {
                // Application data DTLS already holds (it arrived with or right after the peer's
                // last flight) comes before anything in the inbox.
                d.drainPending(sctpSink);
            } catch (DtlsException e) {
                pushEnded(d);
                onDtlsEnded(d, e);
                return;
            } catch (IOException e) {
                pushEnded(d);
                onTransportError(d, "DTLS receive: " + e.getMessage());
                return;
            }
            Datagram g;
            while (pushDtls == d && (g = heldBeforeConnected.poll()) != null) {
                inboxBytes.addAndGet(-g.len());
                handlePushed(d, g.data(), g.off(), g.len());
            }
            heldBeforeConnected.clear();
        }
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
        long now = now();
        // A wake-up armed for an earlier deadline that has since moved later only re-arms (drain).
        if (sctp.pollTimeout() <= now) {
            sctp.handleTimeout(now);
        }
        drain();
    }

    /** Asks for a drain after the current task (user sends queue output outside of a drain). */
    private void requestDrain() {
        if (drainPending || sctp == null) {
            return;
        }
        drainPending = true;
        try {
            loop.post(drainTask);
        } catch (RejectedExecutionException e) {
            drainPending = false;
        }
    }

    /** The task {@link #requestDrain()} posts (one instance: no allocation per drain). */
    private final Runnable drainTask = () -> {
        drainPending = false;
        // A lone datagram or two since the last drain (a request, not a bulk transfer's burst): hold
        // its input batch over the message callbacks, once (the next drain ends it even if more
        // datagrams joined it meanwhile).
        int n = datagramsSinceDrain;
        drain(n > 0 && n <= MAX_DATAGRAMS_TO_HOLD && !this.batchHeld);
    };

    /**
     * A drain holds the input batch over the message callbacks ({@link #drain(boolean)}) only when
     * at most this many datagrams arrived since the last drain: a request/response exchange, whose
     * reply then carries the SACK. A burst of a bulk transfer is acknowledged at once, as before,
     * so its sender's SACK clock never waits for the application's callbacks.
     */
    static final int MAX_DATAGRAMS_TO_HOLD = 2;

    /** Loop thread: the open input batch was held over callbacks once; the next drain ends it. */
    private boolean batchHeld;

    /** Polls SCTP outputs until null, then re-arms the timer. */
    private void drain() {
        drain(false);
    }

    /**
     * Polls SCTP outputs until null, then re-arms the timer.
     *
     * <p>Issue 6 (echo latency): with {@code holdBatch} (a drain after one or two pushed datagrams,
     * {@link #MAX_DATAGRAMS_TO_HOLD}), the
     * outputs are first polled with {@link SctpPort#pollHoldingBatch()}. If that delivered a
     * message, the input batch stays open, the drain ends there and another drain is queued: the
     * message callbacks run in between (after this task, as always), and a reply they send goes out
     * in one packet with the SACK due for the batch, instead of a SACK packet followed by a DATA
     * packet (RFC 9260 §6: "the sender SHOULD create a SACK chunk and bundle it with the outbound
     * DATA chunk"). The SACK is later by the callbacks' run time plus the tasks queued on the loop
     * before the second drain (user sends from other threads, other connections' tasks on a shared
     * worker); normally microseconds, far inside §6.2's delayed-ack bound. The second drain ends
     * the batch (at most one hold per batch). A callback that blocks holds that SACK as long (as it
     * holds every socket read of the connection); one that blocks beyond the peer's retransmission
     * timeout makes the peer retransmit the message, and with it reset its cwnd to one MTU and
     * double its RTO (RFC 9260 §6.3.3 E1/E2, §7.2.3). The peer's RTT samples of such a request
     * include the callback's run time.
     */
    private void drain(boolean holdBatch) {
        if (datagramsSinceDrain > 0) {
            pushDrains.incrementAndGet();
            if (datagramsSinceDrain > largestInboxBatch) {
                largestInboxBatch = datagramsSinceDrain;
            }
            datagramsSinceDrain = 0;
        }
        SctpPort s = sctp;
        if (s == null) {
            return;
        }
        if (holdBatch) {
            boolean delivered = false;
            SctpEvent ev;
            while (sctp == s && (ev = s.pollHoldingBatch()) != null) {
                delivered |= ev instanceof SctpEvent.MessageReceived;
                handle(ev);
            }
            if (sctp != s) {
                return;
            }
            if (delivered) {
                requestDrain();
                if (drainPending) {
                    batchHeld = true;
                    heldDrains++;
                    channels.refreshBufferedAmounts();
                    return; // the queued drain ends the batch and re-arms the timer
                }
            }
        }
        batchHeld = false;
        SctpEvent ev;
        while (sctp == s && (ev = s.poll()) != null) {
            handle(ev);
        }
        if (sctp == s) {
            channels.refreshBufferedAmounts();
            armTimer();
        }
    }

    /** Drains that held their input batch over message callbacks (written by the loop; diagnostics). */
    private volatile long heldDrains;

    /** Loop thread: one SCTP output. */
    private void handle(SctpEvent ev) {
        if (ev instanceof SctpEvent.SendPacket sp) {
            sendPacket(sp.packet());
            recycle(sp.packet());
        } else if (ev instanceof SctpEvent.Connected) {
            LOG.debug("{}: SCTP association established", name);
            channels.onConnected();
            // Not at once: the channels' DCEP OPEN/ACK and open callbacks still belong to the set-up
            // (measured: generating the spares right here made "open" ~0.4 ms later). close() and
            // fail() refill at once.
            if (generatedCertificate) {
                try {
                    loop.schedule(this::setUpOver, REFILL_DELAY_MS);
                } catch (RejectedExecutionException e) {
                    LOG.debug("{}: loop stopped", name);
                }
            }
        } else if (ev instanceof SctpEvent.MessageReceived m) {
            channels.onMessage(m.streamId(), m.ppid(), m.payload());
            if (busyPollNanos > 0) {
                // A message often gets an answer: from its callback (then the DATA send arms the poll
                // anyway) or from an application thread, whose send task the poll then takes
                // without a Selector.wakeup() and a sleep (RtcConfiguration.Builder#busyPollMicros).
                loop.busyPoll(busyPollNanos);
            }
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

    private void sendPacket(byte[] packet) {
        DtlsTransport d = dtls;
        if (d == null) {
            return;
        }
        try {
            d.send(packet, 0, packet.length);
            if (busyPollNanos > 0 && carriesData(packet)) {
                // The peer answers DATA with a SACK, bundled with its reply if it sends one: wait for it
                // without sleeping for a moment (RtcConfiguration.Builder#busyPollMicros).
                loop.busyPoll(busyPollNanos);
            }
        } catch (IOException | IllegalArgumentException e) {
            // A lost packet is recovered by SCTP retransmission; a closed transport is reported by
            // the reader thread.
            LOG.debug("{}: DTLS send of {} bytes failed: {}", name, packet.length, e.toString());
        }
    }

    /**
     * Loop thread: hands a sent packet's array back to SCTP for its next packet of that size. Safe
     * because {@link #sendPacket} is done with it: DTLS encrypted it into a record of its own (Bouncy
     * Castle's record layer keeps no application data once the handshake is over) or dropped it.
     */
    private void recycle(byte[] packet) {
        SctpPort s = sctp;
        if (s != null) {
            s.recyclePacket(packet);
        }
    }

    /** {@link RtcConfiguration#busyPollMicros()} in ns; 0: never busy-poll. */
    private final long busyPollNanos;

    /**
     * Whether an SCTP packet carries user data, i.e. the peer will answer it with a SACK (RFC 9260
     * §6.2: "an acknowledgement SHOULD be generated for at least every second packet ... received,
     * and SHOULD be generated within 200 ms of the arrival of any unacknowledged DATA chunk"; with
     * the I bit of RFC 7053 at once). RFC 9260 §3: a 12-byte common header, then chunks of type (1
     * byte), flags (1), length (2, header included, padding excluded), padded to 4 bytes; DATA is
     * type 0 (§3.3.1), I-DATA type 64 (RFC 8260 §2.1). Reads only our own packets; stops at a
     * length that does not fit.
     *
     * @param packet an SCTP packet we built
     * @return true if one of its chunks is DATA or I-DATA
     */
    static boolean carriesData(byte[] packet) {
        int at = 12;
        while (at + 4 <= packet.length) {
            int type = packet[at] & 0xFF;
            if (type == 0 || type == 64) {
                return true;
            }
            int len = ((packet[at + 2] & 0xFF) << 8) | (packet[at + 3] & 0xFF);
            if (len < 4) {
                return false;
            }
            at += (len + 3) & ~3;
        }
        return false;
    }

    /**
     * Keeps one wake-up at or before SCTP's next deadline. Issue 6: this ran after every drain and
     * cancelled and re-scheduled a timer whenever {@code pollTimeout} moved, which a SACK does on
     * most packets (T3-rtx restart); now a timer is scheduled only when none is armed or the new
     * deadline is earlier than the armed one (a later deadline is found by the early wake-up).
     */
    private void armTimer() {
        long at = sctp.pollTimeout();
        if (at == Long.MAX_VALUE || (timer != null && timerAt <= at)) {
            return;
        }
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        try {
            timer = loop.schedule(this::onTimer, Math.max(0, at - now()));
            timerAt = at;
            timersArmed++;
        } catch (RejectedExecutionException e) {
            timerAt = Long.MAX_VALUE;
        }
    }

    /** Timers scheduled by {@link #armTimer()} so far (written by the loop; tests count re-arms). */
    private volatile long timersArmed;

    private void onSctpClosed(String reason, boolean aborted) {
        LOG.info("{}: SCTP association closed{}: {}", name, aborted ? " (aborted)" : "", reason);
        channels.onClosed();
        stopSctp();
        if (aborted && !closeRequested && failureReason == null && !isFinal()) {
            failureReason = "SCTP association aborted: " + reason;
        }
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

    /** Loop thread: DTLS of {@code d} ended: closed by the peer's close_notify, else failed. */
    private void onDtlsEnded(DtlsTransport d, DtlsException e) {
        if (e.alertFromPeer() && e.alertDescription() == 0) {
            onTransportClosed(d, "peer closed DTLS (close_notify)");
        } else {
            onTransportError(d, "DTLS failed: " + describe(e));
        }
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
        failureReason = why;
        setUpOver();
        channels.onClosed();
        stopSctp();
        setState(PeerConnectionState.FAILED);
        releaseTransports();
    }

    /**
     * The set-up of this connection is over ({@link #REFILL_DELAY_MS} after SCTP up, failed or
     * closed): spare certificates for the next connections are generated now, when they no longer
     * compete with this set-up for CPU (see SpareCertificate). Thread-safe; more calls do no harm
     * (at most SPARES are kept).
     */
    private void setUpOver() {
        if (generatedCertificate) {
            SpareCertificate.refill();
        }
    }

    private void stopSctp() {
        sctp = null;
        CompletableFuture<Void> f = sctpStopped;
        if (f != null) {
            sctpStopped = null;
            f.complete(null);
        }
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        timerAt = Long.MAX_VALUE;
    }

    /** Closes DTLS and ICE (loop thread); our DTLS/reader thread ends by itself soon after. */
    private void releaseTransports() {
        // The connection is over (closed, failed, or its transport ended): push receive ends now,
        // not when the next datagram finds `closed` in handlePushed. Later datagrams then take
        // onDatagram's queued path, as datagrams do before DTLS is up, and onPushedDatagram drops
        // them (as handlePushed/pushEnded did: same outcome). Why here: the JIT compiles the inline
        // receive path (HostSocket.handle ... onDatagram, handlePushed) as one unit without the
        // never-yet-taken "closed" branch, so a datagram arriving after close deoptimized that
        // whole unit, and each of several such units once, every few pairs (issue 6, JFR
        // jdk.Deoptimization: handlePushed bci 4, unstable_if, 6 times in 40 rounds).
        pushDtls = null;
        heldBeforeConnected.clear();
        DtlsTransport d = dtls;
        if (d != null) {
            d.close();
        }
        closeAgentOf(active);
        closeAgentOf(next);
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
        setUpOver();
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
            // W3C webrtc-pc §4.4.1.6 (close): "Set connection's signaling state to "closed". This
            // does not fire any event." Likewise the ICE connection state.
            signalingState = SignalingState.CLOSED;
            iceConnectionState = IceConnectionState.CLOSED;
            heldRemoteCandidates.clear();
            heldByUfrag.clear();
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
            if (dtlsTaskSubmitted) {
                // The handshake thread is pooled (DtlsThreads): wait for our task, not the thread.
                try {
                    dtlsTaskDone.get(CLOSE_JOIN_MS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    LOG.warn("{}: DTLS thread still running after {} ms", name, CLOSE_JOIN_MS);
                }
            }
            if (!loop.awaitTermination(CLOSE_JOIN_MS)) {
                LOG.warn("{}: event loop still running after {} ms", name, CLOSE_JOIN_MS);
            }
            for (Thread c : agentClosers) {
                c.join(CLOSE_JOIN_MS);
                if (c.isAlive()) {
                    LOG.warn("{}: an ICE agent is still closing after {} ms", name, CLOSE_JOIN_MS);
                }
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
                recycle(sp.packet());
            }
        }
    }

    /**
     * Receive-path counters (tests, diagnostics; any thread).
     *
     * @param pushMode        DTLS receives in push mode on the event loop (no reader thread)
     * @param pushDrains      SCTP drains that followed pushed datagrams
     * @param datagrams       datagrams handed to DTLS on the loop
     * @param largestBatch    most datagrams handled between two drains
     * @param dropped         datagrams dropped because the inbox held {@value #MAX_INBOX_BYTES} bytes
     * @param waiting         pushed datagrams queued on the loop now
     * @param loopTasks       tasks the event-loop thread has run
     * @param loopWakeups     times the event-loop thread returned from waiting (a park, or a
     *                        selection round once it reads sockets: woken, timed out or a socket
     *                        became readable)
     * @param sctpTimersArmed SCTP timer (re)schedules
     * @param ioRounds        selection rounds of the event-loop thread that read sockets (it reads
     *                        the host sockets itself; all loops of a shared worker)
     * @param heldDrains      drains that held a lone datagram's SCTP input batch over the message
     *                        callbacks, so that a reply carries its SACK ({@link #drain(boolean)})
     * @param busyPollRequests busy-poll requests to the event-loop thread (a packet with DATA sent,
     *                        a message delivered), skipped ones included ({@link EventLoop#busyPoll};
     *                        all loops of a shared worker)
     * @param busyPolls       busy-poll phases the event-loop thread ran
     * @param busyPollHits    busy-poll phases that ended with a datagram or a task, without a sleep
     */
    public record ReceiveStats(boolean pushMode, long pushDrains, long datagrams, int largestBatch, long dropped,
                               int waiting, long loopTasks, long loopWakeups, long sctpTimersArmed, long ioRounds,
                               long heldDrains, long busyPollRequests, long busyPolls, long busyPollHits) {
    }

    /**
     * After SCTP started, the ICE path may change: an ICE restart moved DTLS to a new agent
     * ({@link #promoteNext}), or nomination selected another pair than the early one SCTP started
     * on. A new path may carry other sizes, so Datagram PLPMTUD starts again from BASE_PLPMTU with
     * this path's MAX_PLPMTU (RFC 8899: a PL that learns its path changed searches again; paraphrased).
     * A path that becomes unknown (no data path, or finding it failed) is a change too: discovery
     * restarts with 0 (off, back at BASE_PLPMTU) once, rather than keeping the previous path's
     * maximum. Nothing happens while the path is the one SCTP already searches on (or is still
     * unknown). Loop thread.
     */
    private void sctpPathChanged() {
        SctpPort s = sctp;
        if (s == null || closed || active == null) {
            return;
        }
        IceGen g = active;
        PathMtu.Sizing sizing = PathMtu.size(name, g.agent::dataPath, sctpDtlsSendLimit, sctpCipherSuite,
                config.sctpMaxPacketSize());
        if (java.util.Objects.equals(sizing.path(), sctpPath)) {
            return;
        }
        int max = sizing.maxPlpmtu();
        LOG.debug("{}: ICE path {} -> {}: SCTP path MTU discovery again, MAX_PLPMTU {} -> {}", name, sctpPath,
                sizing.path(), sctpMaxPlpmtu, max);
        sctpPath = sizing.path();
        sctpMaxPlpmtu = max;
        try {
            s.restartPathMtuDiscovery(max, now());
        } catch (RuntimeException e) {
            LOG.warn("{}: SCTP path MTU discovery restart failed: {}", name, e.toString());
            return;
        }
        drain();
    }

    /**
     * @return MAX_PLPMTU given to SCTP for the current path (RFC 8899; 0: no path MTU discovery),
     *     bytes; 0 before SCTP starts. Any thread (diagnostics, tests, the e2e harness).
     */
    public int sctpMaxPlpmtu() {
        return sctpMaxPlpmtu;
    }

    /**
     * @return SCTP's PLPMTU now (the largest packet it sends, bytes), or 0 before SCTP starts or once
     *     the loop stopped. Any thread: read on the loop (waits for it).
     */
    public int sctpPathMtu() {
        try {
            return loop.call(() -> {
                SctpPort s = sctp;
                return s == null ? 0 : s.pathMtu();
            });
        } catch (RejectedExecutionException e) {
            return 0;
        }
    }

    /** @return the receive-path counters; any thread */
    public ReceiveStats receiveStats() {
        return new ReceiveStats(pushStarted, pushDrains.get(), inboxDatagrams.get(), largestInboxBatch,
                inboxDropped.get(), inboxWaiting.get(), loop.tasksRun(), loop.wakeups(), timersArmed,
                loop.ioRounds(), heldDrains, loop.busyPollRequests(), loop.busyPolls(), loop.busyPollHits());
    }

    /** @return threads this connection started that are still alive (for tests) */
    public List<Thread> liveThreads() {
        List<Thread> out = new ArrayList<>();
        Thread t = dtlsThread;
        // A pooled handshake thread is this connection's only while it runs our task.
        if (t != null && t.isAlive() && !dtlsTaskDone.isDone()) {
            out.add(t);
        }
        Thread l = loop.thread();
        // A shared event-loop thread (EventLoopGroup) is not this connection's: it outlives it.
        if (l != null && l.isAlive() && loop.ownsThread()) {
            out.add(l);
        }
        for (Thread c : agentClosers) {
            if (c.isAlive()) {
                out.add(c);
            }
        }
        // The socket reader threads of our ICE agents (ice module: "jdc-ice-rx-" + local address).
        if (!iceSockets.isEmpty()) {
            Set<String> names = new HashSet<>();
            for (InetSocketAddress a : iceSockets) {
                names.add("jdc-ice-rx-" + a);
            }
            for (Thread th : Thread.getAllStackTraces().keySet()) {
                if (th.isAlive() && names.contains(th.getName())) {
                    out.add(th);
                }
            }
        }
        return out;
    }
}
