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

        Item(UserDataChunk chunk, SendQueue.Message message, long now) {
            this.chunk = chunk;
            this.message = message;
            this.size = chunk.payload().length;
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

    private final int mtu;
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
    private int pendingRetransmits;

    /**
     * @param initialTsn our Initial TSN
     * @param peerRwnd the peer's a_rwnd from INIT / INIT ACK
     * @param mtu max SCTP packet size
     * @param rto the RTO estimator (shared with the association's other timers)
     */
    public OutstandingData(int initialTsn, long peerRwnd, int mtu, RetransmissionTimeout rto) {
        this.mtu = mtu;
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

    /**
     * RFC 9260 §6.1 A: "At any given time, the data sender MUST NOT transmit new data to any
     * destination transport address if its peer's rwnd indicates that the peer has no buffer space
     * ... except ... one DATA chunk ... if no data is in flight (zero window probe)"; B: "the
     * sender MUST NOT transmit new data ... if it has cwnd or more bytes of data outstanding".
     *
     * @param size payload bytes of the chunk to send
     * @return true if a new chunk of that size may be sent now
     */
    public boolean canSendNew(int size) {
        if (bytesInFlight == 0) {
            return true;
        }
        return bytesInFlight < cwnd && size <= peerRwnd;
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
        boolean windowFull = bytesInFlight + f.payload().length >= cwnd;
        UserDataChunk c = f.interleaved()
                ? new IDataChunk(new Tsn((int) nextTsn), new StreamId(f.streamId()), new Mid(f.mid()), f.fsn(),
                        new Ppid(f.ppid()), f.payload(), f.unordered(), f.beginning(), f.end(), lastForNow || windowFull)
                : new DataChunk(new Tsn((int) nextTsn), new StreamId(f.streamId()), new Ssn(f.ssn()),
                        new Ppid(f.ppid()), f.payload(), f.unordered(), f.beginning(), f.end(), lastForNow || windowFull);
        nextTsn++;
        append(new Item(c, f.message(), nowMs));
        bytesInFlight += c.payload().length;
        // §6.2.1 B: "Any time a DATA chunk is transmitted ..., the data sender MUST subtract the data
        // size of the chunk from the rwnd of that peer."
        peerRwnd = Math.max(0, peerRwnd - c.payload().length);
        return c;
    }

    private void append(Item it) {
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
     * Processes a SACK (RFC 9260 §6.2.1 D).
     *
     * @return the result, or null if the SACK was ignored (older than the cumulative ack point, or
     *     acknowledging TSNs never sent)
     */
    public SackResult handleSack(SackChunk sack, long nowMs) {
        long cum = unwrapper.peek(sack.cumulativeTsnAck().value());
        // D i): "If Cumulative TSN Ack is less than the Cumulative TSN Ack Point, drop the SACK chunk."
        if (cum < cumAck || cum >= nextTsn) {
            return null;
        }
        unwrapper.unwrap(sack.cumulativeTsnAck().value());
        long flightBefore = bytesInFlight;
        boolean cumAdvanced = cum > cumAck;
        long acked = 0;
        Item rttSample = null;
        long highestNewlyAcked = -1;
        while (cumAck < cum) {
            Item it = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            count--;
            cumAck++;
            if (!it.acked && !it.abandoned) {
                acked += it.size;
                highestNewlyAcked = cumAck;
                // §6.3.1 C5 (Karn): only chunks transmitted once give an RTT sample
                if (it.transmissions == 1) {
                    rttSample = it;
                }
            }
            if (it.inFlight) {
                bytesInFlight -= it.size;
            }
            clearRetransmit(it);
        }
        for (SackChunk.GapAckBlock g : sack.gapAckBlocks()) {
            if (g.start() < 1 || g.end() < g.start()) {
                continue;
            }
            for (long t = cum + g.start(); t <= cum + g.end() && t < nextTsn; t++) {
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
                }
            }
        }
        // §7.2.4 (with the HTNA rule): "... increment the miss indications ... for each TSN reported
        // missing ... below the highest newly acknowledged TSN"; on the third, fast retransmit.
        boolean fastRetransmit = false;
        if (highestNewlyAcked > cumAck && !sack.gapAckBlocks().isEmpty()) {
            for (long t = cumAck + 1; t < highestNewlyAcked; t++) {
                Item it = at(t);
                if (it == null || it.acked || it.abandoned || it.retransmit) {
                    continue;
                }
                if (++it.misses >= 3) {
                    it.misses = 0;
                    markForRetransmit(it);
                    fastRetransmit = true;
                }
            }
        }
        if (inFastRecovery && cumAck >= fastRecoveryExit) {
            inFastRecovery = false;
        }
        if (fastRetransmit && !inFastRecovery) {
            // §7.2.4 2): "ssthresh = max(cwnd/2, 4*MTU), cwnd = ssthresh, partial_bytes_acked = 0"
            ssthresh = Math.max(cwnd / 2, 4L * mtu);
            cwnd = ssthresh;
            partialBytesAcked = 0;
            inFastRecovery = true;
            fastRecoveryExit = nextTsn - 1;
        }
        if (cumAdvanced && !inFastRecovery && acked > 0) {
            if (cwnd <= ssthresh) {
                // §7.2.1: slow start, only when the window was fully used: "cwnd MUST be increased by,
                // at most, the lesser of 1) the total size of the previously outstanding DATA chunk(s)
                // acknowledged, and 2) the destination's path MTU"
                if (flightBefore + mtu >= cwnd) {
                    cwnd += Math.min(acked, mtu);
                }
            } else {
                // §7.2.2: congestion avoidance, one MTU per cwnd of acknowledged bytes
                partialBytesAcked += acked;
                if (partialBytesAcked >= cwnd && flightBefore + mtu >= cwnd) {
                    partialBytesAcked -= cwnd;
                    cwnd += mtu;
                }
            }
        }
        if (bytesInFlight == 0) {
            partialBytesAcked = 0;
        }
        if (rttSample != null) {
            rto.observe(nowMs - rttSample.sentAtMs);
        }
        // §6.2.1 D ii): "Set rwnd equal to the newly received a_rwnd minus the number of bytes still
        // outstanding after processing the Cumulative TSN Ack and the Gap Ack Blocks."
        peerRwnd = Math.max(0, Integer.toUnsignedLong(sack.aRwnd()) - bytesInFlight);
        return new SackResult(cumAdvanced, acked);
    }

    private void clearRetransmit(Item it) {
        if (it.retransmit) {
            it.retransmit = false;
            pendingRetransmits--;
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
            if (it.inFlight) {
                it.inFlight = false;
                bytesInFlight -= it.size;
            }
        }
    }

    /**
     * T3-rtx expiry (RFC 9260 §6.3.3): E1 "ssthresh = max(cwnd/2, 4*MTU), cwnd = 1*MTU"; E2 back off
     * the RTO; E3 every outstanding chunk not acknowledged is marked for retransmission.
     */
    public void handleT3Expiry() {
        ssthresh = Math.max(cwnd / 2, 4L * mtu);
        cwnd = mtu;
        partialBytesAcked = 0;
        inFastRecovery = false;
        rto.backOff();
        for (int i = 0; i < count; i++) {
            Item it = ring[(head + i) % ring.length];
            if (!it.acked && !it.abandoned) {
                markForRetransmit(it);
            }
        }
    }

    /**
     * Chunks marked for retransmission, in TSN order. The caller checks partial reliability with
     * {@link #shouldAbandon}, then sends and reports with {@link #retransmitted}.
     */
    public List<Item> retransmitCandidates() {
        if (pendingRetransmits == 0) {
            return List.of();
        }
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Item it = ring[(head + i) % ring.length];
            if (it.retransmit && !it.acked && !it.abandoned) {
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
        bytesInFlight += it.size;
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
     * each ordered stream.
     *
     * @return the chunk, or null if no abandoned chunk follows the cumulative ack point
     */
    public ForwardTsnChunk createForwardTsn() {
        int n = 0;
        while (n < count && ring[(head + n) % ring.length].abandoned) {
            n++; // §3.5 C2: the point moves only over abandoned chunks
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
        while (n < count && ring[(head + n) % ring.length].abandoned) {
            n++; // RFC 3758 §3.5 C2: the point moves only over abandoned chunks
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

    /** @return true if abandoned chunks follow the cumulative ack point (a FORWARD TSN is due) */
    public boolean hasAbandonedAtHead() {
        return count > 0 && ring[head].abandoned;
    }

    /** Applies a cumulative ack from a SHUTDOWN chunk (RFC 9260 §9.2), as a SACK without gaps. */
    public SackResult handleCumulativeAck(int cumTsn, long nowMs) {
        return handleSack(new SackChunk(cumTsn, (int) Math.min(0xffffffffL, peerRwnd + bytesInFlight),
                List.of(), new int[0]), nowMs);
    }
}
