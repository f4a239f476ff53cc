package org.jdatachannel.sctp.tx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdatachannel.sctp.packet.Mid;
import org.jdatachannel.sctp.packet.Ppid;
import org.jdatachannel.sctp.packet.Ssn;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.Tsn;
import org.jdatachannel.sctp.packet.Unwrapper;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.UserDataChunk;

/**
 * DATA chunks sent and not yet cumulatively acknowledged, with the sender's congestion control
 * (RFC 9260 §6.2.1 SACK processing, §6.3 retransmission, §7.2 slow start, congestion avoidance and
 * fast retransmit) and the partial-reliability bookkeeping of RFC 3758 (abandoned chunks, the
 * Advanced.Peer.Ack.Point and FORWARD TSN).
 *
 * <p>Chunks are kept in TSN order in a ring indexed by TSN, so gap ack blocks are applied without
 * searching. The number of entries is bounded by the congestion and receive windows. Not
 * thread-safe.
 *
 * <p>Congestion control summary (RFC 9260 §7.2, one destination): slow start while cwnd &lt;=
 * ssthresh, growing by min(acked, MTU) per SACK that advances the cumulative ack while the window
 * was fully used; congestion avoidance with partial_bytes_acked above it; on fast retransmit
 * ssthresh = cwnd = max(cwnd/2, 4 MTU) once per window (Fast Recovery); on T3-rtx cwnd = 1 MTU;
 * after an idle RTO cwnd = max(cwnd/2, 4 MTU) per RTO. Deviation: the initial cwnd is 10 MTU (RFC
 * 6928 style, as dcSCTP) instead of §7.2.1's min(4 MTU, max(2 MTU, 4380)). Max.Burst (§6.1 D) is
 * applied through {@link #limitBurst}. Second deviation: a retransmitted chunk may be fast
 * retransmitted again when SACKs for data sent after it show it lost (see
 * {@code countMissIndications}), instead of waiting for T3-rtx.
 */
public final class OutstandingData {

    /** One sent DATA or I-DATA chunk. */
    public static final class Item {
        final UserDataChunk chunk;
        final SendQueue.Message message;
        final int size;
        long sentAtMs;
        int transmissions = 1;
        boolean acked;
        boolean retransmit;
        boolean abandoned;
        boolean inFlight = true;
        /** The Sender's Last Assigned TSN of a reset request that covered this chunk's stream. */
        long resetAt = Long.MAX_VALUE;
        int misses;
        /** Transmission order of the last transmission of this chunk (first or retransmission). */
        long sendSeq;
        /** The unwrapped TSN. */
        long utsn;

        Item(UserDataChunk chunk, SendQueue.Message message, long now) {
            this.chunk = chunk;
            this.message = message;
            this.size = chunk.payloadLength();
            this.sentAtMs = now;
        }

        /** @return the chunk (its TSN is fixed) */
        public UserDataChunk chunk() {
            return chunk;
        }

        /** @return the message it belongs to */
        public SendQueue.Message message() {
            return message;
        }

        /** @return how many times it was transmitted */
        public int transmissions() {
            return transmissions;
        }
    }

    /** Result of {@link #handleSack}. */
    public record SackResult(boolean cumAdvanced, long ackedBytes) {
    }

    private int mtu;
    /**
     * The MTU given at construction (BASE_PLPMTU with Datagram PLPMTUD), bytes: a peer window below it
     * is a closed window, whatever {@link #setMtu} made of {@link #mtu} since.
     */
    private final int baseMtu;
    private final RetransmissionTimeout rto;
    private final Unwrapper unwrapper;
    private Item[] ring = new Item[64];
    private int head;
    private int count;
    private long cumAck;
    private long nextTsn;
    private long bytesInFlight;
    private long cwnd;
    private long ssthresh;
    private long partialBytesAcked;
    private long peerRwnd;
    private boolean inFastRecovery;
    private long fastRecoveryExit;
    private int retransmitCount;
    private int fastRetransmitCount;
    private int pendingRetransmits;
    /** Unwrapped TSNs of the chunks marked for retransmission, sorted. */
    private final java.util.TreeSet<Long> marked = new java.util.TreeSet<>();
    /** One packet of retransmissions may ignore cwnd (§7.2.4 3, §6.3.3 E3). */
    private boolean oneRetransmitPacketFree;
    /** Max.Burst cap on bytes in flight for new data, Long.MAX_VALUE when not limiting. */
    private long burstCap = Long.MAX_VALUE;
    /** Time of the last DATA transmission, ms, or Long.MIN_VALUE before the first. */
    private long lastTransmitMs = Long.MIN_VALUE;
    /** §6.3.1 C4: at most one RTT sample per round trip: only chunks with TSN &gt;= this give one. */
    private long rttSampleFrom;
    /** The New Cumulative TSN of the last FORWARD TSN sent (unwrapped), or -1. */
    private long lastForwardTsnPoint = -1;
    private long lastForwardTsnAtMs = Long.MIN_VALUE;
    private int forwardTsnCount;
    private int t3ExpiryCount;
    private boolean peerWindowClosed;
    /** Counts transmissions (first and retransmissions) to order them. */
    private long sendSeq;

    /**
     * @param initialTsn our Initial TSN
     * @param peerRwnd the peer's a_rwnd from INIT / INIT ACK
     * @param mtu max SCTP packet size
     * @param rto the RTO estimator (shared with the association's other timers)
     */
    public OutstandingData(int initialTsn, long peerRwnd, int mtu, RetransmissionTimeout rto) {
        this.mtu = mtu;
        this.baseMtu = mtu;
        this.rto = rto;
        this.unwrapper = new Unwrapper(initialTsn - 1);
        this.cumAck = unwrapper.unwrap(initialTsn - 1);
        this.nextTsn = cumAck + 1;
        this.peerRwnd = peerRwnd;
        // Deliberate deviation (documented): initial cwnd 10 * MTU as in RFC 6928 for TCP, rather than
        // RFC 9260 §7.2.1 "min(4 * MTU, max(2 * MTU, 4380 bytes))"; dcSCTP does the same.
        this.cwnd = 10L * mtu;
        // §7.2.1: "The initial value of ssthresh SHOULD be arbitrarily high (e.g., the size of the
        // largest possible advertised window)."
        this.ssthresh = Math.max(peerRwnd, 4L * mtu);
        this.rttSampleFrom = nextTsn;
    }

    /**
     * The PLPMTU changed (RFC 8899 Datagram PLPMTUD): later cwnd increments, the 4*MTU floors,
     * Max.Burst and the FORWARD TSN size bound use the new value. The zero-window threshold stays the
     * MTU given at construction (BASE_PLPMTU). cwnd itself is
     * unchanged (RFC 8899 §3 item 7: "An update to the PLPMTU (or MPS) MUST NOT increase the congestion
     * window measured in bytes").
     *
     * @param mtu the new PLPMTU, bytes, at least 256
     */
    public void setMtu(int mtu) {
        this.mtu = mtu;
    }

    /** @return the MTU now used, bytes; for tests */
    public int mtu() {
        return mtu;
    }

    private Item at(long utsn) {
        long idx = utsn - (cumAck + 1);
        if (idx < 0 || idx >= count) {
            return null;
        }
        return ring[(int) ((head + idx) % ring.length)];
    }

    /** @return the next TSN to assign (32-bit) */
    public int nextTsn() {
        return (int) nextTsn;
    }

    /** @return the last TSN assigned (32-bit), the "Sender's Last Assigned TSN" of RFC 6525 */
    public int lastAssignedTsn() {
        return (int) (nextTsn - 1);
    }

    /** @return the cumulative TSN acked by the peer (32-bit) */
    public int cumulativeAck() {
        return (int) cumAck;
    }

    /** @return true if any chunk awaits cumulative acknowledgement */
    public boolean hasOutstanding() {
        return count > 0;
    }

    /** @return bytes in flight (sent, not acked, not marked for retransmission, not abandoned) */
    public long bytesInFlight() {
        return bytesInFlight;
    }

    /** @return the congestion window, bytes */
    public long cwnd() {
        return cwnd;
    }

    /** @return the slow start threshold, bytes */
    public long ssthresh() {
        return ssthresh;
    }

    /** @return the peer's receive window as last computed, bytes */
    public long peerRwnd() {
        return peerRwnd;
    }

    /** @return chunks retransmitted so far (statistics) */
    public int retransmitCount() {
        return retransmitCount;
    }

    /** @return chunks marked by fast retransmit so far (statistics) */
    public int fastRetransmitCount() {
        return fastRetransmitCount;
    }

    /** @return T3-rtx expiries handled so far (statistics) */
    public int t3ExpiryCount() {
        return t3ExpiryCount;
    }

    /** @return FORWARD TSN chunks created so far (statistics) */
    public int forwardTsnCount() {
        return forwardTsnCount;
    }

    /** @return true while in Fast Recovery (RFC 9260 §7.2.4) */
    public boolean inFastRecovery() {
        return inFastRecovery;
    }

    /** @return the partial_bytes_acked of congestion avoidance (§7.2.2), bytes */
    public long partialBytesAcked() {
        return partialBytesAcked;
    }

    /**
     * Applies Max.Burst (RFC 9260 §6.1 D: "When the time comes for the sender to transmit new DATA
     * chunks, the protocol parameter Max.Burst SHOULD be used to limit the number of packets sent.
     * The limit MAY be applied by adjusting cwnd temporarily, as follows: if ((flightsize + Max.Burst
     * * PMTU) &lt; cwnd) cwnd = flightsize + Max.Burst * PMTU"). cwnd itself is not changed: until
     * {@link #endBurst()}, {@link #canSendNew} allows at most {@code maxBurst} MTUs of new data
     * beyond the current flight size.
     *
     * @param maxBurst packets, &gt;= 0; 0 means no limit
     */
    public void limitBurst(int maxBurst) {
        burstCap = maxBurst <= 0 ? Long.MAX_VALUE : bytesInFlight + (long) maxBurst * mtu;
    }

    /** Until {@link #endBurst()}, no new DATA is sent (retransmissions are not limited). */
    public void holdNewData() {
        burstCap = bytesInFlight;
    }

    /** Ends the Max.Burst limit set by {@link #limitBurst}. */
    public void endBurst() {
        burstCap = Long.MAX_VALUE;
    }

    /**
     * Reduces cwnd after an idle period, before new data is sent (RFC 9260 §7.2.1: "When the endpoint
     * does not transmit data on a given transport address, the cwnd of the transport address SHOULD
     * be adjusted to max(cwnd/2, 4*MTU) per RTO."). Idle means nothing outstanding and no DATA
     * transmitted for more than one RTO; cwnd halves once per whole RTO elapsed.
     *
     * @param nowMs current time, ms
     */
    public void adjustAfterIdle(long nowMs) {
        if (count > 0 || lastTransmitMs == Long.MIN_VALUE) {
            return;
        }
        long idle = nowMs - lastTransmitMs;
        long r = Math.max(1, rto.rto());
        for (long n = idle / r; n > 0 && cwnd > 4L * mtu; n--) {
            cwnd = Math.max(cwnd / 2, 4L * mtu);
        }
        if (idle >= r) {
            lastTransmitMs = nowMs; // the decay is applied once per idle period
        }
    }

    /**
     * RFC 9260 §6.1 A: "the data sender MUST NOT transmit new data to any destination transport
     * address if its peer's rwnd indicates that the peer has no buffer space (i.e., rwnd is smaller
     * than the size of the next DATA chunk ...). However, regardless of the value of rwnd (including
     * if it is 0), the data sender can always have one DATA chunk in flight to the receiver if
     * allowed by cwnd"; "A zero window probe SHOULD only be sent when all outstanding DATA chunks
     * have been cumulatively acknowledged and no DATA chunks are in flight." B: "At any given time,
     * the sender MUST NOT transmit new data to a given transport address if it has cwnd + (PMTU - 1)
     * or more bytes of data outstanding" (we stop at cwnd). Deviation: the probe goes as soon as
     * nothing is outstanding, not one RTO later; if the peer drops it, T3-rtx repeats it with the
     * exponential backoff the RFC asks for.
     *
     * @param size payload bytes of the chunk to send
     * @return true if a new chunk of that size may be sent now
     */
    public boolean canSendNew(int size) {
        if (count == 0) {
            return true; // nothing outstanding: one chunk (a zero window probe if rwnd is closed)
        }
        return bytesInFlight < cwnd && bytesInFlight + size <= burstCap && size <= peerRwnd;
    }

    /**
     * @return true if the peer's last SACK advertised a window smaller than the MTU given at
     *     construction (BASE_PLPMTU, not a larger PLPMTU set since), i.e. we are zero-window probing
     *     (RFC 9260 §6.1 A)
     */
    public boolean peerWindowClosed() {
        return peerWindowClosed;
    }

    /**
     * Records a newly sent chunk.
     *
     * @param f the fragment
     * @param nowMs send time
     * @param lastForNow true if nothing more will be sent after it for now (queue empty); with a full
     *     congestion window this is detected here too. Such a chunk carries the I bit (RFC 7053 §4.1:
     *     the sender "MAY set the I bit ... when the sender ... will not send more data" soon), so the
     *     peer does not hold its SACK for the delayed-ack time.
     * @return the DATA chunk (I-DATA for an interleaved fragment, RFC 8260 §2.2.2) with its TSN
     */
    public UserDataChunk add(SendQueue.Fragment f, long nowMs, boolean lastForNow) {
        boolean windowFull = bytesInFlight + f.payloadLength() >= cwnd;
        // the chunk shares the fragment's slice of the message array (copied once, when serialized)
        UserDataChunk c = f.interleaved()
                ? new IDataChunk(new Tsn((int) nextTsn), new StreamId(f.streamId()), new Mid(f.mid()), f.fsn(),
                        new Ppid(f.beginning() ? f.ppid() : 0), f.payloadArray(), f.unordered(), f.beginning(), f.end(),
                        lastForNow || windowFull, f.payloadOffset(), f.payloadLength())
                : new DataChunk(new Tsn((int) nextTsn), new StreamId(f.streamId()), new Ssn(f.ssn()),
                        new Ppid(f.ppid()), f.payloadArray(), f.unordered(), f.beginning(), f.end(), lastForNow || windowFull,
                        f.payloadOffset(), f.payloadLength());
        nextTsn++;
        Item item = new Item(c, f.message(), nowMs);
        item.sendSeq = ++sendSeq;
        append(item);
        lastTransmitMs = nowMs;
        bytesInFlight += c.payloadLength();
        // §6.2.1 B: "Any time a DATA chunk is transmitted ..., the data sender MUST subtract the data
        // size of the chunk from the rwnd of that peer."
        peerRwnd = Math.max(0, peerRwnd - c.payloadLength());
        return c;
    }

    private void append(Item it) {
        it.utsn = cumAck + 1 + count;
        if (count == ring.length) {
            Item[] n = new Item[ring.length * 2];
            for (int i = 0; i < count; i++) {
                n[i] = ring[(head + i) % ring.length];
            }
            ring = n;
            head = 0;
        }
        ring[(head + count) % ring.length] = it;
        count++;
    }

    /**
     * Called when an Outgoing SSN Reset Request for these streams is sent: every chunk of theirs
     * sent so far has a TSN at or below the request's Sender's Last Assigned TSN. A FORWARD TSN that
     * moves the peer beyond that TSN also triggers the peer's reset, after which an SSN of the old
     * sequence would wrongly skip messages of the new one; such entries are left out (see
     * {@link #createForwardTsn}).
     */
    public void streamsReset(int[] streamIds) {
        long last = nextTsn - 1;
        for (int i = 0; i < count; i++) {
            Item it = ring[(head + i) % ring.length];
            for (int id : streamIds) {
                if (it.chunk.streamId().value() == id) {
                    it.resetAt = Math.min(it.resetAt, last);
                }
            }
        }
    }

    /**
     * Undoes {@link #streamsReset} for a request the peer refused (RFC 6525 §5.2.1 Denied or an
     * error): the chunks of these streams that request marked lose the mark, so FORWARD TSN and
     * I-FORWARD-TSN name their SSNs / MIDs again. Marks of earlier requests (a smaller Sender's Last
     * Assigned TSN) stay.
     *
     * @param streamIds the request's streams
     * @param sendersLastAssignedTsn the request's Sender's Last Assigned TSN (32-bit wire value)
     */
    public void streamsResetFailed(int[] streamIds, int sendersLastAssignedTsn) {
        for (int i = 0; i < count; i++) {
            Item it = ring[(head + i) % ring.length];
            if (it.resetAt == Long.MAX_VALUE || (int) it.resetAt != sendersLastAssignedTsn) {
                continue;
            }
            for (int id : streamIds) {
                if (it.chunk.streamId().value() == id) {
                    it.resetAt = Long.MAX_VALUE;
                    break;
                }
            }
        }
    }

    /**
     * Processes a SACK (RFC 9260 §6.2.1 D): cumulative and gap acknowledgements, RTT measurement,
     * miss indications and fast retransmit (§7.2.4), and the congestion window (§7.2.1, §7.2.2).
     *
     * @param sack the SACK
     * @param nowMs current time, ms
     * @return the result, or null if the SACK was ignored (older than the cumulative ack point, or
     *     acknowledging TSNs never sent)
     */
    public SackResult handleSack(SackChunk sack, long nowMs) {
        long cum = unwrapper.peek(sack.cumulativeTsnAck().value());
        // §6.2.1 D i): "If Cumulative TSN Ack is less than the Cumulative TSN Ack Point, drop the SACK
        // chunk." A SACK acknowledging TSNs never sent is bogus and dropped too.
        if (cum < cumAck || cum >= nextTsn) {
            return null;
        }
        unwrapper.unwrap(sack.cumulativeTsnAck().value());
        long flightBefore = bytesInFlight;
        boolean cumAdvanced = cum > cumAck;
        long acked = 0;
        Item rttSample = null;
        long rttSampleTsn = -1;
        long highestNewlyAcked = -1;
        long newestAckedSend = -1; // highest sendSeq among newly acknowledged chunks
        while (cumAck < cum) {
            Item it = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            count--;
            cumAck++;
            if (!it.acked && !it.abandoned) {
                acked += it.size;
                highestNewlyAcked = cumAck;
                newestAckedSend = Math.max(newestAckedSend, it.sendSeq);
                // §6.3.1 C5 (Karn): only chunks transmitted once give an RTT sample
                if (it.transmissions == 1) {
                    rttSample = it;
                    rttSampleTsn = cumAck;
                }
            }
            if (it.inFlight) {
                bytesInFlight -= it.size;
            }
            clearRetransmit(it);
        }
        long highestReported = cum;
        for (SackChunk.GapAckBlock g : sack.gapAckBlocks()) {
            if (g.start() < 1 || g.end() < g.start()) {
                continue;
            }
            for (long t = cum + g.start(); t <= cum + g.end() && t < nextTsn; t++) {
                highestReported = Math.max(highestReported, t);
                Item it = at(t);
                if (it == null || it.acked) {
                    continue;
                }
                it.acked = true;
                clearRetransmit(it);
                if (it.inFlight) {
                    it.inFlight = false;
                    bytesInFlight -= it.size;
                }
                if (!it.abandoned) {
                    acked += it.size;
                    highestNewlyAcked = Math.max(highestNewlyAcked, t);
                    newestAckedSend = Math.max(newestAckedSend, it.sendSeq);
                    if (it.transmissions == 1 && t > rttSampleTsn) {
                        rttSample = it;
                        rttSampleTsn = t;
                    }
                }
            }
        }
        if (inFastRecovery && cumAck >= fastRecoveryExit) {
            // §7.2.4 6): "When a SACK chunk acknowledges all TSNs up to and including this exit point,
            // Fast Recovery is exited."
            inFastRecovery = false;
        }
        boolean fastRetransmit = countMissIndications(cum, sack.gapAckBlocks(), cumAdvanced, highestNewlyAcked,
                highestReported, newestAckedSend);
        if (fastRetransmit && !inFastRecovery) {
            // §7.2.4 2): "If not in Fast Recovery, adjust the ssthresh and cwnd of the destination
            // address(es) to which the missing DATA chunks were last sent, according to the formula
            // described in Section 7.2.3." §7.2.3: "ssthresh = max(cwnd/2, 4*MTU), cwnd = ssthresh,
            // partial_bytes_acked = 0"
            ssthresh = Math.max(cwnd / 2, 4L * mtu);
            cwnd = ssthresh;
            partialBytesAcked = 0;
            // §7.2.4 6): "If not in Fast Recovery, enter Fast Recovery and mark the highest outstanding
            // TSN as the Fast Recovery exit point."
            inFastRecovery = true;
            fastRecoveryExit = nextTsn - 1;
            // §7.2.4 3): "If not in Fast Recovery, determine how many of the earliest (i.e., lowest
            // TSN) DATA chunks marked for retransmission will fit into a single packet ... Retransmit
            // those K DATA chunks in a single packet. When a Fast Retransmit is being performed, the
            // sender SHOULD ignore the value of cwnd and SHOULD NOT delay retransmission for this
            // packet."
            oneRetransmitPacketFree = true;
        } else if (acked > 0) {
            growCwnd(cumAdvanced, acked, flightBefore);
        }
        if (bytesInFlight == 0 && pendingRetransmits == 0) {
            // §7.2.2: "When all of the data transmitted by the sender has been acknowledged by the
            // receiver, partial_bytes_acked is initialized to 0."
            partialBytesAcked = 0;
        }
        if (rttSample != null && rttSampleTsn >= rttSampleFrom) {
            // §6.3.1 C4: "new RTT measurements SHOULD be made no more than once per round trip"; the
            // next sample comes from a chunk sent after this acknowledgement.
            rto.observe(nowMs - rttSample.sentAtMs);
            rttSampleFrom = nextTsn;
        }
        // §6.2.1 D ii): "Set rwnd equal to the newly received a_rwnd minus the number of bytes still
        // outstanding after processing the Cumulative TSN Ack and the Gap Ack Blocks."
        peerRwnd = Math.max(0, Integer.toUnsignedLong(sack.aRwnd()) - bytesInFlight);
        // Against BASE_PLPMTU, not the PLPMTU: after PLPMTUD raised the MTU to, say, 16000 bytes, an
        // a_rwnd of 8000 is an open window, not zero window probing (whose T3-rtx leaves cwnd alone and
        // whose SACKs clear the error counter, §6.1 A).
        peerWindowClosed = Integer.toUnsignedLong(sack.aRwnd()) < baseMtu;
        return new SackResult(cumAdvanced, acked);
    }

    /**
     * §7.2.4 miss indications. "Miss indications SHOULD follow the HTNA (Highest TSN Newly
     * Acknowledged) algorithm. For each incoming SACK chunk, miss indications are incremented only
     * for missing TSNs prior to the HTNA TSN." and "If an endpoint is in Fast Recovery and a SACK
     * chunk arrives that advances the Cumulative TSN Ack Point, the miss indications are incremented
     * for all TSNs reported missing in the SACK chunk." On the third: "Mark the DATA chunk(s) with
     * three miss indications for retransmission."
     *
     * <p>Deviation (as dcSCTP, which clears a chunk's miss count when it is retransmitted): §7.2.4 5)
     * makes a fast-retransmitted chunk "ineligible for a subsequent Fast Retransmit", so a lost
     * retransmission is only repaired by T3-rtx (RTO.Min 400 ms, cwnd back to 1 MTU). Here a
     * retransmitted chunk starts counting again from zero, and a SACK counts a miss for it only if it
     * newly acknowledges a chunk transmitted after that retransmission (so acknowledgements of data
     * sent earlier, still in flight when it was resent, never count). Three such SACKs show that the
     * retransmission was lost; it is retransmitted again, within Fast Recovery without a further cwnd
     * reduction. On a link with 5 % loss this removes most T3-rtx expiries.
     *
     * @param newestAckedSend the highest transmission order among newly acknowledged chunks
     * @return true if a chunk was marked for fast retransmission
     */
    private boolean countMissIndications(long cum, List<SackChunk.GapAckBlock> gaps, boolean cumAdvanced,
            long highestNewlyAcked, long highestReported, long newestAckedSend) {
        if (gaps.isEmpty()) {
            return false; // no TSN is reported missing
        }
        long limit = inFastRecovery && cumAdvanced ? highestReported : highestNewlyAcked;
        boolean marked = false;
        // only the TSNs reported missing (between the cumulative ack and the blocks, and between
        // blocks) are visited, not the whole window; blocks out of order or overlapping (a broken
        // peer) are visited at most once per TSN
        long next = cum + 1;
        for (SackChunk.GapAckBlock g : gaps) {
            long blockStart = cum + g.start();
            for (long t = next; t < blockStart && t < limit; t++) {
                Item it = at(t);
                if (it == null || it.acked || it.abandoned || it.retransmit
                        || (it.transmissions > 1 && it.sendSeq > newestAckedSend)) {
                    continue;
                }
                if (++it.misses >= 3) {
                    markForRetransmit(it);
                    fastRetransmitCount++;
                    marked = true;
                }
            }
            next = Math.max(next, cum + g.end() + 1);
            if (next >= limit) {
                break;
            }
        }
        return marked;
    }

    /** Slow start (§7.2.1) and congestion avoidance (§7.2.2) for {@code acked} newly acknowledged bytes. */
    private void growCwnd(boolean cumAdvanced, long acked, long flightBefore) {
        if (cwnd <= ssthresh) {
            // §7.2.1: "When cwnd is less than or equal to ssthresh, an SCTP endpoint MUST use the
            // slow-start algorithm to increase cwnd only if the current congestion window is being
            // fully utilized, an incoming SACK chunk advances the Cumulative TSN Ack Point, and the
            // data sender is not in Fast Recovery. ... cwnd MUST be increased by, at most, the lesser
            // of 1) the total size of the previously outstanding DATA chunk(s) acknowledged, and 2)
            // the destination's path MTU." Fully utilized: a sender may exceed cwnd by up to one MTU
            // (§6.1 B), so a flight within one MTU of cwnd counts as full.
            if (cumAdvanced && !inFastRecovery && flightBefore + mtu > cwnd) {
                cwnd += Math.min(acked, mtu);
            }
            return;
        }
        // §7.2.2: "increase partial_bytes_acked by the total number of bytes of all new chunks
        // acknowledged in that SACK chunk, including chunks acknowledged by the new Cumulative TSN
        // Ack, by Gap Ack Blocks ..."
        partialBytesAcked += acked;
        if (partialBytesAcked >= cwnd) {
            if (flightBefore < cwnd) {
                // "When partial_bytes_acked is greater than cwnd and before the arrival of the SACK
                // chunk the sender had less than cwnd bytes of data outstanding ..., reset
                // partial_bytes_acked to cwnd."
                partialBytesAcked = cwnd;
            } else {
                // "When partial_bytes_acked is equal to or greater than cwnd and before the arrival of
                // the SACK chunk the sender had cwnd or more bytes of data outstanding ...,
                // partial_bytes_acked is reset to (partial_bytes_acked - cwnd). Next, cwnd is
                // increased by MTU if the sender is not in Fast Recovery."
                partialBytesAcked -= cwnd;
                if (!inFastRecovery) {
                    cwnd += mtu;
                }
            }
        }
    }

    private void clearRetransmit(Item it) {
        if (it.retransmit) {
            it.retransmit = false;
            pendingRetransmits--;
            marked.remove(it.utsn);
        }
    }

    /** @return true if chunks are marked for retransmission */
    public boolean hasPendingRetransmits() {
        return pendingRetransmits > 0;
    }

    private void markForRetransmit(Item it) {
        if (!it.retransmit) {
            it.retransmit = true;
            pendingRetransmits++;
            marked.add(it.utsn);
            if (it.inFlight) {
                it.inFlight = false;
                bytesInFlight -= it.size;
            }
        }
    }

    /**
     * T3-rtx expiry (RFC 9260 §6.3.3). E1: "For the destination address for which the timer expires,
     * adjust its ssthresh with rules defined in Section 7.2.3 and set the cwnd &lt;- MTU." (§7.2.3:
     * "ssthresh = max(cwnd/2, 4*MTU), cwnd = 1*MTU, partial_bytes_acked = 0"). E2: back off the RTO.
     * E3: "Determine how many of the earliest (i.e., lowest TSN) outstanding DATA chunks for the
     * address for which the T3-rtx has expired will fit into a single packet ... retransmit those";
     * "Any DATA chunks that were sent to the address for which the T3-rtx timer expired but did not
     * fit in one MTU (rule E3 above) should be marked for retransmission and sent as soon as cwnd
     * allows". Fast Recovery ends (the window it protected is gone). A FORWARD TSN is due again
     * (RFC 3758 §3.5 C5: the timer guards it too).
     */
    public void handleT3Expiry() {
        t3ExpiryCount++;
        if (!peerWindowClosed) {
            ssthresh = Math.max(cwnd / 2, 4L * mtu);
            cwnd = mtu;
            partialBytesAcked = 0;
        } // §6.1 A: "Zero window probing does not affect the calculation of cwnd."
        inFastRecovery = false;
        rto.backOff();
        for (int i = 0; i < count; i++) {
            Item it = ring[(head + i) % ring.length];
            if (!it.acked && !it.abandoned) {
                markForRetransmit(it);
            }
        }
        if (count > 0 && ring[head].acked && !ring[head].abandoned) {
            // Renege (or a lying SACK): the first chunk after the cumulative ack point was reported
            // by a Gap Ack Block, yet a whole RTO later the cumulative ack still stops short of it,
            // which a receiver holding it could not do (§3.3.4: the Cumulative TSN Ack is "the last
            // TSN received in sequence before a break in the sequence of received TSNs"). §6.2.1 D iv
            // (paraphrased): data previously acknowledged only by a Gap Ack Block that a SACK no
            // longer reports may be missing; count it towards retransmission and keep T3-rtx
            // running. Without this, a T3 expiry with only gap-acked chunks left marked nothing,
            // sent nothing and so never restarted the timer: the association stalled for good.
            Item it = ring[head];
            it.acked = false;
            markForRetransmit(it);
        }
        oneRetransmitPacketFree = pendingRetransmits > 0;
        lastForwardTsnAtMs = Long.MIN_VALUE;
        lastForwardTsnPoint = -1;
    }

    /**
     * Takes the right to send one packet of retransmissions regardless of cwnd, granted by a fast
     * retransmit outside Fast Recovery (§7.2.4 3) or a T3-rtx expiry (§6.3.3 E3).
     *
     * @return true once per such event
     */
    public boolean takeFreeRetransmitPacket() {
        boolean r = oneRetransmitPacketFree;
        oneRetransmitPacketFree = false;
        return r;
    }

    /**
     * @return true if {@code it} is the earliest chunk not yet acknowledged (§7.2.4 4: T3-rtx is
     *     restarted when "the endpoint is retransmitting the first outstanding DATA chunk")
     */
    public boolean isFirstOutstanding(Item it) {
        for (int i = 0; i < count; i++) {
            Item x = ring[(head + i) % ring.length];
            if (!x.acked && !x.abandoned) {
                return x == it;
            }
        }
        return false;
    }

    /**
     * Chunks marked for retransmission, in TSN order. The caller checks partial reliability with
     * {@link #shouldAbandon}, then sends and reports with {@link #retransmitted}.
     */
    public List<Item> retransmitCandidates() {
        if (pendingRetransmits == 0) {
            return List.of();
        }
        // the marked TSNs are kept sorted, so this costs the number of marked chunks, not the window
        List<Item> out = new ArrayList<>(marked.size());
        for (long t : marked) {
            Item it = at(t);
            if (it != null && !it.acked && !it.abandoned) {
                out.add(it);
            }
        }
        return out;
    }

    /**
     * §6.3.3 E3 / §7.2.4: after the first retransmitted packet, further retransmissions must fit the
     * congestion window.
     *
     * @param size payload bytes of the chunk to retransmit
     * @return true if it fits in the congestion window now
     */
    public boolean canRetransmit(int size) {
        return bytesInFlight + size <= cwnd;
    }

    /** Records that a marked chunk was sent again. */
    public void retransmitted(Item it, long nowMs) {
        clearRetransmit(it);
        it.transmissions++;
        it.sentAtMs = nowMs;
        it.inFlight = true;
        it.misses = 0; // indications reported before this copy arrived say nothing about it
        it.sendSeq = ++sendSeq;
        bytesInFlight += it.size;
        lastTransmitMs = nowMs;
        retransmitCount++;
    }

    /**
     * RFC 3758 §3.5 A1/A3: a message is abandoned when a chunk of it was transmitted more than its
     * retransmission limit allows or its lifetime expired.
     *
     * @param forwardTsnSupported whether the peer supports FORWARD TSN (else nothing is abandoned)
     */
    public static boolean shouldAbandon(Item it, long nowMs, boolean forwardTsnSupported) {
        if (!forwardTsnSupported) {
            return false;
        }
        SendQueue.Message m = it.message;
        return m.abandoned() || (m.maxRetransmits() >= 0 && it.transmissions > m.maxRetransmits())
                || m.expiresAtMs() <= nowMs;
    }

    /**
     * Marks every outstanding chunk of {@code m} abandoned (RFC 3758 §3.5 A). If the message was not
     * fully fragmented yet, its unsent rest will never be sent (the caller drops it from the send
     * queue); a placeholder end fragment is then given the next TSN and marked abandoned, never sent,
     * so that the FORWARD TSN moves the peer's cumulative TSN beyond every fragment it may hold and the
     * peer drops the partial message and skips its SSN (dcSCTP does the same). Without it, a peer that
     * received every sent fragment would already be at the new cumulative TSN and ignore the FORWARD
     * TSN, leaving the stream blocked.
     */
    public void abandon(SendQueue.Message m) {
        if (!m.abandoned() && !m.fullyFragmented() && m.offset > 0) {
            DataChunk end = new DataChunk((int) nextTsn, m.streamId, m.ssn, m.ppid, new byte[0], m.unordered, false, true);
            nextTsn++;
            Item placeholder = new Item(end, m, 0);
            placeholder.inFlight = false;
            placeholder.abandoned = true;
            append(placeholder);
        }
        m.abandon();
        for (int i = 0; i < count; i++) {
            Item it = ring[(head + i) % ring.length];
            if (it.message == m && !it.abandoned) {
                it.abandoned = true;
                clearRetransmit(it);
                if (it.inFlight) {
                    it.inFlight = false;
                    bytesInFlight -= it.size;
                }
            }
        }
    }

    /**
     * RFC 3758 §3.5 C2: moves the Advanced.Peer.Ack.Point over abandoned chunks following the
     * cumulative ack point and builds the FORWARD TSN announcing it, with the largest skipped SSN of
     * each ordered stream. Does not record it as sent (see {@link #createForwardTsn(long)}).
     *
     * @return the chunk, or null if no abandoned chunk follows the cumulative ack point
     */
    public ForwardTsnChunk createForwardTsn() {
        int n = 0;
        // §3.5 C4: "If the total size of the FORWARD TSN does NOT fit in a single MTU then the sender
        // of the FORWARD TSN SHOULD lower the Advanced.Peer.Ack.Point to the last TSN that will fit in
        // a single MTU." Each ordered stream takes 4 bytes after the 8-byte chunk header.
        int maxStreams = Math.max(1, (mtu - 12 - 8) / 4);
        java.util.Set<Integer> streams = new java.util.HashSet<>();
        while (n < count) {
            Item it = ring[(head + n) % ring.length];
            if (!it.abandoned) {
                break; // §3.5 C2: the point moves only over abandoned chunks
            }
            if (!it.chunk.unordered() && streams.add(it.chunk.streamId().value()) && streams.size() > maxStreams) {
                break;
            }
            n++;
        }
        if (n == 0) {
            return null;
        }
        long adv = cumAck + n;
        Map<Integer, Integer> ssns = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Item it = ring[(head + i) % ring.length];
            if (!it.chunk.unordered() && adv <= it.resetAt) {
                ssns.put(it.chunk.streamId().value(), it.message.ssn());
            }
        }
        List<ForwardTsnChunk.SkippedStream> list = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : ssns.entrySet()) {
            list.add(new ForwardTsnChunk.SkippedStream(e.getKey(), e.getValue()));
        }
        return new ForwardTsnChunk((int) adv, list);
    }

    /**
     * RFC 8260 §2.3.1: the I-FORWARD-TSN form of {@link #createForwardTsn} for associations using
     * I-DATA: per stream and U bit "the largest Message Identifier ... that was skipped". Entries of
     * streams reset before the new cumulative TSN are left out, as for FORWARD TSN (their MIDs
     * restarted at 0, RFC 8260 §2.3.2).
     *
     * @return the chunk, or null if no abandoned chunk follows the cumulative ack point
     */
    public IForwardTsnChunk createIForwardTsn() {
        int n = 0;
        // RFC 3758 §3.5 C4 MTU bound as for FORWARD TSN; I-FORWARD-TSN entries take 8 bytes
        int maxEntries = Math.max(1, (mtu - 12 - 8) / 8);
        java.util.Set<Integer> keys = new java.util.HashSet<>();
        while (n < count) {
            Item it = ring[(head + n) % ring.length];
            if (!it.abandoned) {
                break; // RFC 3758 §3.5 C2: the point moves only over abandoned chunks
            }
            if (keys.add(it.chunk.streamId().value() * 2 + (it.chunk.unordered() ? 1 : 0)) && keys.size() > maxEntries) {
                break;
            }
            n++;
        }
        if (n == 0) {
            return null;
        }
        long adv = cumAck + n;
        // key: stream id * 2 + U bit; later TSNs of one stream carry later MIDs (one message at a time)
        Map<Integer, Integer> mids = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Item it = ring[(head + i) % ring.length];
            if (adv <= it.resetAt) {
                mids.put(it.chunk.streamId().value() * 2 + (it.chunk.unordered() ? 1 : 0), it.message.mid());
            }
        }
        List<IForwardTsnChunk.SkippedMessage> list = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : mids.entrySet()) {
            list.add(new IForwardTsnChunk.SkippedMessage(e.getKey() >> 1, (e.getKey() & 1) != 0, e.getValue()));
        }
        return new IForwardTsnChunk((int) adv, list);
    }

    /**
     * Like {@link #createForwardTsn()} or {@link #createIForwardTsn()}, and records the chunk as sent
     * at {@code nowMs} for {@link #forwardTsnDue}.
     *
     * @param nowMs current time, ms
     * @param iForward true for I-FORWARD-TSN (RFC 8260, when I-DATA is used)
     * @return the chunk, or null if no abandoned chunk follows the cumulative ack point
     */
    public Chunk createForwardTsn(long nowMs, boolean iForward) {
        Chunk f;
        int newCum;
        if (iForward) {
            IForwardTsnChunk i = createIForwardTsn();
            f = i;
            newCum = i == null ? 0 : i.newCumulativeTsn().value();
        } else {
            ForwardTsnChunk c = createForwardTsn();
            f = c;
            newCum = c == null ? 0 : c.newCumulativeTsn().value();
        }
        if (f != null) {
            lastForwardTsnPoint = cumAck + (newCum - (int) cumAck);
            lastForwardTsnAtMs = nowMs;
            forwardTsnCount++;
        }
        return f;
    }

    /** @return true if abandoned chunks follow the cumulative ack point */
    public boolean hasAbandonedAtHead() {
        return count > 0 && ring[head].abandoned;
    }

    /**
     * Whether a FORWARD TSN should go out now (RFC 3758 §3.5 C3: "If, after step C1 and C2, the
     * 'Advanced.Peer.Ack.Point' is greater than the Cumulative TSN ACK carried in the received SACK,
     * the data sender MUST send the data receiver a FORWARD TSN chunk containing the latest value of
     * the 'Advanced.Peer.Ack.Point'"). Policy, to avoid one FORWARD TSN per SACK: it is due when the
     * point moved beyond the last one announced, or when the last one was sent more than 1.25 SRTT
     * (the RTO while no RTT was measured) ago and is still not acknowledged (presumed lost; SACKs arriving earlier were sent before the
     * peer could have seen it), or after a T3-rtx expiry (§3.5 C5 keeps T3-rtx running for it). The
     * caller bundles it with the DATA of the same packet.
     *
     * @param nowMs current time, ms
     * @return true if {@link #createForwardTsn(long)} should be sent now
     */
    public boolean forwardTsnDue(long nowMs) {
        if (!hasAbandonedAtHead()) {
            return false;
        }
        int n = 0;
        while (n < count && ring[(head + n) % ring.length].abandoned) {
            n++;
        }
        if (cumAck + n > lastForwardTsnPoint || lastForwardTsnAtMs == Long.MIN_VALUE) {
            return true;
        }
        // 1.25 SRTT; before the first RTT measurement (SRTT 0) the RTO stands in, or every flush
        // would repeat the chunk
        long srtt = rto.srtt();
        long wait = rto.hasMeasurement() ? srtt + srtt / 4 : rto.rto();
        return nowMs - lastForwardTsnAtMs > wait;
    }

    /** Applies a cumulative ack from a SHUTDOWN chunk (RFC 9260 §9.2), as a SACK without gaps. */
    public SackResult handleCumulativeAck(int cumTsn, long nowMs) {
        return handleSack(new SackChunk(cumTsn, (int) Math.min(0xffffffffL, peerRwnd + bytesInFlight),
                List.of(), new int[0]), nowMs);
    }
}
