package org.jdatachannel.sctp.rx;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.jdatachannel.sctp.packet.Unwrapper;
import org.jdatachannel.sctp.packet.chunk.SackChunk;

/**
 * Tracks received TSNs on the receive side: the cumulative TSN, TSNs received above it (gaps),
 * duplicates, and when a SACK is due (RFC 9260 §6.2 and §6.7). TSNs are unwrapped to 64 bits.
 *
 * <p>Bounds: at most {@link #MAX_TSNS_ABOVE_CUM} TSNs are remembered above the cumulative TSN (the
 * receive window bounds this much earlier), at most {@link #MAX_DUPLICATES} duplicates and
 * {@link #MAX_GAP_BLOCKS} gap blocks are reported per SACK. Not thread-safe.
 */
public final class DataTracker {
    /** Largest distance above the cumulative TSN accepted (Gap Ack Block offsets are 16-bit). */
    public static final int MAX_TSN_DISTANCE = 65535;
    /** Bound on remembered out-of-order TSNs. */
    public static final int MAX_TSNS_ABOVE_CUM = 65535;
    /** Bound on duplicate TSNs reported in one SACK. */
    public static final int MAX_DUPLICATES = 32;
    /** Bound on gap ack blocks reported in one SACK (keeps the SACK well below the MTU). */
    public static final int MAX_GAP_BLOCKS = 64;

    private static final int[] NO_DUPLICATES = new int[0];

    private final Unwrapper unwrapper;
    private long cumTsn;
    private final TreeSet<Long> above = new TreeSet<>();
    private final List<Integer> duplicates = new ArrayList<>();
    private boolean ackNow;
    private int packetsWithoutAck;
    /** Packets after which a SACK is due: 2 (§6.2), or the batch limit while a batch is open. */
    private int ackEvery = 2;
    private boolean inBatch;
    /** An I bit arrived inside the open batch: a SACK is due at its end. */
    private boolean ackAtBatchEnd;

    /** @param peerInitialTsn the Initial TSN from the peer's INIT or INIT ACK */
    public DataTracker(int peerInitialTsn) {
        this.unwrapper = new Unwrapper(peerInitialTsn - 1);
        this.cumTsn = unwrapper.unwrap(peerInitialTsn - 1);
    }

    /** @return the unwrapped 64-bit form of a received TSN */
    public long unwrap(int tsn) {
        return unwrapper.peek(tsn);
    }

    /** @return the cumulative TSN (unwrapped) */
    public long cumulativeTsn() {
        return cumTsn;
    }

    /** @return true if {@code utsn} (unwrapped) was already received */
    public boolean isDuplicate(long utsn) {
        return utsn <= cumTsn || (!above.isEmpty() && above.contains(utsn)); // no boxing without gaps
    }

    /** @return true if {@code utsn} is too far above the cumulative TSN to be tracked */
    public boolean isTooFarAhead(long utsn) {
        return utsn - cumTsn > MAX_TSN_DISTANCE
                || (utsn != cumTsn + 1 && above.size() >= MAX_TSNS_ABOVE_CUM);
    }

    /**
     * Records a duplicate. RFC 9260 §6.2: "When a packet arrives with duplicate DATA chunk(s) and with
     * no new DATA chunk(s), the endpoint MUST immediately send a SACK chunk with no delay."
     */
    public void recordDuplicate(int tsn) {
        if (duplicates.size() < MAX_DUPLICATES) {
            duplicates.add(tsn);
        }
        ackNow = true;
    }

    /**
     * Records a newly received TSN (not a duplicate, not too far ahead).
     *
     * @param utsn the unwrapped TSN
     */
    public void observe(long utsn) {
        unwrapper.unwrap((int) utsn);
        boolean hadGaps = !above.isEmpty();
        if (utsn == cumTsn + 1) {
            cumTsn = utsn;
            advanceOverContiguous();
            if (hadGaps) {
                // §6.7: a SACK right away when a gap was filled, so the sender learns promptly
                ackNow = true;
            }
        } else {
            above.add(utsn);
            // §6.7: "the data receiver SHOULD send a SACK chunk immediately ... when it detects a gap"
            ackNow = true;
        }
    }

    private void advanceOverContiguous() {
        while (!above.isEmpty() && above.first() == cumTsn + 1) {
            cumTsn = above.pollFirst();
        }
    }

    /**
     * Moves the cumulative TSN forward for a FORWARD TSN (RFC 3758 §3.6: "the data receiver MUST
     * update its cumulative TSN point to the value carried in the FORWARD TSN chunk").
     *
     * @param newCum the unwrapped new cumulative TSN; ignored if not above the current one
     */
    public void forwardTo(long newCum) {
        ackNow = true; // §3.6: "... MUST send a SACK ... immediately" when it moved the point
        if (newCum <= cumTsn) {
            return;
        }
        unwrapper.unwrap((int) newCum);
        cumTsn = newCum;
        while (!above.isEmpty() && above.first() <= cumTsn) {
            above.pollFirst();
        }
        advanceOverContiguous();
    }

    /** Called once per received packet that held DATA; counts towards the every-second-packet rule. */
    public void packetWithData() {
        packetsWithoutAck++;
        // §6.2: "an acknowledgement SHOULD be generated for at least every second packet"; inside a
        // batch (beginBatch) every ackEvery-th packet, and the rest at endBatch
        if (packetsWithoutAck >= ackEvery) {
            ackNow = true;
        }
    }

    /**
     * Opens an input batch: until {@link #endBatch()}, the every-second-packet SACK of RFC 9260 §6.2
     * is due only after {@code maxPackets} packets with DATA. Gaps, duplicates, filled gaps and
     * explicit requests still make a SACK due at once.
     *
     * @param maxPackets 2..64
     */
    public void beginBatch(int maxPackets) {
        ackEvery = Math.max(2, maxPackets);
        inBatch = true;
    }

    /**
     * The peer set the I bit on a DATA chunk. RFC 7053 §4.2: "... the receiver ... SHOULD send a SACK
     * chunk without delay": at once outside a batch; inside one at its end (the same processing
     * round, no timer: a sender whose window is full sets the bit on its last packet of each burst,
     * so answering mid-batch would undo the coalescing).
     */
    public void peerRequestedAck() {
        if (inBatch) {
            ackAtBatchEnd = true;
        } else {
            ackNow = true;
        }
    }

    /**
     * Closes the input batch: a SACK is due now if at least two packets with DATA are unacknowledged
     * (the §6.2 rule, applied once for the whole batch) or a packet of the batch carried the I bit;
     * one packet alone without it waits for the delayed-ack timer as outside a batch.
     */
    public void endBatch() {
        ackEvery = 2;
        inBatch = false;
        if (packetsWithoutAck >= 2 || (ackAtBatchEnd && packetsWithoutAck > 0)) {
            ackNow = true;
        }
        ackAtBatchEnd = false;
    }

    /** Forces an immediate SACK (e.g. in SHUTDOWN states or after a FORWARD TSN). */
    public void requestImmediateAck() {
        ackNow = true;
    }

    /** @return true if a SACK should be sent right away */
    public boolean shouldAckNow() {
        return ackNow;
    }

    /** @return true if some DATA is unacknowledged (so the delayed-ack timer should run) */
    public boolean hasUnackedData() {
        return packetsWithoutAck > 0;
    }

    /** @return how many TSNs above the cumulative TSN are remembered, 0..{@link #MAX_TSNS_ABOVE_CUM} */
    public int trackedTsns() {
        return above.size();
    }

    /** @return duplicate TSNs waiting for the next SACK, 0..{@link #MAX_DUPLICATES} */
    public int pendingDuplicates() {
        return duplicates.size();
    }

    /** @return true if TSNs above the cumulative TSN are held (a gap exists) */
    public boolean hasGaps() {
        return !above.isEmpty();
    }

    /**
     * Builds a SACK and resets the ack state (duplicates, packet counter, immediate flag).
     *
     * @param aRwnd our current advertised receive window, bytes
     */
    public SackChunk createSack(long aRwnd) {
        if (above.isEmpty() && duplicates.isEmpty()) {
            // the usual SACK: no gap blocks, no duplicates, no lists to build
            ackNow = false;
            ackAtBatchEnd = false;
            packetsWithoutAck = 0;
            return new SackChunk((int) cumTsn, (int) Math.min(aRwnd, 0xffffffffL), List.of(), NO_DUPLICATES);
        }
        List<SackChunk.GapAckBlock> gaps = new ArrayList<>();
        Iterator<Long> it = above.iterator();
        long start = -1;
        long end = -1;
        while (it.hasNext() && gaps.size() < MAX_GAP_BLOCKS) {
            long t = it.next();
            if (start < 0) {
                start = t;
                end = t;
            } else if (t == end + 1) {
                end = t;
            } else {
                gaps.add(new SackChunk.GapAckBlock((int) (start - cumTsn), (int) (end - cumTsn)));
                start = t;
                end = t;
            }
        }
        if (start >= 0 && gaps.size() < MAX_GAP_BLOCKS) {
            gaps.add(new SackChunk.GapAckBlock((int) (start - cumTsn), (int) (end - cumTsn)));
        }
        int[] dups = new int[duplicates.size()];
        for (int i = 0; i < dups.length; i++) {
            dups[i] = duplicates.get(i);
        }
        duplicates.clear();
        ackNow = false;
        ackAtBatchEnd = false;
        packetsWithoutAck = 0;
        return new SackChunk((int) cumTsn, (int) Math.min(aRwnd, 0xffffffffL), gaps, dups);
    }
}
