package org.jdatachannel.sctp;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.PadChunk;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.timer.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Datagram Packetization Layer Path MTU Discovery for the single path of a DTLS-carried association
 * (RFC 8899 §5 and §6.2.1; RFC 8261 §5 as updated by RFC 8899). Sans-IO: two timers on the owner's
 * clock, randomness injected; the owning {@link Association} sends the probe packets this class
 * builds, hands it the HEARTBEAT ACKs and the T3-rtx expiries, and reads {@link #plpmtu()}. Not
 * thread-safe; owned by one Association.
 *
 * <p>Sizes are SCTP packet sizes in bytes, common header included (what one DTLS record carries).
 * BASE_PLPMTU is {@link SctpOptions#mtu()} and also MIN_PLPMTU; MAX_PLPMTU is
 * {@link SctpOptions#maxPlpmtu()} or what {@link #restart} set. Probe sizes are multiples of 4 (every
 * chunk is padded to 4 bytes, RFC 9260 §3.2, so no SCTP packet has another size).
 *
 * <p>Probe packet (RFC 8899 §6.2.1.2, Sending SCTP Probe Packets: "The PAD chunk defined in [RFC4820] SHOULD be attached to a
 * minimum-length HEARTBEAT (HB) chunk to build a probe packet"): one HEARTBEAT chunk whose Heartbeat
 * Information is ours, then one PAD chunk that fills the packet to exactly the probed size; nothing
 * else (no DATA, RFC 8899 §3 item 4: "It is RECOMMENDED to use probe packets that do not carry any
 * user data that would require retransmission if lost"). Heartbeat Information, opaque to the peer
 * and echoed back unchanged (RFC 9260 §8.3), distinct from {@link HeartbeatHandler}'s "JDHB":
 * <pre>
 *  magic "JDPM" (4) | probed size, bytes (4) | random nonce (8)
 * </pre>
 * A HEARTBEAT ACK confirms the probed size only if it carries exactly this information for the probe
 * now outstanding (magic, size and nonce); anything else is ignored. At most one probe is outstanding
 * (RFC 8899 §3 item 7, paraphrased: probes must be spaced at least one RTT apart): when a black hole or
 * {@link #restart} makes the probe in flight obsolete, its answer confirms nothing, yet the next probe
 * waits until that answer arrives or its PROBE_TIMER expires. An answer to a probe in flight is a
 * HEARTBEAT ACK like any other: the owner clears the association's error counter on it
 * ({@link #onHeartbeatAck} returns {@link #ANSWERED}); a lost probe never counts as an error.
 *
 * <p>Search (RFC 8899 §5.3): after BASE_PLPMTU is confirmed, MAX_PLPMTU is probed first (on loopback
 * and uniform LANs that is the answer, one round trip later); a size that goes unacknowledged
 * {@value #MAX_PROBES} times, one PROBE_TIMER each, has failed. Then a binary search runs between the
 * largest confirmed size and the smallest failed one, and stops when they are at most
 * {@value #SEARCH_GRANULARITY} bytes apart (the PLPMTU is then at most that far below the path's
 * largest usable size). A confirmed size becomes the PLPMTU at once.
 *
 * <p>Search again (RFC 8899 §5.2 SEARCH_COMPLETE, after PMTU_RAISE_TIMER): the path is not searched
 * from MAX_PLPMTU again; the smallest size that failed in the last search is probed first (it is at
 * most {@value #SEARCH_GRANULARITY} bytes above the PLPMTU). If it fails again ({@value #MAX_PROBES}
 * probes) the search is complete at once, so a stable path costs {@value #MAX_PROBES} probes per
 * PMTU_RAISE_TIMER; if it is confirmed the path grew, and MAX_PLPMTU and the binary search follow.
 *
 * <p>ERROR (RFC 8899 §5.2: BASE_PLPMTU unconfirmed {@value #MAX_PROBES} times; "The state is exited
 * when packet probes no longer detect the error"): MIN_PLPMTU is BASE_PLPMTU here, so the PLPMTU stays
 * at BASE_PLPMTU (data of that size flows; a peer that drops every packet with a PAD chunk, as Pion
 * does, never answers a probe) and one probe of BASE_PLPMTU goes after an exponential back-off: twice
 * PROBE_TIMER, then doubling, capped at PMTU_RAISE_TIMER (RFC 8899 leaves the pace of probes in ERROR
 * to the implementation; PMTU_RAISE_TIMER, §5.1.1, is how long a PLPMTU is otherwise kept without
 * probing). Each such probe gets one PROBE_TIMER; an answer leaves ERROR for SEARCHING.
 *
 * <p>Black holes (RFC 8899 §4.3, third indicator: "A PL can utilize an event that indicates the network
 * path no longer sustains the sender's PLPMTU size. This could use a mechanism implemented within the
 * PL to detect excessive loss of data sent with a specific packet size"): when T3-rtx expires
 * {@value #BLACK_HOLE_T3_EXPIRIES} times in a row without the cumulative TSN advancing, while the
 * PLPMTU is above BASE_PLPMTU and DATA was sent in packets above BASE_PLPMTU since the cumulative TSN
 * last advanced, the PLPMTU drops to BASE_PLPMTU and discovery starts again from the BASE state.
 */
final class PathMtuDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(PathMtuDiscovery.class);

    /** RFC 8899 §5.1.2: "The default value of MAX_PROBES is 3." */
    static final int MAX_PROBES = 3;
    /** The binary search stops when the largest confirmed and smallest failed size are this close, bytes. */
    static final int SEARCH_GRANULARITY = 32;
    /** Consecutive T3-rtx expiries (without cumulative TSN progress) that mean a black hole. */
    static final int BLACK_HOLE_T3_EXPIRIES = 2;
    /** "JDPM". */
    static final int MAGIC = 0x4A44504D;
    static final int INFO_SIZE = 4 + 4 + 8;
    /**
     * Bytes of a probe besides the Padding Data: common header (12), HEARTBEAT chunk header (4),
     * Heartbeat Info parameter header (4) and its value, PAD chunk header (4).
     */
    static final int PROBE_OVERHEAD = SctpPacket.HEADER_SIZE + Tlv.HEADER_SIZE + Tlv.HEADER_SIZE + INFO_SIZE
            + Tlv.HEADER_SIZE;

    private final int base;
    private final long probeTimerMs;
    private final long raiseTimerMs;
    private final RandomGenerator rng;
    private final Timer probeTimer = new Timer("PROBE_TIMER");
    private final Timer raiseTimer = new Timer("PMTU_RAISE_TIMER");
    /** In ERROR: when the next probe of BASE_PLPMTU goes (the back-off). */
    private final Timer errorTimer = new Timer("PLPMTUD-error-backoff");
    private int max;
    private PlpmtudState state = PlpmtudState.DISABLED;
    private int plpmtu;
    /** PROBED_SIZE of RFC 8899 §5.1.3: the size of the probe being sent or to send. */
    private int probedSize;
    /** PROBE_COUNT of RFC 8899 §5.1.3: probes of {@link #probedSize} that went unacknowledged. */
    private int probeCount;
    /** A probe of {@link #probedSize} is to be sent as soon as the association may send. */
    private boolean probeDue;
    /** A probe is out and PROBE_TIMER runs for it. */
    private boolean probeOutstanding;
    /**
     * The probe out was sent before a black hole or restart: its answer confirms nothing, but it still
     * holds the one probe slot until answered or its PROBE_TIMER expires.
     */
    private boolean probeStale;
    private long probeNonce;
    /** The size of the probe out (PROBED_SIZE may have changed since it was sent), bytes. */
    private int probeSizeOut;
    /** The smallest size that failed in this search, or Integer.MAX_VALUE if none did. */
    private int smallestFailed;
    /**
     * The smallest size that failed in the last completed search (probed first when PMTU_RAISE_TIMER
     * starts a new one), or Integer.MAX_VALUE if none did; forgotten on BASE (black hole, restart).
     */
    private int lastFailed = Integer.MAX_VALUE;
    /** ERROR back-off rounds so far (the wait doubles with each). */
    private int errorRounds;
    private boolean largeDataSinceProgress;
    private int t3Strikes;
    /** The owner's clock at the last call that passed it, ms (for timers started by a state change). */
    private long lastNowMs;
    private long probesSent;
    private long probesAcked;
    private long blackHoles;

    /**
     * @param base BASE_PLPMTU, bytes ({@link SctpOptions#mtu()})
     * @param max MAX_PLPMTU, bytes; 0 (or not above {@code base}) keeps PLPMTUD off
     * @param probeTimerMs PROBE_TIMER, ms
     * @param raiseTimerMs PMTU_RAISE_TIMER, ms
     * @param rng for the probe nonces
     */
    PathMtuDiscovery(int base, int max, long probeTimerMs, long raiseTimerMs, RandomGenerator rng) {
        this.base = base;
        this.max = max;
        this.probeTimerMs = probeTimerMs;
        this.raiseTimerMs = raiseTimerMs;
        this.rng = rng;
        this.plpmtu = base;
    }

    /** @return the PLPMTU, bytes: BASE_PLPMTU until a larger size is confirmed */
    int plpmtu() {
        return plpmtu;
    }

    PlpmtudState state() {
        return state;
    }

    long probesSent() {
        return probesSent;
    }

    long probesAcked() {
        return probesAcked;
    }

    long blackHoles() {
        return blackHoles;
    }

    /** @return the time in ERROR before the next probe of BASE_PLPMTU, ms, for back-off round {@code round} (0 = first) */
    long errorBackoffMs(int round) {
        long wait = probeTimerMs << Math.min(round + 1, 30);
        return Math.min(wait, Math.max(raiseTimerMs, probeTimerMs));
    }

    /** @return true if discovery can run at all: MAX_PLPMTU allows a probe above BASE_PLPMTU */
    private boolean enabled() {
        return (max & ~3) > (base & ~3);
    }

    /**
     * The association became established (RFC 8899 §5.2 DISABLED: "This state is left once the PL
     * indicates connectivity to the remote PL. When transitioning to the BASE state, a probe packet of
     * size BASE_PLPMTU can be sent immediately."). No effect unless DISABLED and enabled.
     */
    void start() {
        if (state == PlpmtudState.DISABLED && enabled()) {
            enterBase();
        }
    }

    /** The association ended: back to DISABLED, timers stopped; the PLPMTU is kept. */
    void stop() {
        state = PlpmtudState.DISABLED;
        probeTimer.stop();
        raiseTimer.stop();
        errorTimer.stop();
        probeDue = false;
        probeOutstanding = false;
        probeStale = false;
    }

    /**
     * The path changed: the PLPMTU goes back to BASE_PLPMTU and, if {@code newMax} allows and
     * {@code established}, discovery starts over in BASE (RFC 8899 §3: "It is RECOMMENDED that
     * methods are robust to path changes that could have occurred since the path characteristics were
     * last confirmed"; a probe of the old path answered late confirms nothing, its nonce is forgotten).
     *
     * @param newMax the new MAX_PLPMTU, bytes, 0 = off
     * @param established true if the association may probe now
     */
    void restart(int newMax, boolean established) {
        // not stop(): a probe in flight keeps its slot (see obsoleteProbeOut)
        state = PlpmtudState.DISABLED;
        raiseTimer.stop();
        errorTimer.stop();
        probeDue = false;
        obsoleteProbeOut();
        max = newMax;
        plpmtu = base;
        t3Strikes = 0;
        largeDataSinceProgress = false;
        if (established) {
            start();
        }
    }

    private void enterBase() {
        // §5.2 BASE: "On entry, the PROBED_SIZE is set to the BASE_PLPMTU size, and the PROBE_COUNT is
        // set to zero."
        state = PlpmtudState.BASE;
        raiseTimer.stop();
        errorTimer.stop();
        smallestFailed = Integer.MAX_VALUE;
        lastFailed = Integer.MAX_VALUE;
        errorRounds = 0;
        obsoleteProbeOut();
        newProbe(base & ~3);
    }

    /**
     * The probe in flight (if any) can confirm nothing any more (the PLPMTU or MAX_PLPMTU it was sent
     * for is gone), but it stays outstanding until answered or its PROBE_TIMER expires, so that no
     * second probe follows it within one RTT (RFC 8899 §3 item 7, paraphrased: the interval between
     * probe packets is at least one RTT).
     */
    private void obsoleteProbeOut() {
        if (probeOutstanding) {
            probeStale = true;
        }
    }

    private void enterSearching() {
        state = PlpmtudState.SEARCHING;
        raiseTimer.stop();
        errorTimer.stop();
        smallestFailed = Integer.MAX_VALUE;
        int next = nextSearchSize();
        if (next >= 0 && lastFailed > plpmtu && lastFailed < next) {
            // searched before (PMTU_RAISE_TIMER): the size that failed last time first; if it fails
            // again, nextSearchSize is -1 at once (it is within SEARCH_GRANULARITY of the PLPMTU)
            next = lastFailed;
        }
        if (next < 0) {
            enterSearchComplete();
        } else {
            newProbe(next);
        }
    }

    private void enterSearchComplete() {
        state = PlpmtudState.SEARCH_COMPLETE;
        probeDue = false;
        if (!probeStale) {
            probeOutstanding = false;
            probeTimer.stop();
        }
        lastFailed = smallestFailed;
        // §5.2 SEARCH_COMPLETE: "DPLPMTUD remains in this state until either the PMTU_RAISE_TIMER
        // expires or a black hole is detected"; §6.2.1.3 and §6.2.3.3 (SCTP/DTLS): "Since SCTP provides
        // an acknowledged PL, a sender MUST NOT implement the CONFIRMATION_TIMER while in the
        // SEARCH_COMPLETE state."
        if (plpmtu < (max & ~3)) {
            raiseTimer.start(lastNowMs, raiseTimerMs);
        }
        LOG.debug("PLPMTUD search complete: PLPMTU {} bytes (MAX_PLPMTU {})", plpmtu, max);
    }

    /** SEARCHING after a size was confirmed or failed: probe the next size, or complete the search. */
    private void probeNextOrComplete() {
        int next = nextSearchSize();
        if (next < 0) {
            enterSearchComplete();
        } else {
            newProbe(next);
        }
    }

    /**
     * @return the next size to probe in SEARCHING, or -1 when the search is done: MAX_PLPMTU first,
     *     then the middle between the PLPMTU and the smallest failed size, rounded down to 4
     */
    private int nextSearchSize() {
        int top = max & ~3;
        if (plpmtu >= top) {
            return -1;
        }
        if (smallestFailed == Integer.MAX_VALUE) {
            return top;
        }
        if (smallestFailed - plpmtu <= SEARCH_GRANULARITY) {
            return -1;
        }
        int mid = ((plpmtu + smallestFailed) >>> 1) & ~3;
        return mid > plpmtu && mid < smallestFailed ? mid : -1;
    }

    private void newProbe(int size) {
        // §5.3.1: "The PROBE_COUNT is initialized to zero when the first probe with a size greater than
        // or equal to PLPMTU is sent."
        // A probe still out for another size is made obsolete by the caller (obsoleteProbeOut) or has
        // just been answered or expired; it keeps the slot until then.
        probedSize = size;
        probeCount = 0;
        probeDue = true;
    }

    /**
     * @param nowMs current time, ms
     * @return the chunks of the probe packet to send now (HEARTBEAT then PAD, together exactly
     *     {@code PROBED_SIZE} bytes with the common header), or null if none is due
     */
    List<Chunk> pollProbe(long nowMs) {
        lastNowMs = nowMs;
        if (!probeDue || probeOutstanding) {
            return null;
        }
        probeDue = false;
        probeOutstanding = true;
        probeStale = false;
        probeSizeOut = probedSize;
        probeNonce = rng.nextLong();
        byte[] info = ByteBuffer.allocate(INFO_SIZE).putInt(MAGIC).putInt(probedSize).putLong(probeNonce).array();
        // §5.3.1: "Each time a probe packet is sent to the destination, the PROBE_TIMER is started."
        probeTimer.start(nowMs, probeTimerMs);
        probesSent++;
        // RFC 8899 §3 item 7 (paraphrased: probes not congestion controlled are spaced at least one
        // RTT apart): a new probe goes only when the previous one was answered (one RTT later) or its
        // PROBE_TIMER expired, even if a black hole or restart made it obsolete meanwhile.
        return List.of(new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(info))),
                new PadChunk(probedSize - PROBE_OVERHEAD));
    }

    /** @return the earliest expiry of the three timers, or {@link Timer#NEVER} */
    long expiry() {
        return Math.min(Math.min(probeTimer.expiry(), raiseTimer.expiry()), errorTimer.expiry());
    }

    /** Fires the PROBE_TIMER and PMTU_RAISE_TIMER if due. */
    void handleTimeout(long nowMs) {
        lastNowMs = nowMs;
        if (probeTimer.isExpired(nowMs) && probeOutstanding) {
            probeOutstanding = false;
            probeTimer.stop();
            if (probeStale) {
                // an obsolete probe lost: it counted for nothing, the probe due (if any) may go now
                probeStale = false;
            } else {
                // §5.3.1: "Each time the PROBE_TIMER expires, the PROBE_COUNT is incremented, the
                // PROBE_TIMER is reinitialized, and a new probe of the same size or any other size
                // (determined by the search algorithm) can be sent." In ERROR one probe per back-off.
                probeCount++;
                if (probeCount < MAX_PROBES && state != PlpmtudState.ERROR) {
                    probeDue = true;
                } else {
                    probeFailed();
                }
            }
        }
        if (errorTimer.isExpired(nowMs) && state == PlpmtudState.ERROR) {
            errorTimer.stop();
            newProbe(base & ~3);
        }
        if (raiseTimer.isExpired(nowMs) && state == PlpmtudState.SEARCH_COMPLETE) {
            // §5.1.1 PMTU_RAISE_TIMER: "the period a sender will continue to use the current PLPMTU,
            // after which it reenters the Search Phase"
            enterSearching();
        }
    }

    /** PROBE_COUNT reached MAX_PROBES for {@link #probedSize}. */
    private void probeFailed() {
        switch (state) {
            case BASE, ERROR -> {
                // §5.2 BASE: "The state is also left when the PROBE_COUNT reaches MAX_PROBES ... This
                // causes the PL sender to enter the ERROR state." MIN_PLPMTU is BASE_PLPMTU here, so
                // the PLPMTU stays there and BASE_PLPMTU is probed again ("The state is exited when
                // packet probes no longer detect the error"), after a back-off (class comment).
                state = PlpmtudState.ERROR;
                probedSize = base & ~3;
                probeCount = 0;
                probeDue = false;
                long wait = errorBackoffMs(errorRounds);
                errorRounds = Math.min(errorRounds + 1, 30);
                errorTimer.start(lastNowMs, wait);
                LOG.debug("PLPMTUD: BASE_PLPMTU {} unconfirmed; next probe in {} ms", base, wait);
            }
            case SEARCHING -> {
                smallestFailed = Math.min(smallestFailed, probedSize);
                // §5.2 SEARCHING: "The state is exited to enter SEARCH_COMPLETE when the PROBE_COUNT
                // reaches MAX_PROBES" (nextSearchSize is -1 then)
                probeNextOrComplete();
            }
            default -> {
            }
        }
    }

    /** {@link #onHeartbeatAck}: not a probe's answer (for {@link HeartbeatHandler}). */
    static final int NOT_OURS = 0;
    /** {@link #onHeartbeatAck}: our magic, but no probe now outstanding (late, duplicate or forged). */
    static final int IGNORED = 1;
    /**
     * {@link #onHeartbeatAck}: the answer to the probe outstanding (magic, size and nonce match; it
     * confirmed its size unless a black hole or restart made it obsolete): a HEARTBEAT ACK to our
     * HEARTBEAT, which clears the error counter (RFC 9260 §8.3).
     */
    static final int ANSWERED = 2;

    /**
     * Offers a HEARTBEAT ACK.
     *
     * @return {@link #NOT_OURS}, {@link #IGNORED} or {@link #ANSWERED}
     */
    int onHeartbeatAck(HeartbeatAckChunk ack, long nowMs) {
        lastNowMs = nowMs;
        boolean ours = false;
        for (Parameter p : ack.parameters()) {
            if (p instanceof HeartbeatInfoParameter hi && hi.info().length == INFO_SIZE) {
                ByteBuffer b = ByteBuffer.wrap(hi.info());
                if (b.getInt() != MAGIC) {
                    continue;
                }
                ours = true;
                int size = b.getInt();
                long nonce = b.getLong();
                if (probeOutstanding && size == probeSizeOut && nonce == probeNonce) {
                    if (probeStale) {
                        // sent before a black hole or restart: it frees the slot, confirms nothing
                        probeOutstanding = false;
                        probeStale = false;
                        probeTimer.stop();
                        LOG.debug("PLPMTUD: answer to an obsolete probe of {} bytes", size);
                    } else {
                        probeAcked();
                    }
                    return ANSWERED;
                }
            }
        }
        if (ours) {
            LOG.debug("PLPMTUD: HEARTBEAT ACK that answers no outstanding probe ignored");
            return IGNORED;
        }
        return NOT_OURS;
    }

    private void probeAcked() {
        probesAcked++;
        probeOutstanding = false;
        // §5.3.1: "The timer is canceled when the PL receives acknowledgment that the probe packet has
        // been successfully sent across the path ... the PROBED_SIZE value is then assigned to the
        // PLPMTU."
        probeTimer.stop();
        switch (state) {
            case BASE, ERROR -> {
                // §5.2 BASE: "The state is exited when the probe packet is acknowledged, and the PL sender
                // enters the SEARCHING state."
                errorRounds = 0;
                enterSearching();
            }
            case SEARCHING -> {
                // §5.2 SEARCHING: "Each time a probe packet is acknowledged, the PROBE_COUNT is set to
                // zero, the PLPMTU is set to the PROBED_SIZE, and then the PROBED_SIZE is increased
                // using the search algorithm"
                if (probedSize > plpmtu) {
                    LOG.debug("PLPMTUD: {} bytes confirmed (PLPMTU was {})", probedSize, plpmtu);
                    plpmtu = probedSize;
                }
                // "... or a probe of size MAX_PLPMTU is acknowledged (PLPMTU = MAX_PLPMTU)" (nextSearchSize
                // is -1 then)
                probeNextOrComplete();
            }
            default -> {
            }
        }
    }

    /** A packet with DATA of {@code size} bytes was sent. */
    void dataPacketSent(int size) {
        if (size > base) {
            largeDataSinceProgress = true;
        }
    }

    /** The cumulative TSN advanced: data gets through, the T3-rtx strikes start over. */
    void cumulativeTsnAdvanced() {
        t3Strikes = 0;
        largeDataSinceProgress = false;
    }

    /**
     * T3-rtx expired; called before the association reacts to it (so that the retransmissions use
     * the PLPMTU this may lower).
     *
     * @return true if this detected a black hole and lowered the PLPMTU to BASE_PLPMTU
     */
    boolean t3Expired(long nowMs) {
        lastNowMs = nowMs;
        if (state == PlpmtudState.DISABLED || plpmtu <= base || !largeDataSinceProgress) {
            t3Strikes = 0;
            return false;
        }
        if (++t3Strikes < BLACK_HOLE_T3_EXPIRIES) {
            return false;
        }
        // §5.2: "When a black hole is detected in the SEARCHING state, this causes the PL sender to
        // enter the BASE state" (the same from SEARCH_COMPLETE, Figure 5); §4.3: "When the method
        // detects that the current PLPMTU is not supported, DPLPMTUD sets a lower PLPMTU and a lower
        // MPS. The PL then confirms that the new PLPMTU can be successfully used across the path."
        LOG.debug("PLPMTUD: black hole suspected ({} T3-rtx expiries with DATA above {} bytes): PLPMTU {} -> {}",
                t3Strikes, base, plpmtu, base);
        blackHoles++;
        t3Strikes = 0;
        largeDataSinceProgress = false;
        plpmtu = base;
        enterBase();
        return true;
    }

    @Override
    public String toString() {
        return "PLPMTUD(" + state + ", PLPMTU " + plpmtu + ", MAX " + max + ", probing " + probedSize + " x"
                + probeCount + (probeStale ? ", obsolete probe out" : "") + ", " + probeTimer + ", " + raiseTimer
                + ", " + errorTimer + ")";
    }
}
