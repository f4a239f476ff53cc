package org.jdatachannel.sctp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.SerialNumber;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.chunk.AbortChunk;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.CookieEchoChunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.InitAckChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.chunk.PadChunk;
import org.jdatachannel.sctp.packet.chunk.ReConfigChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownAckChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownCompleteChunk;
import org.jdatachannel.sctp.packet.chunk.UnknownChunk;
import org.jdatachannel.sctp.packet.chunk.UserDataChunk;
import org.jdatachannel.sctp.packet.errorcause.CookieReceivedWhileShuttingDownCause;
import org.jdatachannel.sctp.packet.errorcause.ErrorCause;
import org.jdatachannel.sctp.packet.errorcause.InvalidMandatoryParameterCause;
import org.jdatachannel.sctp.packet.errorcause.InvalidStreamIdentifierCause;
import org.jdatachannel.sctp.packet.errorcause.MissingMandatoryParameterCause;
import org.jdatachannel.sctp.packet.errorcause.NoUserDataCause;
import org.jdatachannel.sctp.packet.errorcause.ProtocolViolationCause;
import org.jdatachannel.sctp.packet.errorcause.StaleCookieCause;
import org.jdatachannel.sctp.packet.errorcause.UnrecognizedChunkTypeCause;
import org.jdatachannel.sctp.packet.errorcause.UnrecognizedParametersCause;
import org.jdatachannel.sctp.packet.errorcause.UserInitiatedAbortCause;
import org.jdatachannel.sctp.packet.parameter.CookiePreservativeParameter;
import org.jdatachannel.sctp.packet.parameter.ForwardTsnSupportedParameter;
import org.jdatachannel.sctp.packet.parameter.IncomingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.OutgoingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.packet.parameter.ReconfigurationResponseParameter;
import org.jdatachannel.sctp.packet.parameter.StateCookieParameter;
import org.jdatachannel.sctp.packet.parameter.SupportedExtensionsParameter;
import org.jdatachannel.sctp.packet.parameter.UnknownParameter;
import org.jdatachannel.sctp.packet.parameter.UnrecognizedParameterParameter;
import org.jdatachannel.sctp.packet.parameter.ZeroChecksumAcceptableParameter;
import org.jdatachannel.sctp.rx.DataTracker;
import org.jdatachannel.sctp.rx.ReassemblyQueue;
import org.jdatachannel.sctp.timer.Timer;
import org.jdatachannel.sctp.tx.OutstandingData;
import org.jdatachannel.sctp.tx.RetransmissionTimeout;
import org.jdatachannel.sctp.tx.SendQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sans-IO SCTP association (RFC 9260) for WebRTC data channels, carried over DTLS (RFC 8261):
 * one SCTP packet per DTLS record, no IP/UDP header. No clocks, threads or sockets: the embedder
 * passes the current time ({@code nowMs}, any monotonic millisecond clock) to every call, feeds
 * received packets to {@link #handleInput}, calls {@link #handleTimeout} when
 * {@link #pollTimeout()} is reached, and drains {@link #pollOutput()} after every call until it
 * returns null, before giving more input.
 *
 * <p>Supported: the four-way handshake with a signed State Cookie and INIT collisions (§5.2),
 * DATA/SACK with fragmentation, bundling, delayed SACK, ordered/unordered delivery, RTO and
 * congestion control with fast retransmit (§6, §7), RE-CONFIG outgoing stream reset (RFC 6525),
 * FORWARD TSN and send-side partial reliability (RFC 3758), SHUTDOWN and ABORT (§9). Optional
 * (see {@link SctpOptions}): user message interleaving with I-DATA and I-FORWARD-TSN (RFC 8260) when
 * both sides offer it, zero checksums over DTLS (RFC 9653), and Datagram Packetization Layer Path
 * MTU Discovery (RFC 8899 §6.2, probes of HEARTBEAT + PAD chunk of RFC 4820) when
 * {@link SctpOptions#maxPlpmtu()} is above {@link SctpOptions#mtu()}: see {@link #pathMtu()}.
 *
 * <p>Policy choices: an incoming message larger than {@link SctpOptions#maxReceiveMessageSize()}
 * aborts the association with a Protocol Violation cause (a peer violating the SDP
 * {@code max-message-size} contract, RFC 8841 §6, cannot be recovered: dropping the message would
 * silently break a reliable channel, and without I-DATA the rest of the stream waits behind it); a
 * message that never ends is aborted as soon as its in-order fragments pass the limit.
 *
 * <p>Receive memory bounds: reassembly is charged payload plus 64 bytes per held chunk or message
 * against the receive window and a_rwnd advertises what is left (RFC 9260 §6.2); beyond the window
 * only the next expected TSN is accepted, and a peer pushing the charge past twice the window is
 * aborted. TSNs more than 65535 above the cumulative TSN are dropped, at most 65535 out-of-order TSNs
 * and 32 duplicates per SACK are remembered ({@link org.jdatachannel.sctp.rx.DataTracker}). A peer restart (COOKIE
 * ECHO case A of §5.2.4) is accepted as the RFC says: new tags and streams, the old session's queued,
 * in-flight and partly received data discarded, and {@link SctpOutput.Restarted} emitted.
 *
 * <p>Lifecycle: INIT and COOKIE ECHO are retransmitted on T1-init / T1-cookie with the doubling RTO,
 * Max.Init.Retransmits times, then the association closes with a reason; after a Stale Cookie error
 * the handshake restarts with a Cookie Preservative (§5.2.6). An idle association sends a HEARTBEAT
 * about every {@link SctpOptions#heartbeatIntervalMs()} plus one RTO (§8.3); unanswered ones count
 * toward Association.Max.Retrans and close the association when it is exceeded. Received HEARTBEATs
 * are always answered. SHUTDOWN drains queued and outstanding data on both sides first; T2-shutdown
 * retransmits SHUTDOWN / SHUTDOWN ACK and T5-shutdown-guard (5 x RTO.Max) bounds the sequence. An
 * outgoing stream reset is requested once the stream's queued data has been sent, one request at a
 * time (later resets are batched into the next one); a request answered "In progress" is asked again
 * after one RTO with a new request sequence number (older dcSCTP and usrsctp answer a repeated
 * number from their cache), and renumbered retries received from the peer are recognized.
 *
 * <p>Not done: DATA is never bundled with COOKIE ECHO (a MAY of §5.1; a §5.2.4 B collision or a
 * Stale Cookie retry re-creates the TCB, which would lose bundled chunks); data queued before the
 * association is established goes out right after the COOKIE ACK. Tie-Tags are the real tags (RFC
 * 4960 style); they travel inside the DTLS-protected association only.
 *
 * <p>Deliberate deviations and limits, with reasons: gap-acknowledged chunks are assumed not
 * to be reneged; the initial congestion window is 10 MTU (RFC 6928 style) and RTO.Min defaults to
 * 400 ms (browser stacks use similar values); an INIT ACK sent before any association exists reuses
 * the tag and TSN of our own INIT, so simultaneous opens converge; DATA or SACK received in
 * COOKIE-ECHOED is taken as a lost COOKIE ACK; after the association ended, stray packets are ignored
 * (only SHUTDOWN ACK is answered) instead of being answered with ABORT.
 *
 * <p>Typical driver loop (one thread):
 * <pre>{@code
 * Association a = new Association(options, new SecureRandom());
 * a.connect(now());                        // both peers may do this
 * // on every received DTLS record:  a.handleInput(ByteBuffer.wrap(record), now());
 * // when now() >= a.pollTimeout():  a.handleTimeout(now());
 * // after each of the above, and after send/resetStreams/shutdown/abort:
 * for (SctpOutput o; (o = a.pollOutput()) != null; ) {
 *     if (o instanceof SctpOutput.SendPacket p) dtls.send(p.packet(), 0, p.packet().length);
 *     else handle(o);                      // Connected, MessageReceived, ... Closed
 * }
 * }</pre>
 *
 * <p>Thread-safety: none; use from one thread (the connection's event loop). The random generator
 * should be cryptographically strong (e.g. {@link java.security.SecureRandom}): it draws the
 * verification tags, initial TSNs and the cookie secret.
 */
public final class Association {
    private static final Logger LOG = LoggerFactory.getLogger(Association.class);
    private static final int[] OUR_EXTENSIONS = {ReConfigChunk.TYPE, ForwardTsnChunk.TYPE};
    /** Bound on peer reset requests waiting for their data (RFC 6525 deferred reset processing). */
    private static final int MAX_DEFERRED_RESETS = 16;

    private final SctpOptions opts;
    private final RandomGenerator rng;
    private final Mac mac;
    /** {@link SctpOutput}s and {@link PendingPacket}s, in order. */
    private final ArrayDeque<Object> outputs = new ArrayDeque<>();

    /**
     * A packet whose bytes are written only when {@link #pollOutput} hands it out, so that it can go
     * into the array of the packet sent just before it ({@link #recyclePacket}): one array per
     * association in a bulk transfer, however many packets one input burst makes. Its parts are fixed
     * when it is made (the chunks are immutable; the zero-checksum decision is taken then).
     */
    private record PendingPacket(int tag, List<Chunk> chunks, boolean zeroChecksum) {
    }
    private final ArrayDeque<Chunk> control = new ArrayDeque<>();
    private int maxFragment;
    private int dataHeaderSize = DataChunk.HEADER_SIZE;

    private int internalErrors;
    private AssociationState state = AssociationState.CLOSED;
    private boolean terminated;
    private boolean connectedEmitted;
    private boolean shutdownRequested;
    /** Our verification tag; replaced only by a peer restart (§5.2.4 A). */
    private int myTag;
    private int myInitialTsn;
    private int peerTag;
    private int outboundStreams;
    private int inboundStreams;
    private boolean peerForwardTsn;
    private boolean peerReconfig;
    /** RFC 8260 negotiated: I-DATA and I-FORWARD-TSN replace DATA and FORWARD TSN. */
    private boolean interleaving;
    /** RFC 9653: the peer announced the DTLS method and we run over DTLS: send zero checksums. */
    private boolean zeroChecksumTx;
    /**
     * RFC 9653 §5.3: accept zero checksums "used for this association": true only while a TCB exists
     * whose handshake carried our Zero Checksum Acceptable parameter (our INIT, or the INIT ACK whose
     * cookie created it; we put it in both whenever {@code zeroChecksumOverDtls} is on). Set by
     * initTcb, cleared when the association ends; a stateless INIT ACK to a stray INIT sets nothing.
     */
    private boolean zeroChecksumRx;

    private final RetransmissionTimeout rto;
    private SendQueue sendQueue;
    private DataTracker tracker;
    private ReassemblyQueue reassembly;
    private OutstandingData outstanding;
    /** True between beginInputBatch and endInputBatch. */
    private boolean inputBatch;
    /** a_rwnd of the last SACK we sent, bytes (for the window update rule of §6.2). */
    private long lastAdvertisedRwnd = Long.MAX_VALUE;

    private final Timer t1Init = new Timer("T1-init");
    private final Timer t1Cookie = new Timer("T1-cookie");
    private final Timer t3Rtx = new Timer("T3-rtx");
    private final Timer delayedAck = new Timer("delayed-ack");
    private final Timer t2Shutdown = new Timer("T2-shutdown");
    private final Timer t5ShutdownGuard = new Timer("T5-shutdown-guard");
    private final Timer reconfigTimer = new Timer("reconfig");
    private final HeartbeatHandler heartbeats;
    /** RFC 8899 Datagram PLPMTUD; DISABLED for good when {@link SctpOptions#maxPlpmtu()} is 0. */
    private final PathMtuDiscovery plpmtud;
    /**
     * The PLPMTU that packet building, {@link #maxFragment} and {@link OutstandingData} now use, bytes
     * (the last value of {@link PathMtuDiscovery#plpmtu()} applied by {@link #syncPathMtu()}).
     */
    private int packetMtu;
    private InitChunk ourInit;
    private byte[] cookieToEcho;
    private List<Chunk> cookieEchoBundle = List.of();
    /** When the COOKIE ECHO was last sent, ms: the RTT of a COOKIE ECHO / Stale Cookie ERROR exchange. */
    private long cookieEchoSentAtMs;
    /** Handshakes restarted after a Stale Cookie error (§5.2.6); bounded by Max.Init.Retransmits. */
    private int staleCookieRetries;

    // RFC 6525 state
    private final TreeSet<Integer> resetQueue = new TreeSet<>();
    private OutgoingSsnResetRequestParameter currentResetRequest;
    /** The peer answered "In progress": the reconfig timer now waits to retry, not for an answer. */
    private boolean currentResetDeferred;
    private int nextRequestSeq;
    private int peerLastRequestSeq;
    private int peerLastResult;
    private final ArrayDeque<OutgoingSsnResetRequestParameter> deferredPeerRequests = new ArrayDeque<>();
    /**
     * The last peer requests performed after "In progress" (bounded), to recognize renumbered retries
     * of them. A genuinely new request with the same streams and Sender's Last Assigned TSN (the peer
     * sent no DATA at all in between) cannot be told apart: it is answered "performed" without a second
     * {@link SctpOutput.IncomingStreamsReset} (known limit; needs a peer that resets a stream twice
     * without sending anything, after a deferred reset of it).
     */
    private final ArrayDeque<OutgoingSsnResetRequestParameter> performedPeerRequests = new ArrayDeque<>();

    /**
     * @param options the configuration
     * @param random randomness for tags, initial TSNs and the cookie secret
     * @throws IllegalArgumentException if either is null
     */
    public Association(SctpOptions options, RandomGenerator random) {
        if (options == null || random == null) {
            throw new IllegalArgumentException("options and random must not be null");
        }
        this.opts = options;
        this.rng = random;
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i += 8) {
            ByteBuffer.wrap(secret, i, 8).putLong(random.nextLong());
        }
        this.mac = StateCookie.newMac(secret);
        // Chosen once: used by our INIT and by INIT ACKs sent before an association exists, so that
        // simultaneous opens converge on one pair of tags (RFC 9260 §5.2.1 keeps "the same
        // parameters it sent in its original INIT" anyway).
        this.myTag = nonZeroTag();
        this.myInitialTsn = random.nextInt();
        this.rto = new RetransmissionTimeout(options.initialRtoMs(), options.minRtoMs(), options.maxRtoMs(),
                options.minRttVarianceMs());
        this.sendQueue = new SendQueue(options.maxSendBufferSize());
        this.heartbeats = new HeartbeatHandler(options.heartbeatIntervalMs(), random);
        this.plpmtud = new PathMtuDiscovery(options.mtu(), options.maxPlpmtu(), options.probeTimerMs(),
                options.pmtuRaiseTimerMs(), random);
        this.packetMtu = options.mtu();
        // Chunks are padded to 4 bytes (§3.2), so the usable packet size is the MTU rounded down to 4.
        this.maxFragment = (options.mtu() & ~3) - SctpPacket.HEADER_SIZE - DataChunk.HEADER_SIZE;
    }

    private int nonZeroTag() {
        int t;
        do {
            t = rng.nextInt();
        } while (t == 0); // §5.3.1: "The Initiate Tag ... MUST NOT take the value 0"
        return t;
    }

    // ------------------------------------------------------------------------------------------
    // Public API

    /** Packets sent that carried a SACK chunk / at least one DATA or I-DATA chunk (diagnostics). */
    private long sackPacketsSent;
    private long dataPacketsSent;

    /** @return packets sent that carried a SACK chunk, since creation; diagnostics, loop thread */
    long sackPacketsSent() {
        return sackPacketsSent;
    }

    /** @return packets sent that carried DATA or I-DATA, since creation; diagnostics, loop thread */
    long dataPacketsSent() {
        return dataPacketsSent;
    }

    /** @return how many internal errors (bugs) were caught and logged; for tests */
    /** @return the association's error counter (RFC 9260 §8.1): T3-rtx expiries plus unanswered HEARTBEATs; for tests */
    int errorCount() {
        return t3Rtx.expirations() + heartbeats.misses();
    }

    int internalErrorCount() {
        return internalErrors;
    }

    /** @return the sender's outstanding-data state (congestion window, counters), null before the TCB; for tests */
    OutstandingData outstandingData() {
        return outstanding;
    }

    /** @return the RTO estimator; for tests */
    RetransmissionTimeout rtoEstimator() {
        return rto;
    }

    /**
     * Sizes of the structures a peer's packets can make grow, for tests that check memory bounds.
     *
     * @param reassemblyBytes accounted bytes held for reassembly and ordering (0 without a TCB)
     * @param reassemblyEntries chunks and messages held for reassembly and ordering
     * @param trackedTsns TSNs remembered above the cumulative TSN
     * @param duplicateTsns duplicate TSNs waiting to be reported
     * @param controlChunks control chunks waiting to be sent
     * @param outputs outputs not yet polled
     * @param deferredResets peer reset requests waiting for their data (RFC 6525 §5.2.2)
     */
    record Footprint(long reassemblyBytes, int reassemblyEntries, int trackedTsns, int duplicateTsns,
            int controlChunks, int outputs, int deferredResets) {
    }

    /** @return the current {@link Footprint}; for tests */
    Footprint footprint() {
        return new Footprint(reassembly == null ? 0 : reassembly.accountedBytes(),
                reassembly == null ? 0 : reassembly.entries(), tracker == null ? 0 : tracker.trackedTsns(),
                tracker == null ? 0 : tracker.pendingDuplicates(), control.size(), outputs.size(),
                deferredPeerRequests.size());
    }

    /** @return a one-line summary of the internal state, for logs and test diagnostics */
    String debugState() {
        return state + " queued=" + sendQueue.totalBuffered() + " hasData=" + sendQueue.hasData()
                + (outstanding == null ? "" : " inFlight=" + outstanding.bytesInFlight() + " cwnd=" + outstanding.cwnd()
                + " peerRwnd=" + outstanding.peerRwnd() + " outstanding=" + outstanding.hasOutstanding()
                + " rtxPending=" + outstanding.hasPendingRetransmits())
                + " resetQueue=" + resetQueue + " currentReset=" + currentResetRequest + " timeout=" + pollTimeout();
    }

    /** @return the current state */
    public AssociationState state() {
        return state;
    }

    /**
     * Starts the association by sending INIT (RFC 9260 §5.1 A). Both sides may call it; the INIT
     * collision is resolved per §5.2. Has no effect unless the state is {@link AssociationState#CLOSED}
     * and the association has not ended.
     *
     * @param nowMs current time, ms
     * @throws IllegalStateException if the association has already ended
     */
    public void connect(long nowMs) {
        if (terminated) {
            throw new IllegalStateException("association is closed");
        }
        if (state != AssociationState.CLOSED) {
            return;
        }
        ourInit = new InitChunk(myTag, opts.receiveWindow(), opts.outboundStreams(), opts.inboundStreams(),
                myInitialTsn, ourCapabilityParameters());
        state = AssociationState.COOKIE_WAIT;
        sendInit(nowMs);
        t1Init.resetExpirations();
    }

    private List<Parameter> ourCapabilityParameters() {
        List<Parameter> p = new ArrayList<>();
        p.add(new ForwardTsnSupportedParameter());
        int[] ext = OUR_EXTENSIONS;
        if (opts.messageInterleaving()) {
            // RFC 8260 §2.2.1: "An SCTP end point indicates user message interleaving support by listing
            // the I-DATA Chunk within the Supported Extensions Parameter"; §2.3.1: I-FORWARD-TSN support
            // is negotiated the same way
            ext = java.util.Arrays.copyOf(ext, ext.length + 2);
            ext[ext.length - 2] = IDataChunk.TYPE;
            ext[ext.length - 1] = IForwardTsnChunk.TYPE;
        }
        p.add(new SupportedExtensionsParameter(ext.clone()));
        if (opts.zeroChecksumOverDtls()) {
            // RFC 9653 §5.1: an endpoint willing to receive zero checksums "MUST include the Zero
            // Checksum Acceptable Chunk Parameter ... in the INIT or INIT ACK chunk"; DTLS is method 1 (§6)
            p.add(new ZeroChecksumAcceptableParameter(ZeroChecksumAcceptableParameter.METHOD_DTLS));
        }
        return p;
    }

    private void sendInit(long nowMs) {
        // §8.5.1 A: "the sender MUST set the Verification Tag of the packet to 0"
        emitPacket(0, List.of(ourInit));
        t1Init.start(nowMs, rto.rto());
    }

    /**
     * Processes one received SCTP packet. Malformed packets are dropped (with a debug log) or
     * answered as RFC 9260 requires; this method never throws for bad input.
     *
     * @param packet one whole SCTP packet, position to limit; not modified, not retained
     * @param nowMs current time, ms
     */
    public void handleInput(ByteBuffer packet, long nowMs) {
        try {
            process(packet, nowMs);
            if (outstanding != null) {
                // RFC 9260 §6.1 D: Max.Burst limits the new DATA sent in answer to this packet
                outstanding.limitBurst(opts.maxBurst());
            }
            flush(nowMs);
        } catch (RuntimeException e) {
            // A crash is always our bug, never the input's: keep the association alive and log it.
            internalErrors++;
            LOG.warn("internal error while processing a packet; packet dropped", e);
        } finally {
            if (outstanding != null) {
                outstanding.endBurst();
            }
        }
    }

    /**
     * Opens an input batch: the caller is about to hand in several packets that arrived together
     * (e.g. all datagrams one socket read round found) and calls {@link #endInputBatch} after the
     * last one, before it waits for more input. Within the batch the every-second-packet SACK is
     * coalesced: RFC 9260 §6.2 says "the SACK SHOULD be generated for at least every second packet
     * (not every second DATA chunk) received"; here one SACK goes at the end of the batch, or earlier
     * once {@link SctpOptions#batchAckPackets()} packets with DATA are unacknowledged (like TCP
     * acknowledging a GRO batch at once). Everything else is unchanged: a SACK still goes at once on
     * a gap, a filled gap or duplicates (§6.2: "When a packet arrives with duplicate DATA chunk(s)
     * and with no new DATA chunk(s), the endpoint MUST immediately send a SACK chunk with no delay",
     * §6.7), with the window update of §6.2, bundled with outgoing DATA, and at most after the
     * delayed-ack time for a lone packet. Outputs may be left undrained until the batch ends. No
     * effect if a batch is already open.
     */
    public void beginInputBatch() {
        if (inputBatch) {
            return;
        }
        inputBatch = true;
        if (tracker != null) {
            tracker.beginBatch(opts.batchAckPackets());
        }
    }

    /**
     * Closes the input batch opened by {@link #beginInputBatch()}: sends the SACK now due for the
     * batch (if at least two packets with DATA are unacknowledged; a lone one waits for the
     * delayed-ack timer as outside a batch). Sends no new DATA while any DATA is outstanding
     * (Max.Burst was applied to each packet of the batch); when nothing is outstanding, one chunk
     * may still go, as at any input (RFC 9260 §6.1 A: "the data sender can always have one DATA
     * chunk in flight"). No effect without an open batch.
     *
     * @param nowMs current time, ms
     */
    public void endInputBatch(long nowMs) {
        if (!inputBatch) {
            return;
        }
        inputBatch = false;
        try {
            if (tracker != null) {
                tracker.endBatch();
            }
            if (outstanding != null) {
                outstanding.holdNewData();
            }
            flush(nowMs);
        } catch (RuntimeException e) {
            internalErrors++;
            LOG.warn("internal error while ending an input batch", e);
        } finally {
            if (outstanding != null) {
                outstanding.endBurst();
            }
        }
    }

    /**
     * Fires every timer due at {@code nowMs}.
     *
     * @param nowMs current time, ms
     */
    public void handleTimeout(long nowMs) {
        try {
            timers(nowMs);
            flush(nowMs);
        } catch (RuntimeException e) {
            internalErrors++;
            LOG.warn("internal error while handling a timeout", e);
        }
    }

    /** @return the absolute time in ms at which {@link #handleTimeout} must be called, or Long.MAX_VALUE */
    public long pollTimeout() {
        return Math.min(Math.min(protocolTimeout(), heartbeats.expiry()), plpmtud.expiry());
    }

    /** @return the earliest expiry of every timer except the idle-path heartbeat ones */
    private long protocolTimeout() {
        long t = Math.min(t1Init.expiry(), t1Cookie.expiry());
        t = Math.min(t, t3Rtx.expiry());
        t = Math.min(t, delayedAck.expiry());
        t = Math.min(t, t2Shutdown.expiry());
        t = Math.min(t, t5ShutdownGuard.expiry());
        return Math.min(t, reconfigTimer.expiry());
    }

    /**
     * @return true if no timer runs except the §8.3 heartbeat timers of an idle association: nothing
     *     to retransmit, acknowledge or complete; for tests ({@link #pollTimeout()} is never
     *     Long.MAX_VALUE while heartbeats are enabled)
     */
    boolean isIdle() {
        return protocolTimeout() == Long.MAX_VALUE;
    }

    /** @return the next output, or null when there is none */
    public SctpOutput pollOutput() {
        Object o;
        while ((o = outputs.poll()) instanceof PendingPacket p) {
            try {
                byte[] reuse = spareCount == 0 ? null : takeSpare(SctpPacket.serializedSize(p.chunks()));
                return new SctpOutput.SendPacket(SctpPacket.serialize(opts.localPort(), opts.remotePort(), p.tag(),
                        p.chunks(), p.zeroChecksum(), reuse));
            } catch (RuntimeException e) {
                // always our bug (SctpPacket.serialize checks that every byte was written): not sent
                internalErrors++;
                LOG.warn("internal error while serializing a packet; packet dropped", e);
            }
        }
        return (SctpOutput) o;
    }

    /**
     * Queues a message. Messages may be queued before the association is established; they are sent
     * once it is.
     *
     * @param streamId 0..65535 (and below the negotiated outbound stream count once established)
     * @param ppid payload protocol identifier, opaque
     * @param payload 1..maxSendMessageSize bytes; owned by the association afterwards (not copied)
     * @param options ordered/unordered and partial reliability
     * @param nowMs current time, ms
     * @throws IllegalArgumentException if the stream id, the payload size or the options are invalid
     * @throws IllegalStateException if the association is closed or shutting down, the stream is being
     *     reset, or the send buffer is full ("send queue full")
     */
    public void send(int streamId, int ppid, byte[] payload, SendOptions options, long nowMs) {
        if (payload == null || options == null) {
            throw new IllegalArgumentException("payload and options must not be null");
        }
        if (streamId < 0 || streamId > 65535) {
            throw new IllegalArgumentException("stream id " + streamId + " not in 0..65535");
        }
        if (connectedEmitted && streamId >= outboundStreams) {
            throw new IllegalArgumentException("stream id " + streamId + " >= negotiated outbound streams "
                    + outboundStreams);
        }
        // RFC 9260 §6.2: a DATA chunk without user data is a protocol violation.
        if (payload.length == 0) {
            throw new IllegalArgumentException("empty payload: SCTP cannot send empty messages");
        }
        if (payload.length > opts.maxSendMessageSize()) {
            throw new IllegalArgumentException("message of " + payload.length + " bytes exceeds the peer's "
                    + "max-message-size " + opts.maxSendMessageSize());
        }
        if (terminated || shutdownRequested || state.compareTo(AssociationState.ESTABLISHED) > 0) {
            // §9.2: in SHUTDOWN-PENDING the endpoint "MUST NOT accept new data from its SCTP user", and on
            // SHUTDOWN it MUST "stop accepting new data from its SCTP user"
            throw new IllegalStateException(terminated ? "cannot send: the association is closed"
                    : "cannot send: the association is shutting down (" + (state == AssociationState.SHUTDOWN_RECEIVED
                    || state == AssociationState.SHUTDOWN_ACK_SENT ? "the peer sent SHUTDOWN" : "shutdown() was called") + ")");
        }
        long expires = options.lifetimeMs() < 0 ? Long.MAX_VALUE : nowMs + options.lifetimeMs();
        sendQueue.add(streamId, ppid, payload, options.unordered(), options.maxRetransmits(), expires);
        if (state == AssociationState.ESTABLISHED) {
            flush(nowMs);
        }
    }

    /**
     * @param streamId 0..65535
     * @return bytes accepted by {@code send} on this stream and not yet transmitted for the first time
     */
    public long bufferedAmount(int streamId) {
        return sendQueue.bufferedAmount(streamId);
    }

    /** Set when a restart replaced the send queue; cleared by {@link #pollBufferedAmountChanges}. */
    private boolean bufferedChangesLost;

    /**
     * Reports each stream whose {@link #bufferedAmount(int)} changed since the previous call (a message
     * was queued, or fragments were transmitted or discarded), once each, so that a driver mirroring
     * buffered amounts per stream need not ask for every stream after every input. Costs the number of
     * changed streams.
     *
     * @param streamIds receives stream ids 0..65535; it may call {@link #send} (such a change is
     *     reported by the next call)
     * @return false if changes were lost (after an association restart, RFC 9260 §5.2.4, every stream
     *     dropped to 0): the caller must then re-read every stream it tracks; true otherwise
     */
    public boolean pollBufferedAmountChanges(java.util.function.IntConsumer streamIds) {
        if (bufferedChangesLost) {
            bufferedChangesLost = false;
            sendQueue.pollChangedStreams(id -> { });
            return false;
        }
        sendQueue.pollChangedStreams(streamIds);
        return true;
    }

    /**
     * Sets the threshold for {@link SctpOutput.BufferedAmountLow}.
     *
     * @param streamId 0..65535
     * @param bytes &gt;= 0
     * @throws IllegalArgumentException if out of range
     */
    public void setBufferedAmountLowThreshold(int streamId, long bytes) {
        if (streamId < 0 || streamId > 65535 || bytes < 0) {
            throw new IllegalArgumentException("bad stream " + streamId + " or threshold " + bytes);
        }
        sendQueue.setLowThreshold(streamId, bytes);
    }

    /**
     * Resets our outgoing streams (RFC 6525 §5.1.2, used to close data channels per RFC 8831 §6.7).
     * Data already queued on them is sent first; afterwards an Outgoing SSN Reset Request is sent and
     * {@link SctpOutput.OutgoingStreamsReset} is emitted when the peer performed it, or
     * {@link SctpOutput.StreamResetFailed} when it refused (the streams then stay as they were). Until
     * then {@code send} on these streams throws.
     *
     * @param streamIds streams 0..65535, at least one
     * @param nowMs current time, ms
     * @throws IllegalArgumentException for an empty list or a bad stream id
     * @throws IllegalStateException if the association is closed
     */
    public void resetStreams(int[] streamIds, long nowMs) {
        if (streamIds == null || streamIds.length == 0) {
            throw new IllegalArgumentException("no stream ids given");
        }
        for (int id : streamIds) {
            if (id < 0 || id > 65535) {
                throw new IllegalArgumentException("stream id " + id + " not in 0..65535");
            }
        }
        if (terminated) {
            throw new IllegalStateException("association is closed");
        }
        for (int id : streamIds) {
            if (!sendQueue.isResetPending(id)) {
                sendQueue.markResetPending(id);
                resetQueue.add(id);
            }
        }
        flush(nowMs);
    }

    /**
     * Graceful close (RFC 9260 §9.2): outstanding data is sent and acknowledged first, then
     * SHUTDOWN / SHUTDOWN ACK / SHUTDOWN COMPLETE; {@link SctpOutput.Closed} follows with
     * aborted=false. Before the association is established this closes it at once.
     *
     * @param nowMs current time, ms
     */
    public void shutdown(long nowMs) {
        if (terminated || shutdownRequested) {
            return;
        }
        shutdownRequested = true;
        switch (state) {
            case CLOSED, COOKIE_WAIT, COOKIE_ECHOED -> {
                // Nothing to drain yet. In COOKIE-ECHOED the peer may already be established, so it is
                // told with an ABORT (§9.1); before that there is no peer tag to address one to.
                if (peerTag != 0) {
                    emitPacket(peerTag, List.of(new AbortChunk(false,
                            List.of(UserInitiatedAbortCause.ofText("shutdown before established")))));
                }
                terminate("shutdown before the association was established", peerTag != 0);
            }
            case ESTABLISHED -> {
                state = AssociationState.SHUTDOWN_PENDING;
                flush(nowMs);
            }
            default -> {
            }
        }
    }

    /**
     * Sends ABORT with a User-Initiated Abort cause (RFC 9260 §9.1) and closes at once.
     *
     * @param reason free text sent to the peer (truncated to 256 bytes)
     * @param nowMs current time, ms
     */
    public void abort(String reason, long nowMs) {
        if (terminated) {
            return;
        }
        String r = reason == null ? "" : reason;
        byte[] bytes = r.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 256) {
            bytes = java.util.Arrays.copyOf(bytes, 256);
        }
        if (peerTag != 0) {
            emitPacket(peerTag, List.of(new AbortChunk(false, List.of(new UserInitiatedAbortCause(bytes)))));
        }
        terminate("aborted locally: " + r, true);
    }

    // ------------------------------------------------------------------------------------------
    // Input processing

    private void process(ByteBuffer buf, long nowMs) {
        SctpPacket p;
        try {
            // RFC 9653 §5.3: "If an endpoint has sent the Zero Checksum Acceptable Chunk Parameter ...
            // it MUST accept SCTP packets that have an incorrect checksum value of zero"; a correct
            // CRC32c is always accepted
            // I-DATA user data is borrowed from buf, not copied: nothing below keeps a chunk beyond this
            // call, and the reassembly queue copies the fragments it holds straight into their message
            p = SctpPacket.parse(buf, zeroChecksumRx && !terminated, true);
            if (zeroChecksumRx && buf.getInt(buf.position() + 8) == 0 && !p.chunks().isEmpty()
                    && (p.chunks().get(0) instanceof InitChunk || p.chunks().get(0) instanceof CookieEchoChunk)) {
                // RFC 9653 §5.2: packets with INIT or COOKIE ECHO always carry a correct CRC32c (the
                // receiver may have no state that allows anything else), so a zero here must be a
                // valid CRC32c or the packet is dropped
                p = SctpPacket.parse(buf, false);
            }
        } catch (PacketParseException e) {
            LOG.debug("dropping malformed packet: {}", e.getMessage());
            return;
        }
        if (p.destinationPort() != opts.localPort() || p.sourcePort() != opts.remotePort()) {
            LOG.debug("dropping packet for ports {}->{}", p.sourcePort(), p.destinationPort());
            return;
        }
        List<Chunk> chunks = p.chunks();
        Chunk first = chunks.get(0);
        int vtag = p.verificationTag().value();
        if (first instanceof InitChunk init) {
            // §6.10: "INIT, INIT ACK, and SHUTDOWN COMPLETE chunks MUST NOT be bundled"; §8.5.1 A: the
            // packet's Verification Tag MUST be 0.
            if (chunks.size() != 1 || vtag != 0 || terminated) {
                LOG.debug("dropping INIT with tag {} in a packet of {} chunks", vtag, chunks.size());
                return;
            }
            handleInit(init, nowMs);
            return;
        }
        if (first instanceof AbortChunk abort) {
            // §8.5.1 B: accept if the tag is ours, or with the T bit if it is the peer's.
            boolean ok = !terminated && (abort.tBit() ? vtag == peerTag && peerTag != 0 : vtag == myTag);
            if (ok && state != AssociationState.CLOSED) {
                handleAbort(abort);
            }
            return;
        }
        if (first instanceof ShutdownCompleteChunk sc) {
            boolean ok = sc.tBit() ? vtag == peerTag && peerTag != 0 : vtag == myTag;
            if (ok && !terminated && state == AssociationState.SHUTDOWN_ACK_SENT) {
                // §9.2: "Upon reception of the SHUTDOWN COMPLETE chunk, the endpoint ... MUST ...
                // remove all record of the association"
                terminate("shutdown complete", false);
            }
            return;
        }
        if (first instanceof ShutdownAckChunk && !terminated
                && (state == AssociationState.COOKIE_WAIT || state == AssociationState.COOKIE_ECHOED)) {
            // §8.5.1 E: "If the receiver is in COOKIE-ECHOED or COOKIE-WAIT state, the procedures in
            // Section 8.4 SHOULD be followed; in other words, it is treated as an OOTB packet."
            outOfTheBlue(first, vtag);
            return;
        }
        boolean noTcb = terminated || state == AssociationState.CLOSED;
        if (!(first instanceof CookieEchoChunk)) {
            if (noTcb) {
                outOfTheBlue(first, vtag);
                return;
            }
            if (vtag != myTag) {
                // §8.5: "the receiver MUST silently discard the packet" when the tag is not its own
                LOG.debug("dropping packet with verification tag {} (ours {})", vtag, myTag);
                return;
            }
        } else if (terminated) {
            return;
        }
        boolean hadData = false;
        List<ErrorCause> unrecognized = new ArrayList<>();
        int reportRoom = maxChunkBytes() - Tlv.HEADER_SIZE; // the ERROR chunk's value must fit one packet
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            if (terminated) {
                break;
            }
            if (state == AssociationState.COOKIE_ECHOED && (c instanceof UserDataChunk || c instanceof SackChunk)) {
                // The peer sends DATA or SACK only once established, and this packet carries our tag:
                // our COOKIE ECHO was accepted and its COOKIE ACK was lost. Proceed as if it arrived.
                LOG.debug("{} in COOKIE-ECHOED: treating it as an implicit COOKIE ACK", c.getClass().getSimpleName());
                handleCookieAck(nowMs);
            }
            if (c instanceof CookieEchoChunk ce) {
                if (i != 0 || !handleCookieEcho(ce, vtag, nowMs)) {
                    return; // §5.2.4 etc.: an unusable cookie discards the packet
                }
            } else if (c instanceof UserDataChunk d) {
                if (tracker != null && (d instanceof IDataChunk) != interleaving) {
                    // RFC 8260 §2.2.3: "If I-DATA support has been negotiated for an association, the
                    // reception of a DATA chunk is a violation of the above rules and therefore the
                    // receiver of the DATA chunk MUST abort the association by sending an ABORT chunk.
                    // ... The same applies if I-DATA support has not been negotiated for an association
                    // and an I-DATA chunk is received."
                    abortWith(peerTag, ProtocolViolationCause.ofText((interleaving ? "DATA" : "I-DATA")
                            + " chunk received but I-DATA was " + (interleaving ? "" : "not ") + "negotiated"),
                            (interleaving ? "DATA" : "I-DATA") + " chunk violates the RFC 8260 negotiation");
                    return;
                }
                hadData = true;
                handleData(d);
            } else if (c instanceof SackChunk s) {
                handleSack(s, nowMs);
            } else if (c instanceof InitAckChunk ia) {
                handleInitAck(ia, nowMs);
            } else if (c instanceof CookieAckChunk) {
                handleCookieAck(nowMs);
            } else if (c instanceof HeartbeatRequestChunk hb) {
                // §8.3: "The receiver of the HEARTBEAT chunk SHOULD immediately respond with a
                // HEARTBEAT ACK chunk that contains the Heartbeat Information TLV, together with any
                // other received TLVs, copied unchanged". Not in COOKIE-WAIT: without the peer's tag
                // there is no one to answer, and queued answers would pile up until the handshake ends.
                if (peerTag != 0) {
                    control.add(new HeartbeatAckChunk(hb.parameters()));
                }
            } else if (c instanceof HeartbeatAckChunk hba) {
                handleHeartbeatAck(hba, nowMs);
            } else if (c instanceof AbortChunk a) {
                handleAbort(a);
                return;
            } else if (c instanceof ShutdownChunk s) {
                handleShutdown(s, nowMs);
            } else if (c instanceof ShutdownAckChunk) {
                handleShutdownAck();
            } else if (c instanceof ErrorChunk e) {
                handleError(e, nowMs);
            } else if (c instanceof ForwardTsnChunk || c instanceof IForwardTsnChunk) {
                if (tracker != null && (c instanceof IForwardTsnChunk) != interleaving) {
                    // RFC 8260 §2.3.1: "If I-FORWARD-TSN support has been negotiated for an association,
                    // the reception of a FORWARD-TSN chunk is a violation ... MUST abort the association
                    // ... The same applies if I-FORWARD-TSN support has not been negotiated for an
                    // association and a FORWARD-TSN chunk is received." (an I-FORWARD-TSN, that is)
                    String kind = interleaving ? "FORWARD TSN" : "I-FORWARD-TSN";
                    abortWith(peerTag, ProtocolViolationCause.ofText(kind + " chunk received but I-FORWARD-TSN was "
                            + (interleaving ? "" : "not ") + "negotiated"), kind + " chunk violates the RFC 8260 negotiation");
                    return;
                }
                if (c instanceof ForwardTsnChunk f) {
                    handleForwardTsn(f);
                } else {
                    handleIForwardTsn((IForwardTsnChunk) c);
                }
            } else if (c instanceof ReConfigChunk r) {
                handleReconfig(r, nowMs);
            } else if (c instanceof PadChunk) {
                // RFC 4820 §3 (paraphrased): the receiver ignores the padding, discards the PAD chunk and
                // processes the rest of the packet. A peer's PLPMTUD probe (HEARTBEAT + PAD, RFC 8899
                // §6.2.1.2) is thus answered by a HEARTBEAT ACK of normal size above.
                continue;
            } else if (c instanceof InitChunk || c instanceof ShutdownCompleteChunk) {
                LOG.debug("dropping bundled {}", c);
                return;
            } else if (c instanceof UnknownChunk u) {
                // §3.2: the upper two bits of the type say what to do with an unrecognized chunk
                if (u.report()) {
                    // "report in an ERROR chunk using the 'Unrecognized Chunk Type' cause"; the quoted
                    // chunk is cut so that the ERROR chunk fits the MTU (as Linux does), never above it
                    byte[] q = u.chunkBytes();
                    int take = Math.min(q.length, reportRoom - Tlv.HEADER_SIZE);
                    if (take >= Tlv.HEADER_SIZE) {
                        unrecognized.add(new UnrecognizedChunkTypeCause(java.util.Arrays.copyOf(q, take)));
                        reportRoom -= Tlv.padded(Tlv.HEADER_SIZE + take);
                    }
                }
                if (!u.skipAndContinue()) {
                    break;
                }
            }
        }
        if (!unrecognized.isEmpty() && peerTag != 0 && !terminated) {
            control.add(new ErrorChunk(false, unrecognized));
        }
        if (hadData && tracker != null && !terminated) {
            tracker.packetWithData();
            if (state == AssociationState.SHUTDOWN_SENT) {
                // §9.2: "the endpoint MUST respond to each received packet containing one or more DATA
                // chunks with a SHUTDOWN chunk and restart the T2-shutdown timer"
                tracker.requestImmediateAck();
                control.add(new ShutdownChunk((int) tracker.cumulativeTsn()));
                t2Shutdown.start(nowMs, rto.rto());
            }
            if (!tracker.shouldAckNow() && !delayedAck.isRunning()) {
                delayedAck.start(nowMs, Math.min(opts.delayedAckMs(), rto.rto()));
            }
        }
        checkDeferredReset();
    }

    /**
     * §8.4 "Handle 'Out of the Blue' Packets". After this association ended we stay silent except for
     * SHUTDOWN ACK: stray SACKs or DATA still in flight from the peer are expected then, and an ABORT
     * overtaking our SHUTDOWN COMPLETE would turn the peer's graceful close into an abort.
     */
    private void outOfTheBlue(Chunk first, int vtag) {
        if (first instanceof ShutdownAckChunk) {
            // §8.4 5: "the receiver should respond to the sender of the OOTB packet with a SHUTDOWN
            // COMPLETE chunk ... the T bit set"
            emitPacket(vtag, List.of(new ShutdownCompleteChunk(true)));
        } else if (terminated || first instanceof CookieAckChunk || first instanceof ErrorChunk) {
            LOG.debug("discarding out-of-the-blue {}", first);
        } else {
            // §8.4 8: "the receiver SHOULD respond to the sender of the OOTB packet with an ABORT
            // chunk ... the T bit set"
            emitPacket(vtag, List.of(new AbortChunk(true, List.of())));
        }
    }

    private record Capabilities(boolean forwardTsn, boolean reconfig, List<byte[]> unrecognized, boolean interleaving,
            boolean zeroChecksum) {
    }

    /** Reads the optional parameters of INIT or INIT ACK applying the §3.2.1 upper-two-bits rule. */
    private static Capabilities readParameters(List<Parameter> params) {
        boolean fwd = false;
        boolean reconfig = false;
        boolean interleaving = false;
        boolean zeroChecksum = false;
        List<byte[]> unrecognized = new ArrayList<>();
        for (Parameter p : params) {
            if (p instanceof ForwardTsnSupportedParameter) {
                fwd = true;
            } else if (p instanceof SupportedExtensionsParameter s) {
                fwd |= s.supports(ForwardTsnChunk.TYPE);
                reconfig |= s.supports(ReConfigChunk.TYPE);
                // RFC 8260 §2.3.1: "Only if both end points indicated their support of user message
                // interleaving and the I-FORWARD-TSN chunk, the partial reliability extension is
                // negotiated and can be used in combination with user message interleaving" — we
                // interleave only with a peer listing both, so partial reliability always works
                interleaving |= s.supports(IDataChunk.TYPE) && s.supports(IForwardTsnChunk.TYPE);
            } else if (p instanceof ZeroChecksumAcceptableParameter z) {
                // RFC 9653 §5.2: zero checksums may be sent only if the peer announced "an alternate
                // error detection method it supports"; ours is DTLS
                zeroChecksum |= z.errorDetectionMethod() == ZeroChecksumAcceptableParameter.METHOD_DTLS;
            } else if (p instanceof UnknownParameter u && isKnownIgnoredInitParameter(u.type())) {
                continue; // recognized RFC 9260 parameters we have no use for over DTLS
            } else if (p instanceof UnknownParameter u) {
                // §3.2.1: 00 stop, 01 stop and report, 10 skip, 11 skip and report
                if (u.report()) {
                    unrecognized.add(u.tlvBytes());
                }
                if (!u.skipAndContinue()) {
                    break;
                }
            }
        }
        return new Capabilities(fwd, reconfig, unrecognized, interleaving, zeroChecksum);
    }

    /**
     * Parameters defined by RFC 9260 §3.3.2.1 that are recognized but ignored: IPv4 (5) and IPv6 (6)
     * addresses (meaningless over DTLS, RFC 8261 §4), Cookie Preservative (9), Host Name Address (11)
     * and Supported Address Types (12). They must not trigger the "stop processing" rule of §3.2.1
     * for unrecognized types 0x0000-0x3FFF; usrsctp sends Supported Address Types.
     */
    private static boolean isKnownIgnoredInitParameter(int type) {
        return type == 5 || type == 6 || type == 9 || type == 11 || type == 12;
    }

    private void handleInit(InitChunk init, long nowMs) {
        // §3.3.2: "If the value of the Initiate Tag in a received INIT chunk is found to be 0, the
        // receiver MUST silently discard the packet."
        if (init.initiateTag().value() == 0) {
            return;
        }
        if (init.outboundStreams() == 0 || init.inboundStreams() == 0) {
            // §3.3.2: 0 streams "... the receiver MUST treat this as an error and ... ABORT"
            emitPacket(init.initiateTag().value(), List.of(new AbortChunk(false, List.of(new InvalidMandatoryParameterCause()))));
            return;
        }
        if (state == AssociationState.SHUTDOWN_ACK_SENT) {
            // §9.2: "... SHOULD discard the INIT chunk and retransmit the SHUTDOWN ACK chunk"
            emitPacket(peerTag, List.of(new ShutdownAckChunk(false)));
            return;
        }
        Capabilities caps = readParameters(init.parameters());
        LOG.debug("INIT parameters from the peer: {}", init.parameters());
        int localTag;
        int localTsn;
        int localTie = 0;
        int peerTie = 0;
        switch (state) {
            case CLOSED, COOKIE_WAIT -> {
                // §5.2.1: in COOKIE-WAIT "respond with an INIT ACK using the same parameters it sent in
                // its original INIT chunk (including its Initiate Tag, unchanged)"
                localTag = myTag;
                localTsn = myInitialTsn;
            }
            case COOKIE_ECHOED -> {
                localTag = myTag;
                localTsn = myInitialTsn;
                // §5.2.1: in COOKIE-ECHOED "the endpoint MUST populate its Tie-Tags within both the
                // association TCB and inside the State Cookie"
                localTie = myTag;
                peerTie = peerTag;
            }
            default -> {
                // §5.2.2: an unexpected INIT in other states: "... INIT ACK ... with a new random
                // Initiate Tag" and the Tie-Tags set to the current tags
                localTag = nonZeroTag();
                localTsn = rng.nextInt();
                localTie = myTag;
                peerTie = peerTag;
            }
        }
        int os = Math.min(opts.outboundStreams(), init.inboundStreams());
        int is = Math.min(opts.inboundStreams(), init.outboundStreams());
        // §5.2.6: "the receiver of the INIT MAY choose to ignore the suggested cookie life-span increase
        // for its own security reasons": we grant at most one more Valid.Cookie.Life
        CookiePreservativeParameter preserve = init.parameter(CookiePreservativeParameter.class);
        long lifetime = opts.cookieLifetimeMs() + (preserve == null ? 0 : Math.min(preserve.incrementMs(), opts.cookieLifetimeMs()));
        StateCookie cookie = new StateCookie(nowMs, lifetime, localTag, init.initiateTag().value(), localTsn,
                init.initialTsn().value(), init.aRwnd(), os, is, caps.forwardTsn(), caps.reconfig(), localTie, peerTie,
                caps.interleaving(), caps.zeroChecksum());
        List<Parameter> params = new ArrayList<>();
        params.add(new StateCookieParameter(cookie.serialize(mac)));
        params.addAll(ourCapabilityParameters());
        // §3.3.3: unrecognized parameters are echoed as far as the INIT ACK still fits the MTU
        int room = baseChunkBytes() - new InitAckChunk(localTag, 0, 1, 1, 0, params).serializedLength();
        for (byte[] u : caps.unrecognized()) {
            room -= Tlv.padded(Tlv.HEADER_SIZE + u.length);
            if (room < 0) {
                break;
            }
            params.add(new UnrecognizedParameterParameter(u));
        }
        InitAckChunk ack = new InitAckChunk(localTag, opts.receiveWindow(), opts.outboundStreams(),
                opts.inboundStreams(), localTsn, params);
        // §8.5.1 A: the INIT ACK carries the INIT's Initiate Tag as Verification Tag
        emitPacket(init.initiateTag().value(), List.of(ack));
    }

    private void handleInitAck(InitAckChunk ack, long nowMs) {
        if (state != AssociationState.COOKIE_WAIT) {
            // §5.2.3: "If an INIT ACK is received by an endpoint in any state other than the
            // COOKIE-WAIT state, the endpoint SHOULD discard the INIT ACK chunk."
            return;
        }
        if (ack.initiateTag().value() == 0 || ack.outboundStreams() == 0 || ack.inboundStreams() == 0) {
            abortWith(ack.initiateTag().value(), new InvalidMandatoryParameterCause(), "invalid INIT ACK");
            return;
        }
        StateCookieParameter cookie = ack.parameter(StateCookieParameter.class);
        if (cookie == null) {
            // §5.1 C / §3.3.10.2: a missing State Cookie is reported with Missing Mandatory Parameter
            abortWith(ack.initiateTag().value(), new MissingMandatoryParameterCause(new int[] {StateCookieParameter.TYPE}),
                    "INIT ACK without State Cookie");
            return;
        }
        Capabilities caps = readParameters(ack.parameters());
        LOG.debug("INIT ACK parameters from the peer: {}", ack.parameters());
        t1Init.stop();
        initTcb(ack.initiateTag().value(), ack.initialTsn().value(), ack.aRwnd(), Math.min(opts.outboundStreams(), ack.inboundStreams()),
                Math.min(opts.inboundStreams(), ack.outboundStreams()), caps.forwardTsn(), caps.reconfig(),
                caps.interleaving(), caps.zeroChecksum());
        cookieToEcho = cookie.cookie();
        List<Chunk> bundle = new ArrayList<>();
        bundle.add(new CookieEchoChunk(cookieToEcho));
        if (!caps.unrecognized().isEmpty()) {
            // §5.1 C: unrecognized parameters of the INIT ACK are reported in an ERROR chunk bundled
            // with the COOKIE ECHO (which must come first), as far as the packet still fits the MTU
            List<ErrorCause> causes = new ArrayList<>();
            int room = baseChunkBytes() - Tlv.padded(bundle.get(0).serializedLength()) - Tlv.HEADER_SIZE;
            for (byte[] u : caps.unrecognized()) {
                room -= Tlv.padded(Tlv.HEADER_SIZE + u.length);
                if (room < 0) {
                    break;
                }
                causes.add(new UnrecognizedParametersCause(u));
            }
            if (!causes.isEmpty()) {
                bundle.add(new ErrorChunk(false, causes));
            }
        }
        // A State Cookie too large for our MTU is still echoed, alone, in a larger packet: the peer
        // chose its size and there is no other way to complete the handshake (RFC 9260 sets no limit).
        cookieEchoBundle = bundle;
        state = AssociationState.COOKIE_ECHOED;
        cookieEchoSentAtMs = nowMs;
        emitPacket(peerTag, cookieEchoBundle);
        t1Cookie.resetExpirations();
        t1Cookie.start(nowMs, rto.rto());
    }

    private void initTcb(int pTag, int peerInitialTsn, int peerRwnd, int os, int is, boolean fwd, boolean reconfig,
            boolean peerInterleaving, boolean peerZeroChecksum) {
        peerTag = pTag;
        outboundStreams = os;
        inboundStreams = is;
        peerReconfig = reconfig;
        // RFC 8260 §2.2.1: "User message interleaving has been negotiated for an association if both
        // end points have indicated I-DATA support"; partial reliability then uses I-FORWARD-TSN (§2.3.1)
        interleaving = opts.messageInterleaving() && peerInterleaving;
        peerForwardTsn = fwd || interleaving;
        sendQueue.setInterleaving(interleaving);
        dataHeaderSize = interleaving ? IDataChunk.HEADER_SIZE : DataChunk.HEADER_SIZE;
        maxFragment = (packetMtu & ~3) - SctpPacket.HEADER_SIZE - dataHeaderSize;
        zeroChecksumTx = opts.zeroChecksumOverDtls() && peerZeroChecksum;
        // every INIT and INIT ACK we send announces the DTLS method when the option is on, so the one
        // of this association did (ourCapabilityParameters)
        zeroChecksumRx = opts.zeroChecksumOverDtls();
        tracker = new DataTracker(peerInitialTsn);
        reassembly = new ReassemblyQueue(opts.maxReceiveMessageSize(), interleaving);
        outstanding = new OutstandingData(myInitialTsn, Integer.toUnsignedLong(peerRwnd), packetMtu, rto);
        // RFC 6525 §5.1.1 / §5.2.1: request sequence numbers start at the initial TSN
        nextRequestSeq = myInitialTsn;
        peerLastRequestSeq = peerInitialTsn - 1;
        peerLastResult = ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED;
    }

    /**
     * §5.1 D / §5.2.4 COOKIE ECHO processing.
     *
     * @return true if the rest of the packet may be processed
     */
    private boolean handleCookieEcho(CookieEchoChunk ce, int vtag, long nowMs) {
        StateCookie c = StateCookie.verify(ce.cookie(), mac);
        if (c == null) {
            // §5.1.5 3: "If the MAC ... does not match, the receiver MUST silently discard the packet"
            LOG.debug("dropping COOKIE ECHO with an invalid cookie");
            return false;
        }
        if (vtag != c.localTag()) {
            // §8.5.1 D: the packet's tag must be the tag of our INIT ACK (the cookie's local tag)
            return false;
        }
        if (c.createdMs() > nowMs) {
            return false; // made by us "in the future": our clock went backwards; cannot be trusted
        }
        if (nowMs > c.createdMs() + c.lifetimeMs()) {
            // §5.1.5 4: "... if the State Cookie has expired ... send back an ERROR chunk with a Stale
            // Cookie error cause"; §3.3.10.3: "Measure of Staleness: ... the difference, in
            // microseconds, between the current time and the time the State Cookie expired"
            long staleUs = Math.min(0xffffffffL, Math.max(0, nowMs - c.createdMs() - c.lifetimeMs()) * 1000);
            emitPacket(c.peerTag(), List.of(new ErrorChunk(false, List.of(new StaleCookieCause((int) staleUs)))));
            return false;
        }
        if (state == AssociationState.CLOSED) {
            // §5.1 D: no TCB yet: create it from the cookie
            if (c.localTag() != myTag) {
                return false;
            }
            initTcb(c.peerTag(), c.peerInitialTsn(), c.peerRwnd(), c.outboundStreams(), c.inboundStreams(),
                    c.peerForwardTsn(), c.peerReconfig(), c.peerInterleaving(), c.peerZeroChecksum());
            control.add(new CookieAckChunk(false));
            enterEstablished(nowMs);
            return true;
        }
        boolean localMatch = c.localTag() == myTag;
        boolean peerMatch = peerTag != 0 && c.peerTag() == peerTag;
        boolean tieMatch = c.localTieTag() == myTag && c.peerTieTag() == peerTag && peerTag != 0;
        boolean tieZero = c.localTieTag() == 0 && c.peerTieTag() == 0;
        if (state.compareTo(AssociationState.SHUTDOWN_ACK_SENT) == 0 && !localMatch && !peerMatch && tieMatch) {
            // §5.2.4 A in SHUTDOWN-ACK-SENT: "... MUST NOT restart ... send ERROR with Cookie Received
            // While Shutting Down cause" and retransmit SHUTDOWN ACK
            emitPacket(c.peerTag(), List.of(new ShutdownAckChunk(false),
                    new ErrorChunk(false, List.of(new CookieReceivedWhileShuttingDownCause()))));
            return false;
        }
        if (!localMatch && !peerMatch && tieMatch) {
            restart(c, nowMs);
            return true;
        }
        if (localMatch && !peerMatch) {
            // §5.2.4 B: INIT collision; the peer's tag from the cookie wins: "the endpoint should always
            // enter the ESTABLISHED state, if it has not already done so"
            if (state == AssociationState.COOKIE_WAIT || state == AssociationState.COOKIE_ECHOED) {
                t1Init.stop();
                t1Cookie.stop();
                initTcb(c.peerTag(), c.peerInitialTsn(), c.peerRwnd(), c.outboundStreams(), c.inboundStreams(),
                        c.peerForwardTsn(), c.peerReconfig(), c.peerInterleaving(), c.peerZeroChecksum());
                control.add(new CookieAckChunk(false));
                enterEstablished(nowMs);
                return true;
            }
            LOG.debug("COOKIE ECHO (case B) with peer tag {} while established with {}; discarded",
                    c.peerTag(), peerTag);
            return false;
        }
        if (!localMatch && peerMatch && tieZero) {
            // §5.2.4 C: "the local endpoint is in COOKIE-WAIT state with a late cookie; silently discard"
            return false;
        }
        if (localMatch && peerMatch) {
            // §5.2.4 D: both tags match: "enter the ESTABLISHED state, if it is in the COOKIE-ECHOED
            // state ... stop T1 ... send a COOKIE ACK" (also the answer to a retransmitted COOKIE ECHO)
            t1Init.stop();
            t1Cookie.stop();
            if (state == AssociationState.COOKIE_WAIT || state == AssociationState.COOKIE_ECHOED) {
                enterEstablished(nowMs);
            }
            control.add(new CookieAckChunk(false));
            return true;
        }
        // "All other combinations ... silently discard"
        return false;
    }

    /**
     * §5.2.4 A, the peer restarted: "the existing session is treated the same as if it received an
     * ABORT chunk followed by a new COOKIE ECHO chunk with the following exceptions: - Any SCTP DATA
     * chunks MAY be retained (this is an implementation-specific option). - A notification of RESTART
     * SHOULD be sent to the ULP instead of a 'COMMUNICATION LOST' notification. - All the congestion
     * control parameters (e.g., cwnd, ssthresh) related to this peer MUST be reset to their initial
     * values". We retain no DATA: messages queued or in flight belonged to the old session (for data
     * channels, to channels the restarted peer no longer knows), so they are discarded, like partly
     * received ones; every stream starts over at SSN 0 both ways. The RTO is kept (same path). The user
     * gets {@link SctpOutput.Restarted}, and we answer with COOKIE ACK in ESTABLISHED (or
     * SHUTDOWN-PENDING if our user asked for a shutdown).
     */
    private void restart(StateCookie c, long nowMs) {
        LOG.info("peer restarted the association (tags {}/{} -> {}/{})", Integer.toHexString(myTag),
                Integer.toHexString(peerTag), Integer.toHexString(c.localTag()), Integer.toHexString(c.peerTag()));
        t1Init.stop();
        t1Cookie.stop();
        t3Rtx.stop();
        t3Rtx.resetExpirations();
        delayedAck.stop();
        t2Shutdown.stop();
        t2Shutdown.resetExpirations();
        t5ShutdownGuard.stop();
        reconfigTimer.stop();
        reconfigTimer.resetExpirations();
        heartbeats.stop();
        heartbeats.clearErrors();
        control.clear();
        lastAdvertisedRwnd = Long.MAX_VALUE; // FORWARD TSN state lives in the new OutstandingData
        resetQueue.clear();
        currentResetRequest = null;
        currentResetDeferred = false;
        deferredPeerRequests.clear();
        performedPeerRequests.clear();
        if (state == AssociationState.SHUTDOWN_RECEIVED) {
            shutdownRequested = false; // that was the old peer's shutdown
        }
        sendQueue = new SendQueue(opts.maxSendBufferSize());
        bufferedChangesLost = true; // the old queue's streams all dropped to 0 unreported
        myTag = c.localTag();
        myInitialTsn = c.localInitialTsn();
        initTcb(c.peerTag(), c.peerInitialTsn(), c.peerRwnd(), c.outboundStreams(), c.inboundStreams(),
                c.peerForwardTsn(), c.peerReconfig(), c.peerInterleaving(), c.peerZeroChecksum());
        outputs.add(new SctpOutput.Restarted());
        control.add(new CookieAckChunk(false));
        enterEstablished(nowMs);
    }

    private void handleCookieAck(long nowMs) {
        if (state != AssociationState.COOKIE_ECHOED) {
            return; // §5.2.5: "... in any state other than COOKIE-ECHOED, ... silently discard"
        }
        t1Cookie.stop();
        enterEstablished(nowMs);
    }

    private void enterEstablished(long nowMs) {
        t1Init.stop();
        t1Cookie.stop();
        state = shutdownRequested ? AssociationState.SHUTDOWN_PENDING : AssociationState.ESTABLISHED;
        if (!connectedEmitted) {
            connectedEmitted = true;
            LOG.debug("association established: tags {}/{}, streams out {} in {}, forward-tsn {}, reconfig {}, "
                    + "interleaving {}, zero checksum {}", Integer.toHexString(myTag), Integer.toHexString(peerTag),
                    outboundStreams, inboundStreams, peerForwardTsn, peerReconfig, interleaving, zeroChecksumTx);
            outputs.add(new SctpOutput.Connected());
        }
        heartbeats.schedule(nowMs, rto.rto());
        // RFC 8899 §6.2.1.1 (paraphrased): SCTP is an acknowledged PL, so PLPMTUD may enter BASE once
        // the association has confirmed connectivity (§5.2 DISABLED: "This state is left once the PL
        // indicates connectivity to the remote PL")
        plpmtud.start();
    }

    private final ReassemblyQueue.Sink sink = (streamId, ppid, payload, unordered) ->
            outputs.add(new SctpOutput.MessageReceived(streamId, ppid, payload, unordered));

    private void handleData(UserDataChunk d) {
        if (tracker == null || !(state == AssociationState.ESTABLISHED || state == AssociationState.SHUTDOWN_PENDING
                || state == AssociationState.SHUTDOWN_SENT)) {
            return;
        }
        if (d.payloadLength() == 0) {
            // §6.2: "If an endpoint receives a DATA chunk with no user data ..., it MUST send an ABORT
            // with a "No User Data" error cause."
            abortWith(peerTag, new NoUserDataCause(d.tsn()), "DATA chunk without user data");
            return;
        }
        long utsn = tracker.unwrap(d.tsn().value());
        if (tracker.isDuplicate(utsn)) {
            tracker.recordDuplicate(d.tsn().value());
            return;
        }
        if (tracker.isTooFarAhead(utsn)) {
            return;
        }
        // The window is charged with payload plus a per-chunk overhead (ReassemblyQueue.accountedBytes),
        // so tiny chunks cannot pile up as objects; a_rwnd advertises the same figure.
        long buffered = reassembly.accountedBytes();
        long len = d.payloadLength() + (long) ReassemblyQueue.ENTRY_OVERHEAD;
        if (buffered + len > opts.receiveWindow() && utsn != tracker.cumulativeTsn() + 1) {
            // §6.2: with no buffer space the receiver drops chunks beyond the next expected one
            return;
        }
        if (buffered + len > 2L * opts.receiveWindow()) {
            // The next expected TSN is taken even above the window (it may complete what is held),
            // but a peer that keeps sending far past the a_rwnd we advertised is aborted: the bound.
            abortWith(peerTag, ProtocolViolationCause.ofText("receive buffer exhausted"),
                    "peer exceeded the receive window by far");
            return;
        }
        tracker.observe(utsn);
        if (d.immediateAck()) {
            // RFC 7053 §4.2: "... the receiver ... SHOULD send a SACK chunk without delay" (inside an
            // input batch: at the end of the batch, DataTracker.peerRequestedAck)
            tracker.peerRequestedAck();
        }
        if (d.streamId().value() >= inboundStreams) {
            // §6.5: "... Invalid Stream Identifier ... the endpoint ... MUST acknowledge the TSN and
            // discard the DATA chunk"
            control.add(new ErrorChunk(false, List.of(new InvalidStreamIdentifierCause(d.streamId()))));
            return;
        }
        if (!reassembly.add(utsn, d, sink)) {
            abortWith(peerTag, ProtocolViolationCause.ofText("message larger than max-message-size "
                    + opts.maxReceiveMessageSize()), "incoming message exceeds maxReceiveMessageSize");
        }
    }

    private void handleSack(SackChunk s, long nowMs) {
        if (outstanding == null || state.compareTo(AssociationState.ESTABLISHED) < 0) {
            return;
        }
        OutstandingData.SackResult r = outstanding.handleSack(s, nowMs);
        if (r == null) {
            return;
        }
        if (r.cumAdvanced()) {
            plpmtud.cumulativeTsnAdvanced();
        }
        if (r.ackedBytes() > 0 || r.cumAdvanced() || outstanding.peerWindowClosed()) {
            // §8.3: the error counter is cleared by an acknowledgement; §6.1 A: "If the sender
            // continues to receive SACK chunks from the peer while doing zero window probing, the
            // unacknowledged window probes SHOULD NOT increment the error counter"
            t3Rtx.resetExpirations();
            heartbeats.clearErrors();
        }
        if (!outstanding.hasOutstanding()) {
            t3Rtx.stop(); // §6.3.2 R2: "Whenever all outstanding data ... acknowledged, turn off T3"
            if (!sendQueue.hasData()) {
                dropSpares(); // idle: an idle association keeps no packet arrays
            }
        } else if (r.cumAdvanced()) {
            // §6.3.2 R3: "Whenever a SACK chunk is received that acknowledges the DATA chunk with the
            // earliest outstanding TSN ..., restart the T3-rtx timer ... with its current RTO"
            t3Rtx.start(nowMs, rto.rto());
        }
        // RFC 3758 §3.5 C3 (FORWARD TSN after a SACK) is decided in flush by OutstandingData.forwardTsnDue
    }

    private void handleAbort(AbortChunk a) {
        // §9.1: "Upon receipt of the ABORT chunk, the receiving endpoint MUST delete the TCB ... and
        // SHOULD report the cause (if any) to the upper layer"
        StringBuilder sb = new StringBuilder("aborted by peer");
        for (ErrorCause c : a.causes()) {
            sb.append(": ").append(describe(c));
        }
        terminate(sb.toString(), true);
    }

    /** @return a cause as a reader expects it: the RFC 9260 §3.3.10 name and its details */
    static String describe(ErrorCause c) {
        if (c instanceof UserInitiatedAbortCause u) {
            return "User-Initiated Abort \"" + u.text() + "\"";
        } else if (c instanceof ProtocolViolationCause pv) {
            return "Protocol Violation \"" + pv.text() + "\"";
        } else if (c instanceof NoUserDataCause nd) {
            return "No User Data (TSN " + Integer.toUnsignedString(nd.tsn().value()) + ")";
        } else if (c instanceof InvalidStreamIdentifierCause is) {
            return "Invalid Stream Identifier " + is.streamId().value();
        }
        return c.toString();
    }

    private void handleShutdown(ShutdownChunk s, long nowMs) {
        if (outstanding != null) {
            // §9.2: "... the receiver ... MUST verify ... the Cumulative TSN Ack" as a SACK would
            OutstandingData.SackResult r = outstanding.handleCumulativeAck(s.cumulativeTsnAck().value(), nowMs);
            if (r != null && !outstanding.hasOutstanding()) {
                t3Rtx.stop();
            }
        }
        switch (state) {
            case ESTABLISHED, SHUTDOWN_PENDING -> {
                // §9.2: "Upon reception of the SHUTDOWN chunk, the peer endpoint MUST enter the
                // SHUTDOWN-RECEIVED state, stop accepting new data from its SCTP user"
                state = AssociationState.SHUTDOWN_RECEIVED;
                shutdownRequested = true;
            }
            case SHUTDOWN_SENT -> {
                // §9.2: simultaneous SHUTDOWN: "... MUST immediately send a SHUTDOWN ACK chunk ... and
                // move to the SHUTDOWN-ACK-SENT state"
                state = AssociationState.SHUTDOWN_ACK_SENT;
                control.add(new ShutdownAckChunk(false));
                t2Shutdown.resetExpirations();
                t2Shutdown.start(nowMs, rto.rto());
            }
            default -> {
            }
        }
    }

    private void handleShutdownAck() {
        if (state == AssociationState.SHUTDOWN_SENT || state == AssociationState.SHUTDOWN_ACK_SENT) {
            // §9.2: "Upon the receipt of the SHUTDOWN ACK chunk, the sender of the SHUTDOWN chunk MUST
            // stop the T2-shutdown timer, send a SHUTDOWN COMPLETE chunk ..., and remove all record"
            emitPacket(peerTag, List.of(new ShutdownCompleteChunk(false)));
            terminate("shutdown complete", false);
        }
    }

    private void handleError(ErrorChunk e, long nowMs) {
        for (ErrorCause c : e.causes()) {
            if (c instanceof StaleCookieCause stale && state == AssociationState.COOKIE_ECHOED) {
                t1Cookie.stop();
                if (++staleCookieRetries > opts.maxInitRetransmits()) {
                    terminate("the peer found our State Cookie stale " + staleCookieRetries + " times", true);
                    return;
                }
                // §5.2.6: "3) Send a new INIT chunk to the endpoint, adding a Cookie Preservative
                // parameter requesting an extension to the life time of the State Cookie. When
                // calculating the time extension, an implementation SHOULD use the RTT information
                // measured based on the previous COOKIE ECHO / ERROR exchange, and SHOULD add no more
                // than 1 second beyond the measured RTT"
                long rtt = Math.max(0, nowMs - cookieEchoSentAtMs);
                long increment = Math.min(0xffffffffL, rtt + 1000);
                LOG.debug("State Cookie stale by {} us; new INIT asking for {} ms more", Integer.toUnsignedLong(
                        stale.stalenessMicros()), increment);
                List<Parameter> params = new ArrayList<>(ourCapabilityParameters());
                params.add(new CookiePreservativeParameter(increment));
                ourInit = new InitChunk(myTag, opts.receiveWindow(), opts.outboundStreams(), opts.inboundStreams(),
                        myInitialTsn, params);
                state = AssociationState.COOKIE_WAIT;
                peerTag = 0;
                t1Init.resetExpirations();
                sendInit(nowMs);
                return;
            }
            LOG.debug("ERROR chunk from peer: {}", c);
        }
    }

    private void handleForwardTsn(ForwardTsnChunk f) {
        // RFC 3758 §3.6: advance the cumulative TSN, drop partial messages, move SSNs, deliver
        forwardTo(f.newCumulativeTsn().value(),
                newCum -> reassembly.forwardTsn(newCum, validStreams(f.skipped(), e -> e.streamId().value()), sink));
    }

    private void handleIForwardTsn(IForwardTsnChunk f) {
        // RFC 8260 §2.3.1: "the principle applied to ordered message when using FORWARD-TSN chunks is
        // applied to ordered and unordered messages when using I-FORWARD-TSN chunks"
        forwardTo(f.newCumulativeTsn().value(),
                newCum -> reassembly.iForwardTsn(validStreams(f.skipped(), e -> e.streamId().value()), sink));
    }

    /**
     * The part FORWARD TSN and I-FORWARD-TSN share: ignored before ESTABLISHED or for a bogus jump;
     * {@code skip} (given the unwrapped new cumulative TSN) runs only when the chunk moves the
     * cumulative TSN forward (RFC 3758 §3.6), so a stale copy cannot drop messages of a stream
     * reset since; then the cumulative TSN moves.
     */
    private void forwardTo(int newCumulativeTsn, java.util.function.LongConsumer skip) {
        if (tracker == null || state.compareTo(AssociationState.ESTABLISHED) < 0) {
            return;
        }
        long newCum = tracker.unwrap(newCumulativeTsn);
        if (newCum - tracker.cumulativeTsn() > DataTracker.MAX_TSN_DISTANCE) {
            return; // bogus jump; ignore
        }
        if (newCum > tracker.cumulativeTsn()) {
            skip.accept(newCum);
        }
        tracker.forwardTo(newCum);
    }

    /**
     * The (I-)FORWARD TSN entries naming a stream we accepted. No DATA can exist on any other stream
     * (RFC 9260 §6.5: DATA for a stream beyond the negotiated inbound streams is discarded with an
     * "Invalid Stream Identifier" error), so such entries name nothing to skip; ignoring them keeps a
     * peer from creating per-stream state for every id up to 65535.
     */
    private <E> List<E> validStreams(List<E> entries, ToIntFunction<E> streamId) {
        List<E> valid = entries;
        for (int i = 0; i < entries.size(); i++) {
            if (streamId.applyAsInt(entries.get(i)) >= inboundStreams) {
                valid = new ArrayList<>(entries.size());
                for (E e : entries) {
                    if (streamId.applyAsInt(e) < inboundStreams) {
                        valid.add(e);
                    }
                }
                LOG.debug("(I-)FORWARD TSN: ignored {} entries for streams >= {}", entries.size() - valid.size(),
                        inboundStreams);
                break;
            }
        }
        return valid;
    }

    /** @return streams with receive-side ordering state; for tests (bounded by the inbound streams) */
    int receiveStreamStates() {
        return reassembly == null ? 0 : reassembly.streamStates();
    }

    // ------------------------------------------------------------------------------------------
    // RFC 6525 stream reset

    private void handleReconfig(ReConfigChunk r, long nowMs) {
        if (tracker == null || state.compareTo(AssociationState.ESTABLISHED) < 0) {
            return;
        }
        List<Parameter> responses = new ArrayList<>();
        for (Parameter p : r.parameters()) {
            if (p instanceof OutgoingSsnResetRequestParameter req) {
                responses.add(handleOutgoingResetRequest(req));
            } else if (p instanceof IncomingSsnResetRequestParameter req) {
                ReconfigurationResponseParameter resp = handleIncomingResetRequest(req);
                if (resp != null) {
                    responses.add(resp);
                }
            } else if (p instanceof ReconfigurationResponseParameter resp) {
                handleReconfigResponse(resp, nowMs);
            } else {
                LOG.debug("unsupported RE-CONFIG parameter {}", p);
            }
        }
        if (!responses.isEmpty()) {
            control.add(new ReConfigChunk(responses));
        }
    }

    /**
     * RFC 6525 §5.2.3 Incoming SSN Reset Request: the peer asks us to reset our outgoing streams. We
     * do it the normal way (queued data on them is sent first, then our own Outgoing SSN Reset Request,
     * whose Response Sequence Number field is the implicit answer: RFC 6525 §4.1 "When this Outgoing
     * SSN Reset Request Parameter is sent in response to an Incoming SSN Reset Request Parameter, this
     * parameter is also an implicit response to the incoming request"); the user sees
     * {@link SctpOutput.OutgoingStreamsReset} when it is done. A request for all streams (empty list)
     * or for a stream we cannot send on is denied.
     *
     * @return an explicit response, or null when our Outgoing SSN Reset Request will answer
     */
    private ReconfigurationResponseParameter handleIncomingResetRequest(IncomingSsnResetRequestParameter req) {
        int seq = req.requestSequenceNumber();
        if (seq == peerLastRequestSeq) {
            // §5.2.1: a retransmission of the last request gets the same result again
            return new ReconfigurationResponseParameter(seq, peerLastResult);
        }
        if (seq != peerLastRequestSeq + 1) {
            return new ReconfigurationResponseParameter(seq, ReconfigurationResponseParameter.RESULT_ERROR_BAD_SEQUENCE_NUMBER);
        }
        peerLastRequestSeq = seq;
        boolean valid = req.streamIds().length > 0;
        for (int id : req.streamIds()) {
            valid &= id < outboundStreams;
        }
        if (!valid) {
            peerLastResult = ReconfigurationResponseParameter.RESULT_DENIED;
            return new ReconfigurationResponseParameter(seq, peerLastResult);
        }
        for (int id : req.streamIds()) {
            if (!sendQueue.isResetPending(id)) {
                sendQueue.markResetPending(id);
                resetQueue.add(id);
            }
        }
        peerLastResult = ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED;
        return null;
    }

    private ReconfigurationResponseParameter handleOutgoingResetRequest(OutgoingSsnResetRequestParameter req) {
        int seq = req.requestSequenceNumber();
        if (seq == peerLastRequestSeq + 1) {
            if (deferredPeerRequests.size() >= MAX_DEFERRED_RESETS) {
                // bounded: the sequence number is not consumed, the peer may retry later
                return new ReconfigurationResponseParameter(seq,
                        ReconfigurationResponseParameter.RESULT_ERROR_REQUEST_ALREADY_IN_PROGRESS);
            }
            peerLastRequestSeq = seq;
            if (alreadyPerformed(req)) {
                // a renumbered retry (see handleReconfigResponse) of a reset we performed after
                // answering "In progress": same streams, same Sender's Last Assigned TSN, and no TSN was
                // assigned since, so a second reset would change nothing; it is not reported again
                peerLastResult = ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED;
                return new ReconfigurationResponseParameter(seq, peerLastResult);
            }
            if (replaceDeferred(req)) {
                // a sender that retries with a new sequence number after "In progress" (see
                // handleReconfigResponse): the new number now stands for the same deferred reset, which
                // is performed (and reported to the user) once
                peerLastResult = ReconfigurationResponseParameter.RESULT_IN_PROGRESS;
                return new ReconfigurationResponseParameter(seq, peerLastResult);
            }
            if (!deferredPeerRequests.isEmpty()
                    || SerialNumber.tsnGreater(req.sendersLastAssignedTsn().value(), (int) tracker.cumulativeTsn())) {
                // §5.2.2: "If the Sender's Last Assigned TSN is greater than the cumulative
                // acknowledgment point, then the endpoint MUST enter 'deferred reset processing'" and
                // answer "In progress". Requests are performed in order, so a later one waits too.
                deferredPeerRequests.add(req);
                peerLastResult = ReconfigurationResponseParameter.RESULT_IN_PROGRESS;
                // "any data arriving with a TSN larger than the Sender's Last Assigned TSN for the
                // affected stream(s) MUST be queued locally and held"
                reassembly.deferReset(req.streamIds(), tracker.unwrap(req.sendersLastAssignedTsn().value()));
            } else {
                performIncomingReset(req, false);
                peerLastResult = ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED;
            }
            return new ReconfigurationResponseParameter(seq, peerLastResult);
        }
        if (seq == peerLastRequestSeq) {
            checkDeferredReset();
            return new ReconfigurationResponseParameter(seq, peerLastResult);
        }
        return new ReconfigurationResponseParameter(seq, ReconfigurationResponseParameter.RESULT_ERROR_BAD_SEQUENCE_NUMBER);
    }

    private static boolean sameReset(OutgoingSsnResetRequestParameter x, OutgoingSsnResetRequestParameter y) {
        return java.util.Arrays.equals(x.streamIds(), y.streamIds())
                && x.sendersLastAssignedTsn().equals(y.sendersLastAssignedTsn());
    }

    private boolean alreadyPerformed(OutgoingSsnResetRequestParameter req) {
        for (OutgoingSsnResetRequestParameter p : performedPeerRequests) {
            if (sameReset(p, req)) {
                return true;
            }
        }
        return false;
    }

    /** Replaces a deferred request for the same streams and last TSN by {@code req}; false if none. */
    private boolean replaceDeferred(OutgoingSsnResetRequestParameter req) {
        boolean found = false;
        ArrayDeque<OutgoingSsnResetRequestParameter> copy = new ArrayDeque<>();
        for (OutgoingSsnResetRequestParameter d : deferredPeerRequests) {
            if (!found && sameReset(d, req)) {
                copy.add(req);
                found = true;
            } else {
                copy.add(d);
            }
        }
        if (found) {
            deferredPeerRequests.clear();
            deferredPeerRequests.addAll(copy);
        }
        return found;
    }

    private void checkDeferredReset() {
        while (!deferredPeerRequests.isEmpty() && tracker != null && !SerialNumber.tsnGreater(
                deferredPeerRequests.peek().sendersLastAssignedTsn().value(), (int) tracker.cumulativeTsn())) {
            // §5.2.2: "When the cumulative acknowledgment point reaches the last assigned TSN, then an
            // SSN reset MUST be performed on the affected stream(s)"
            OutgoingSsnResetRequestParameter req = deferredPeerRequests.poll();
            performIncomingReset(req, true);
            if (req.requestSequenceNumber() == peerLastRequestSeq) {
                peerLastResult = ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED;
            }
        }
    }

    private void performIncomingReset(OutgoingSsnResetRequestParameter req, boolean wasDeferred) {
        if (wasDeferred) {
            // only a request answered "In progress" can come back renumbered
            if (performedPeerRequests.size() >= MAX_DEFERRED_RESETS) {
                performedPeerRequests.poll();
            }
            performedPeerRequests.add(req);
        }
        reassembly.resetStreams(req.streamIds(), sink);
        outputs.add(new SctpOutput.IncomingStreamsReset(req.streamIds().clone()));
    }

    private void handleReconfigResponse(ReconfigurationResponseParameter resp, long nowMs) {
        OutgoingSsnResetRequestParameter req = currentResetRequest;
        if (req == null || resp.responseSequenceNumber() != req.requestSequenceNumber()) {
            return;
        }
        switch (resp.result()) {
            case ReconfigurationResponseParameter.RESULT_SUCCESS_NOTHING_TO_DO,
                    ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED -> {
                // §5.1.2: on success the sender resets its outgoing SSNs to 0
                for (int id : req.streamIds()) {
                    sendQueue.completeReset(id, true);
                }
                finishRequest();
                outputs.add(new SctpOutput.OutgoingStreamsReset(req.streamIds().clone()));
            }
            case ReconfigurationResponseParameter.RESULT_IN_PROGRESS -> {
                // RFC 6525 §5.2.2: the peer entered "deferred reset processing" because our data up
                // to the Sender's Last Assigned TSN has not all arrived. It answered, so this is not
                // a timeout (the error count is cleared); ask again after one RTO. The retry carries
                // a new request sequence number, as older dcSCTP does (newer dcSCTP accepts both):
                // receivers that cache the answer to a repeated number would say "In progress" forever.
                currentResetDeferred = true;
                reconfigTimer.resetExpirations();
                reconfigTimer.start(nowMs, rto.rto());
            }
            default -> {
                // RFC 6525 §5.2.1: any other result means the streams were not reset ("Denied",
                // "Error - Bad Sequence Number", ...). Their SSNs continue, sending is allowed again,
                // and the user is told, or a data channel waiting for the reset stays "closing".
                LOG.warn("peer refused stream reset of {}: {}", java.util.Arrays.toString(req.streamIds()),
                        ReconfigurationResponseParameter.resultName(resp.result()));
                for (int id : req.streamIds()) {
                    sendQueue.completeReset(id, false);
                }
                // The peer did not reset these streams, so a later FORWARD TSN must name their SSNs
                // (or MIDs) again: undo the mark streamsReset set for this request.
                outstanding.streamsResetFailed(req.streamIds(), req.sendersLastAssignedTsn().value());
                finishRequest();
                outputs.add(new SctpOutput.StreamResetFailed(req.streamIds().clone(), resp.result()));
            }
        }
    }

    private void finishRequest() {
        currentResetRequest = null;
        currentResetDeferred = false;
        nextRequestSeq++;
        reconfigTimer.stop();
        reconfigTimer.resetExpirations();
    }

    /** Builds an Outgoing SSN Reset Request for queued streams whose data has all been sent. */
    private void maybeStartReset(long nowMs) {
        if (currentResetRequest != null || resetQueue.isEmpty() || outstanding == null
                || state.compareTo(AssociationState.ESTABLISHED) < 0 || state.compareTo(AssociationState.SHUTDOWN_PENDING) > 0) {
            return;
        }
        List<Integer> ready = new ArrayList<>();
        for (int id : resetQueue) {
            if (sendQueue.isDrained(id)) {
                ready.add(id);
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        int[] ids = new int[ready.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ready.get(i);
            resetQueue.remove(ready.get(i));
        }
        if (!peerReconfig) {
            // The peer cannot reset streams; treat the streams as reset locally.
            LOG.debug("peer does not support RE-CONFIG; resetting streams {} locally", java.util.Arrays.toString(ids));
            for (int id : ids) {
                sendQueue.completeReset(id, true);
            }
            outputs.add(new SctpOutput.OutgoingStreamsReset(ids));
            return;
        }
        // RFC 6525 §4.1: "Sender's Last Assigned TSN: ... the next TSN minus 1"
        currentResetRequest = new OutgoingSsnResetRequestParameter(nextRequestSeq, peerLastRequestSeq,
                outstanding.lastAssignedTsn(), ids);
        outstanding.streamsReset(ids);
        control.add(new ReConfigChunk(List.of(currentResetRequest)));
        reconfigTimer.resetExpirations();
        reconfigTimer.start(nowMs, rto.rto());
    }

    // ------------------------------------------------------------------------------------------
    // Timers

    private void timers(long nowMs) {
        if (terminated) {
            return;
        }
        if (t1Init.isExpired(nowMs)) {
            if (t1Init.expirations() > opts.maxInitRetransmits()) {
                terminate("no answer to INIT after " + opts.maxInitRetransmits() + " retransmissions", true);
                return;
            }
            rto.backOff(); // §5.1 / §6.3.3: T1 uses the same exponential backoff
            sendInit(nowMs);
        }
        if (t1Cookie.isExpired(nowMs)) {
            if (t1Cookie.expirations() > opts.maxInitRetransmits()) {
                terminate("no answer to COOKIE ECHO after " + opts.maxInitRetransmits() + " retransmissions", true);
                return;
            }
            rto.backOff();
            // §5.1 C: "If the T1-cookie timer expires, the endpoint MUST retransmit COOKIE ECHO and
            // restart the T1-cookie timer without changing state" (the same cookie, the same bundle)
            cookieEchoSentAtMs = nowMs;
            emitPacket(peerTag, cookieEchoBundle);
            t1Cookie.start(nowMs, rto.rto());
        }
        if (t3Rtx.isExpired(nowMs)) {
            if (t3Rtx.expirations() > opts.maxRetransmits()) {
                abortWith(peerTag, ProtocolViolationCause.ofText("too many retransmissions"),
                        "too many retransmissions (" + opts.maxRetransmits() + ")");
                return;
            }
            if (plpmtud.t3Expired(nowMs)) {
                // RFC 8899 §4.3 black hole: the PLPMTU is back at BASE_PLPMTU before E1 sets cwnd to
                // one (new) MTU and E3 retransmits
                syncPathMtu();
            }
            // §6.3.3 E1-E3 (and RFC 3758 §3.5 C5: a FORWARD TSN still unacknowledged goes again)
            outstanding.handleT3Expiry();
            // restarted by flush when the retransmission is sent
        }
        if (delayedAck.isExpired(nowMs) && tracker != null) {
            tracker.requestImmediateAck();
        }
        if (t5ShutdownGuard.isExpired(nowMs)) {
            // §9.2: "At the expiration of this timer, the sender SHOULD abort the association by sending
            // an ABORT chunk."
            abortWith(peerTag, null, "shutdown not completed within T5-shutdown-guard (" + 5 * opts.maxRtoMs() + " ms)");
            return;
        }
        if (t2Shutdown.isExpired(nowMs)) {
            if (t2Shutdown.expirations() > opts.maxRetransmits()) {
                // §9.2: "If this threshold is exceeded, the endpoint SHOULD destroy the TCB and SHOULD
                // report the peer endpoint unreachable to the upper layer"
                abortWith(peerTag, null, "peer unreachable: no answer to " + (state == AssociationState.SHUTDOWN_SENT
                        ? "SHUTDOWN" : "SHUTDOWN ACK") + " after " + opts.maxRetransmits() + " retransmissions");
                return;
            }
            rto.backOff();
            if (state == AssociationState.SHUTDOWN_SENT) {
                control.add(new ShutdownChunk((int) tracker.cumulativeTsn()));
            } else if (state == AssociationState.SHUTDOWN_ACK_SENT) {
                control.add(new ShutdownAckChunk(false));
            }
            t2Shutdown.start(nowMs, rto.rto());
        }
        if (heartbeatTimers(nowMs)) {
            return;
        }
        plpmtud.handleTimeout(nowMs);
        syncPathMtu();
        if (reconfigTimer.isExpired(nowMs) && currentResetRequest != null) {
            int seq = currentResetRequest.requestSequenceNumber();
            if (currentResetDeferred) {
                // the retry after "In progress" (not a timeout): same streams and Sender's Last
                // Assigned TSN (nothing was sent on these streams since), next request sequence number
                currentResetDeferred = false;
                reconfigTimer.resetExpirations();
                nextRequestSeq++;
                seq = nextRequestSeq;
            } else if (reconfigTimer.expirations() > opts.maxRetransmits()) {
                abortWith(peerTag, ProtocolViolationCause.ofText("stream reset request unanswered"),
                        "no answer to the stream reset request (RE-CONFIG) after " + opts.maxRetransmits()
                        + " retransmissions");
                return;
            }
            // RFC 6525 §5.1.1: on timeout "the sender ... MUST retransmit the RE-CONFIG chunk" with the
            // same request sequence number; the response sequence number is brought up to date
            currentResetRequest = new OutgoingSsnResetRequestParameter(seq, peerLastRequestSeq,
                    currentResetRequest.sendersLastAssignedTsn().value(), currentResetRequest.streamIds());
            control.add(new ReConfigChunk(List.of(currentResetRequest)));
            reconfigTimer.start(nowMs, rto.rto());
        }
    }

    /** RFC 9260 §8.3 path heartbeat timers; returns true if the association ended. */
    private boolean heartbeatTimers(long nowMs) {
        if (heartbeats.timeoutExpired(nowMs)) {
            // §8.3: "... with ... exponential backoff of the RTO if the previous HEARTBEAT is
            // unanswered"
            rto.backOff();
            // §8.1: "If the value of this counter exceeds the limit indicated in the protocol parameter
            // 'Association.Max.Retrans', the endpoint MUST consider the peer endpoint unreachable and
            // MUST stop transmitting any more data to it (and thus the association enters the CLOSED
            // state)."
            if (heartbeats.misses() + t3Rtx.expirations() > opts.maxRetransmits()) {
                abortWith(peerTag, null, "peer unreachable: " + heartbeats.misses()
                        + " consecutive HEARTBEATs unanswered (Association.Max.Retrans " + opts.maxRetransmits() + ")");
                return true;
            }
        }
        if (heartbeats.intervalExpired(nowMs)) {
            // §8.3: only an idle path is probed ("A destination transport address is considered
            // 'idle' if no new chunk that can be used for updating path RTT ... has been sent to it
            // within the current heartbeat period"); with DATA in flight, T3-rtx watches the path.
            boolean idle = outstanding == null || !outstanding.hasOutstanding();
            if (idle && state.compareTo(AssociationState.ESTABLISHED) >= 0) {
                control.add(heartbeats.newRequest(nowMs, rto.rto()));
            }
            heartbeats.schedule(nowMs, rto.rto());
        }
        return false;
    }

    private void handleHeartbeatAck(HeartbeatAckChunk ack, long nowMs) {
        int probe = plpmtud.onHeartbeatAck(ack, nowMs);
        if (probe == PathMtuDiscovery.ANSWERED) {
            // The answer to our probe is a HEARTBEAT ACK to our HEARTBEAT (RFC 9260 §8.3: "Upon the
            // receipt of the HEARTBEAT ACK, the sender of the HEARTBEAT MUST clear the error counter of
            // the destination transport address"; "The endpoint SHOULD also clear the association's
            // overall error count"). A lost probe, in turn, never counts as an error.
            t3Rtx.resetExpirations();
            heartbeats.clearErrors();
            syncPathMtu();
            return;
        }
        if (probe == PathMtuDiscovery.IGNORED) {
            return; // late, duplicate or forged: confirms nothing, clears nothing
        }
        long rtt = heartbeats.onAck(ack, nowMs);
        if (rtt >= 0) {
            // §8.3: "Upon the receipt of the HEARTBEAT ACK, ... the sender SHOULD update the RTT"
            rto.observe(rtt);
            t3Rtx.resetExpirations(); // "The endpoint SHOULD also clear the association's overall error count"
        } else {
            LOG.debug("HEARTBEAT ACK that answers no pending HEARTBEAT ignored");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Output

    /** Sends ABORT (with {@code cause}, or none if null) to {@code tag} unless 0, and closes. */
    private void abortWith(int tag, ErrorCause cause, String reason) {
        if (tag != 0) {
            emitPacket(tag, List.of(new AbortChunk(false, cause == null ? List.of() : List.of(cause))));
        }
        terminate(reason, true);
    }

    private void terminate(String reason, boolean aborted) {
        if (terminated) {
            return;
        }
        terminated = true;
        state = AssociationState.CLOSED;
        zeroChecksumRx = false;
        t1Init.stop();
        t1Cookie.stop();
        t3Rtx.stop();
        delayedAck.stop();
        t2Shutdown.stop();
        t5ShutdownGuard.stop();
        reconfigTimer.stop();
        heartbeats.stop();
        plpmtud.stop();
        control.clear();
        LOG.debug("association closed: {} (aborted={})", reason, aborted);
        outputs.add(new SctpOutput.Closed(reason, aborted));
    }

    /** @return the most bytes of chunks (each padded) one packet of at most the PLPMTU can carry */
    private int maxChunkBytes() {
        return (packetMtu & ~3) - SctpPacket.HEADER_SIZE;
    }

    /**
     * @return the most bytes of chunks one packet of at most BASE_PLPMTU ({@link SctpOptions#mtu()})
     *     can carry: for handshake chunks (INIT ACK, COOKIE ECHO bundles), which may go on a path whose
     *     PLPMTU is not known
     */
    private int baseChunkBytes() {
        return (opts.mtu() & ~3) - SctpPacket.HEADER_SIZE;
    }

    private void emitPacket(int tag, List<Chunk> chunks) {
        // serialized when polled (PendingPacket), into an array the driver handed back (recyclePacket)
        // when one of that size is spare; the builder's list is reused, so the chunks are copied
        outputs.add(new PendingPacket(tag, List.copyOf(chunks), zeroChecksumAllowed(chunks)));
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            if (c instanceof SackChunk) {
                sackPacketsSent++;
            } else if (c instanceof UserDataChunk) {
                dataPacketsSent++;
                break; // DATA follows the SACK and the control chunks in a packet
            }
        }
    }

    /**
     * Most packet arrays kept for reuse ({@link #recyclePacket}). Packets are serialized when polled, so
     * a driver that hands each array back after sending it needs one per packet size in use (full DATA
     * packets, a message's last fragment). Kept only while data is in flight.
     */
    static final int SPARE_PACKETS = 4;
    /** Smallest array kept for reuse, bytes: DATA packets; SACKs and other small control packets are not worth it. */
    static final int MIN_RECYCLED_BYTES = 256;
    /** Arrays handed back by the driver, at [0, spareCount); loop thread only, like everything here. */
    private final byte[][] spare = new byte[SPARE_PACKETS][];
    private int spareCount;
    /** Where the next array goes when {@code spare} is full (the oldest is replaced). */
    private int spareCursor;
    /** Packets serialized into a recycled array (tests, diagnostics). */
    private long packetsReused;

    /**
     * Hands back the array of a {@link SctpOutput.SendPacket} once the driver is done with it (e.g. DTLS
     * encrypted it into a record of its own), so that a later packet of the same size is written into it
     * instead of a new array: the bulk-transfer path then allocates no array per packet. Optional: a
     * driver that never calls it gets a new array per packet. The caller must not read or write
     * {@code packet} afterwards, and must hand each array back at most once. Arrays below
     * {@value #MIN_RECYCLED_BYTES} bytes are ignored; at most {@value #SPARE_PACKETS} are kept, and none
     * once everything sent is acknowledged and nothing waits (an association that sent data and is now idle
     * holds no arrays; one that never has data in flight, e.g. receive-only, may keep up to
     * {@link #SPARE_PACKETS} SACK-sized arrays).
     *
     * @param packet the {@code packet()} of a SendPacket this association emitted; null is ignored
     */
    public void recyclePacket(byte[] packet) {
        if (packet == null || packet.length < MIN_RECYCLED_BYTES) {
            return;
        }
        if (spareCount < spare.length) {
            spare[spareCount++] = packet;
        } else {
            // sizes change (a different message size): the oldest spare goes
            spare[spareCursor] = packet;
            spareCursor = (spareCursor + 1) % spare.length;
        }
    }

    /** Forgets the spare arrays (the association went idle: everything sent was acknowledged). */
    private void dropSpares() {
        if (spareCount > 0) {
            java.util.Arrays.fill(spare, null);
            spareCount = 0;
            spareCursor = 0;
        }
    }

    /** @return the number of packet arrays kept for reuse (tests) */
    int spareCount() {
        return spareCount;
    }

    /** @return a spare array of exactly {@code size} bytes, removed from the spares, or null */
    private byte[] takeSpare(int size) {
        for (int i = spareCount - 1; i >= 0; i--) {
            byte[] a = spare[i];
            if (a.length == size) {
                spare[i] = spare[--spareCount];
                spare[spareCount] = null;
                spareCursor = 0;
                packetsReused++;
                return a;
            }
        }
        return null;
    }

    /** @return packets written into an array handed back by {@link #recyclePacket} (tests, diagnostics) */
    public long packetsReused() {
        return packetsReused;
    }

    /**
     * The PLPMTU of RFC 8899. With {@link SctpOptions#maxPlpmtu()} above {@link SctpOptions#mtu()},
     * once the association is established a probe of BASE_PLPMTU ({@code mtu()}) and then of MAX_PLPMTU
     * goes out (HEARTBEAT + PAD, outside the congestion window); a size goes unconfirmed after 3 probes of
     * {@link SctpOptions#probeTimerMs()} each, and a binary search narrows the gap to 32 bytes. A
     * confirmed size is used at once for new fragments and packets. Two T3-rtx expiries in a row without
     * progress after DATA in packets above BASE_PLPMTU count as a black hole: back to BASE_PLPMTU and
     * search again; chunks already made larger are then retransmitted alone, above the PLPMTU. If the
     * black hole never heals, such a chunk never arrives: its T3-rtx expiries count toward
     * Association.Max.Retrans ({@link SctpOptions#maxRetransmits()}) and the association ends with an
     * ABORT ({@link SctpOutput.Closed} "too many retransmissions"), as RFC 9260 §8.1 has it for a peer
     * that cannot be reached; a DATA chunk cannot be made smaller once it has a TSN. After
     * {@link SctpOptions#pmtuRaiseTimerMs()} at a size below MAX_PLPMTU the search runs again, probing the
     * smallest size that failed last time first (a stable path costs 3 probes per raise). A peer that
     * never answers a probe (one that drops every packet with a PAD chunk) leaves PLPMTUD in ERROR at
     * BASE_PLPMTU, probing again after a back-off from 2 {@link SctpOptions#probeTimerMs()} doubling up
     * to {@link SctpOptions#pmtuRaiseTimerMs()}. Lost probes never count toward the error counter; an
     * answered probe clears it like any HEARTBEAT ACK.
     *
     * @return the largest SCTP packet (bytes, common header included) this association now sends
     *     (probes and the retransmissions above excepted); {@link SctpOptions#mtu()} until Datagram
     *     PLPMTUD confirms a larger size (never above {@link SctpOptions#maxPlpmtu()}); loop thread
     */
    public int pathMtu() {
        return packetMtu;
    }

    /** @return the RFC 8899 §5.2 state of Datagram PLPMTUD (DISABLED when it is off); loop thread */
    public PlpmtudState plpmtudState() {
        return plpmtud.state();
    }

    /** @return PLPMTUD probe packets sent since creation (diagnostics); loop thread */
    public long plpmtuProbesSent() {
        return plpmtud.probesSent();
    }

    /** @return PLPMTUD probes confirmed by their HEARTBEAT ACK since creation (diagnostics); loop thread */
    public long plpmtuProbesAcked() {
        return plpmtud.probesAcked();
    }

    /** @return black holes detected (the PLPMTU fell back to BASE_PLPMTU) since creation (diagnostics); loop thread */
    public long plpmtuBlackHoles() {
        return plpmtud.blackHoles();
    }

    /**
     * Applies the PLPMTU of {@link #plpmtud} if it changed: new fragments, packet building and the
     * congestion controller use it from now on. Chunks already made keep their size (a DATA chunk
     * keeps its TSN and cannot be resegmented, RFC 8899 §4.4, see PacketBuilder.addAlone); one larger
     * than a lowered PLPMTU is retransmitted alone in a packet above the PLPMTU (see
     * sendRetransmissions).
     */
    private void syncPathMtu() {
        int m = plpmtud.plpmtu();
        if (m == packetMtu) {
            return;
        }
        LOG.debug("PLPMTU {} -> {} bytes", packetMtu, m);
        packetMtu = m;
        maxFragment = (m & ~3) - SctpPacket.HEADER_SIZE - dataHeaderSize;
        if (outstanding != null) {
            outstanding.setMtu(m);
        }
    }

    /**
     * The path changed or its largest usable packet did (RFC 8899 restarts discovery on a new
     * path; RFC 8899 §3 asks for robustness to path changes): the PLPMTU goes back to {@link SctpOptions#mtu()} (BASE_PLPMTU) and
     * Datagram PLPMTUD searches up to {@code maxPlpmtu} again.
     *
     * @param maxPlpmtu the new MAX_PLPMTU, bytes: 0 turns PLPMTUD off, else mtu()..65535
     * @param nowMs the owner's clock
     * @throws IllegalArgumentException if maxPlpmtu is neither 0 nor in mtu()..65535
     */
    public void restartPathMtuDiscovery(int maxPlpmtu, long nowMs) {
        if (maxPlpmtu != 0 && (maxPlpmtu < opts.mtu() || maxPlpmtu > 65535)) {
            throw new IllegalArgumentException("maxPlpmtu " + maxPlpmtu + " not 0 or in " + opts.mtu() + "..65535");
        }
        // RFC 8899 §3: "It is RECOMMENDED that methods are robust to path changes that could have
        // occurred since the path characteristics were last confirmed"; the new path starts at
        // BASE_PLPMTU and is searched again
        plpmtud.restart(maxPlpmtu, !terminated && connectedEmitted);
        syncPathMtu();
        flush(nowMs);
    }

    /**
     * RFC 9653 §5.2: a zero checksum only towards a peer that announced our method, and never on a
     * packet with INIT ("When a sender sends a packet containing an INIT chunk, it MUST include a
     * correct CRC32c checksum"), COOKIE ECHO ("... it MUST include a correct CRC32c checksum in the
     * packet containing the COOKIE ECHO chunk") or in response to an out-of-the-blue packet (sent only
     * without an association here). INIT ACK also keeps its CRC: it may answer a peer that lost its
     * association state (a restart INIT), and CRCs are always accepted.
     */
    private boolean zeroChecksumAllowed(List<Chunk> chunks) {
        if (!zeroChecksumTx || terminated || state == AssociationState.CLOSED) {
            return false;
        }
        for (Chunk c : chunks) {
            if (c instanceof InitChunk || c instanceof InitAckChunk || c instanceof CookieEchoChunk) {
                return false;
            }
        }
        return true;
    }

    /**
     * Collects chunks into packets of at most the MTU. One instance per association, reused by every
     * {@link #flush} (loop thread only; flush is not reentrant): its list is cleared, not reallocated.
     */
    private final class PacketBuilder {
        private final ArrayList<Chunk> chunks = new ArrayList<>();
        private int size = SctpPacket.HEADER_SIZE;
        private int packets;

        int space() {
            return (packetMtu & ~3) - size;
        }

        void add(Chunk c) {
            int n = Tlv.padded(c.serializedLength());
            if (n > maxChunkBytes()) {
                // Never a packet above the PLPMTU (RFC 8899 §3: "A PL MUST NOT send a datagram (other
                // than a probe packet) with a size at the PL that is larger than the current PLPMTU"): a
                // chunk that fits no packet (such as the HEARTBEAT ACK of a peer's oversized HEARTBEAT,
                // §8.3 "SHOULD ... respond") is not sent. DATA made before the PLPMTU was lowered goes
                // through addAlone instead.
                LOG.debug("not sending {}: {} bytes exceed the PLPMTU", c, n);
                return;
            }
            if (size + n > packetMtu && !chunks.isEmpty()) {
                finish();
            }
            chunks.add(c);
            size += n;
        }

        /**
         * Sends {@code c} in a packet of its own, whatever its size: the retransmission of a DATA chunk
         * made before a black hole lowered the PLPMTU (RFC 8899 §4.4: "If a PL is unable to resegment a
         * previously sent datagram (e.g., [RFC4960]), then the sender either discards the datagram or
         * could perform retransmission using network-layer fragmentation"; reliable data cannot be
         * discarded, so it goes as it is and the layers below may fragment it).
         */
        void addAlone(Chunk c) {
            finish();
            chunks.add(c);
            size += Tlv.padded(c.serializedLength());
            finish();
        }

        void finish() {
            if (!chunks.isEmpty()) {
                if (dataPacketFlag()) {
                    plpmtud.dataPacketSent(size);
                }
                emitPacket(peerTag, chunks);
                packets++;
                chunks.clear();
                size = SctpPacket.HEADER_SIZE;
            }
        }

        boolean isEmpty() {
            return chunks.isEmpty();
        }

        /** @return true if the packet being built carries DATA or I-DATA (after SACK and control chunks) */
        private boolean dataPacketFlag() {
            return chunks.get(chunks.size() - 1) instanceof UserDataChunk;
        }

        /** Starts a new flush: nothing collected, no packet finished yet. */
        PacketBuilder reset() {
            chunks.clear();
            size = SctpPacket.HEADER_SIZE;
            packets = 0;
            return this;
        }
    }

    private final PacketBuilder packetBuilder = new PacketBuilder();

    private void flush(long nowMs) {
        if (terminated || tracker == null) {
            return;
        }
        maybeStartReset(nowMs);
        boolean dataState = state == AssociationState.ESTABLISHED || state == AssociationState.SHUTDOWN_PENDING
                || state == AssociationState.SHUTDOWN_RECEIVED;
        PacketBuilder pb = packetBuilder.reset();
        if (dataState) {
            abandonExpired(nowMs);
        }
        boolean forwardTsn = (dataState || state == AssociationState.SHUTDOWN_SENT) && peerForwardTsn
                && outstanding.forwardTsnDue(nowMs);
        boolean retransmitsPending = dataState && outstanding.hasPendingRetransmits();
        boolean newDataPossible = dataState && sendQueue.hasData()
                && outstanding.canSendNew(Math.min(maxFragment, Math.max(1, sendQueue.peekNextSize())));
        boolean sending = !control.isEmpty() || retransmitsPending || newDataPossible || forwardTsn;
        if (control.peek() instanceof CookieAckChunk) {
            // §5.1 E: "A COOKIE ACK chunk MAY be bundled with any pending DATA chunks (and/or SACK
            // chunks), but the COOKIE ACK chunk MUST be the first chunk in the packet."
            pb.add(control.poll());
        }
        long arwnd = Math.max(0, opts.receiveWindow() - reassembly.accountedBytes());
        if (tracker.shouldAckNow() || (sending && tracker.hasUnackedData()) || windowUpdateDue(arwnd)) {
            // SACK first, piggybacked on whatever else we send (§6: "SACK ... SHOULD be bundled")
            pb.add(tracker.createSack(arwnd));
            lastAdvertisedRwnd = arwnd;
            delayedAck.stop();
        }
        while (!control.isEmpty()) {
            pb.add(control.poll());
        }
        if (forwardTsn) {
            // RFC 3758 §3.5 C3, bundled with the DATA that follows in the same packet
            Chunk f = createForwardTsn(nowMs);
            if (f != null) {
                pb.add(f);
                if (!t3Rtx.isRunning()) {
                    // §3.5 C5: "If a FORWARD TSN is sent, the sender MUST assure that at least one
                    // T3-rtx timer is running."
                    t3Rtx.start(nowMs, rto.rto());
                }
            }
        }
        if (dataState) {
            sendRetransmissions(pb, nowMs);
            sendNewData(pb, nowMs);
        }
        pb.finish();
        if (state == AssociationState.ESTABLISHED) {
            // RFC 8899 §6.2.1.2: HEARTBEAT + PAD "enables probing without affecting the transfer of user
            // messages and without being limited by congestion control or flow control": a probe goes in
            // a packet of its own, outside the congestion window, and is never retransmitted as such.
            // §3 item 7: "Loss of a probe packet SHOULD NOT be treated as an indication of congestion
            // and SHOULD NOT trigger a congestion control reaction": OutstandingData never sees it.
            List<Chunk> probe = plpmtud.pollProbe(nowMs);
            if (probe != null) {
                emitPacket(peerTag, probe);
            }
        }
        checkShutdownProgress(nowMs);
    }

    /**
     * §6.2 window update: "... an SCTP receiver MUST NOT generate more than one SACK chunk for every
     * incoming packet, other than to update the offered window as the receiving application consumes
     * new data." When our last SACK offered less than a quarter of the receive window (the sender may
     * be stalled on it) and at least half of it is free now, a SACK goes at once instead of after the
     * delayed-ack time.
     */
    private boolean windowUpdateDue(long arwnd) {
        long rw = opts.receiveWindow();
        return lastAdvertisedRwnd < rw / 4 && arwnd >= rw / 2;
    }

    /**
     * RFC 3758 §3.5 A / RFC 8831 §6.6 (maxRetransmits, maxPacketLifeTime): abandons whole messages
     * before anything is sent: marked chunks whose message exceeded its limits, the partly fragmented
     * message if its lifetime expired (all its fragments, sent or not, so the peer never delivers a
     * part), and queued messages whose lifetime expired before their first transmission.
     */
    private void abandonExpired(long nowMs) {
        if (!peerForwardTsn) {
            return; // without FORWARD TSN nothing can be abandoned (RFC 3758 §3.3.1)
        }
        for (OutstandingData.Item it : outstanding.retransmitCandidates()) {
            if (OutstandingData.shouldAbandon(it, nowMs, true)) {
                // §3.5 A1/A3: the message is abandoned; all its chunks count as acknowledged for the
                // sender's window and are announced with FORWARD TSN
                abandonMessage(it.message());
            }
        }
        sendQueue.discardExpired(nowMs, bufferedLowListener, abandonListener);
    }

    private void abandonMessage(SendQueue.Message m) {
        if (!m.abandoned()) {
            outstanding.abandon(m);
            sendQueue.discardRest(m, bufferedLowListener);
        }
    }

    private void sendRetransmissions(PacketBuilder pb, long nowMs) {
        List<OutstandingData.Item> items = outstanding.retransmitCandidates();
        // §7.2.4 3) / §6.3.3 E3: after a fast retransmit (outside Fast Recovery) or a T3-rtx expiry,
        // one packet of the earliest marked chunks goes regardless of cwnd; the rest as cwnd allows
        // (§6.1 C: "... the sender MUST first transmit any outstanding DATA chunks that are marked for
        // retransmission (limited by the current cwnd)").
        boolean free = !items.isEmpty() && outstanding.takeFreeRetransmitPacket();
        int freePacket = -1;
        for (OutstandingData.Item it : items) {
            if (OutstandingData.shouldAbandon(it, nowMs, peerForwardTsn)) {
                abandonMessage(it.message()); // expired while waiting for the window
                continue;
            }
            int size = Tlv.padded(it.chunk().serializedLength());
            if (size > maxChunkBytes()) {
                // Made before a black hole lowered the PLPMTU (RFC 8899 §4.3) and too large for any
                // packet now: it cannot be resegmented (its TSN is fixed), so it goes alone in a packet
                // above the PLPMTU (PacketBuilder.addAlone), as the free packet of a T3-rtx expiry or
                // fast retransmit, within cwnd, or when nothing is in flight (as §6.1 A always allows one
                // DATA chunk in flight): never stuck behind a cwnd smaller than itself.
                boolean asFreePacket = free && freePacket < 0;
                if (!asFreePacket && outstanding.bytesInFlight() > 0
                        && !outstanding.canRetransmit(it.chunk().payloadLength())) {
                    break;
                }
                if (asFreePacket) {
                    pb.finish();
                    freePacket = pb.packets; // used up by this packet: later chunks go within cwnd
                }
                if (outstanding.isFirstOutstanding(it)) {
                    t3Rtx.start(nowMs, rto.rto());
                }
                pb.addAlone(it.chunk());
                outstanding.retransmitted(it, nowMs);
                continue;
            }
            if (free && freePacket < 0) {
                if (pb.space() < size) {
                    pb.finish();
                }
                freePacket = pb.packets;
            }
            boolean inFreePacket = freePacket == pb.packets && pb.space() >= size;
            if (!inFreePacket && !outstanding.canRetransmit(it.chunk().payloadLength())) {
                break;
            }
            if (outstanding.isFirstOutstanding(it)) {
                // §7.2.4 4): "Restart the T3-rtx timer only if ... the endpoint is retransmitting the
                // first outstanding DATA chunk sent to that address."
                t3Rtx.start(nowMs, rto.rto());
            }
            pb.add(it.chunk());
            outstanding.retransmitted(it, nowMs);
        }
        if (outstanding.hasOutstanding() && !t3Rtx.isRunning()) {
            // §6.3.3 E3: "... start the retransmission timer T3-rtx ... with the RTO (backed off)"
            t3Rtx.start(nowMs, rto.rto());
        }
    }

    /**
     * RFC 8260 §2.3.1: "the new I-FORWARD-TSN chunk MUST be used instead of the FORWARD-TSN chunk";
     * recorded as sent for {@link OutstandingData#forwardTsnDue}.
     */
    private Chunk createForwardTsn(long nowMs) {
        return outstanding.createForwardTsn(nowMs, interleaving);
    }

    /** Method references made once (a bound {@code this::m} allocates at every evaluation, i.e. per flush). */
    private final java.util.function.IntConsumer bufferedLowListener = this::bufferedLow;
    private final java.util.function.Consumer<SendQueue.Message> abandonListener = this::abandonMessage;

    private void bufferedLow(int streamId) {
        outputs.add(new SctpOutput.BufferedAmountLow(streamId));
    }

    private void sendNewData(PacketBuilder pb, long nowMs) {
        if (sendQueue.hasData()) {
            outstanding.adjustAfterIdle(nowMs); // §7.2.1 cwnd after an idle period
        }
        while (sendQueue.hasData()) {
            int next = sendQueue.peekNextSize();
            if (next == 0 && !sendQueue.hasData()) {
                break;
            }
            int need = Math.min(maxFragment, Math.max(1, next));
            // §6.1 A (receiver window, with one zero-window probe when nothing is in flight) and B
            // (congestion window), and Max.Burst (§6.1 D) when answering a packet
            if (!outstanding.canSendNew(need)) {
                break;
            }
            if (outstanding.hasPendingRetransmits() && outstanding.bytesInFlight() + need > outstanding.cwnd()) {
                // §6.1 C: "... the sender MUST first transmit any outstanding DATA chunks that are
                // marked for retransmission (limited by the current cwnd)": new DATA beside waiting
                // retransmissions only within the same window test as theirs, never past cwnd
                break;
            }
            if (pb.space() < dataHeaderSize + need) {
                pb.finish();
            }
            int room = Math.min(maxFragment, pb.space() - dataHeaderSize);
            SendQueue.Fragment f = sendQueue.next(room, nowMs, bufferedLowListener);
            if (f == null) {
                break;
            }
            pb.add(outstanding.add(f, nowMs, !sendQueue.hasData()));
            if (!t3Rtx.isRunning()) {
                // §6.3.2 R1: "Every time a DATA chunk is sent ..., if the T3-rtx timer ... is not
                // running, start it ... using the RTO"
                t3Rtx.start(nowMs, rto.rto());
            }
        }
    }

    /** §9.2: send SHUTDOWN or SHUTDOWN ACK once every outstanding chunk is acknowledged. */
    private void checkShutdownProgress(long nowMs) {
        if (terminated || outstanding == null) {
            return;
        }
        boolean drained = !sendQueue.hasData() && !outstanding.hasOutstanding();
        if (state == AssociationState.SHUTDOWN_PENDING && drained) {
            // §9.2: "... the endpoint MUST send a SHUTDOWN chunk to its peer containing in the
            // Cumulative TSN Ack field the last sequential TSN it has received from the peer. It MUST
            // then start the T2-shutdown timer and enter the SHUTDOWN-SENT state"
            state = AssociationState.SHUTDOWN_SENT;
            delayedAck.stop();
            emitPacket(peerTag, List.of(new ShutdownChunk((int) tracker.cumulativeTsn())));
            t2Shutdown.resetExpirations();
            t2Shutdown.start(nowMs, rto.rto());
            // §9.2: "The sender of the SHUTDOWN chunk MAY also start an overall guard timer
            // 'T5-shutdown-guard' to bound the overall time for the shutdown sequence. ... it SHOULD be
            // set to the RECOMMENDED value of 5 times 'RTO.Max'."
            t5ShutdownGuard.start(nowMs, 5 * opts.maxRtoMs());
        } else if (state == AssociationState.SHUTDOWN_RECEIVED && drained) {
            // §9.2: "... the endpoint MUST send a SHUTDOWN ACK chunk ..., start the T2-shutdown timer,
            // and enter the SHUTDOWN-ACK-SENT state"
            state = AssociationState.SHUTDOWN_ACK_SENT;
            emitPacket(peerTag, List.of(new ShutdownAckChunk(false)));
            t2Shutdown.resetExpirations();
            t2Shutdown.start(nowMs, rto.rto());
        }
    }
}
