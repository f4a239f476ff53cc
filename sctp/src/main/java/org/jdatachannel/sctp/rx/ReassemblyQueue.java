package org.jdatachannel.sctp.rx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdatachannel.sctp.packet.SerialNumber;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.UserDataChunk;

/**
 * Reassembles fragmented messages and orders them per stream (RFC 9260 §6.5, §6.6, §6.9).
 *
 * <p>Without I-DATA, the fragments of one message carry consecutive TSNs (§6.9: "the sender MUST
 * assign ... consecutive TSNs to the fragments"), the first has the B bit and the last the E bit, so
 * a message is complete when a B..E run of consecutive TSNs with the same stream (and SSN, for
 * ordered messages) is present. Complete unordered messages are delivered at once; complete
 * ordered messages wait for their SSN (§6.6: "... MUST deliver ... in the order of their SSN").
 *
 * <p>With I-DATA (RFC 8260 §2.2.3) fragments are collected per (stream, U bit, MID) and ordered by
 * FSN, never by TSN: "the receiver MUST first use the SID to identify the stream, consider the U bit
 * to determine if it is part of an ordered or unordered message, find the user message identified by
 * the MID and finally use the FSN for reassembly of the message and not the TSN". Complete ordered
 * messages wait for their MID (32-bit serial numbers).
 *
 * <p>Memory: the caller bounds {@link #accountedBytes()} (payload plus a per-entry overhead) by
 * refusing DATA beyond its receive window; with I-DATA, partial messages may also reserve up to
 * {@link #MAX_SLACK} bytes of not yet received room (uncharged); a message is refused ({@code add} returns false) as soon
 * as it is known to exceed the maximum message size, a never-ending one while it arrives in order.
 * Not thread-safe.
 */
public final class ReassemblyQueue {
    /** Receives complete messages in delivery order. */
    public interface Sink {
        /**
         * @param streamId stream 0..65535
         * @param ppid payload protocol identifier
         * @param payload the whole message
         * @param unordered the U bit
         */
        void deliver(int streamId, int ppid, byte[] payload, boolean unordered);
    }

    private record Message(int ssn, int ppid, byte[] payload, long tsn) {
    }

    /**
     * Fragments of one I-DATA message, by FSN (unsigned, from 0). While fragments arrive in FSN order
     * from 0 (the usual case) their bytes are copied back to back into one array, {@code buf}, straight
     * from the received packet (no array per fragment); when the message completes that array is the
     * message itself if its size was guessed right ({@link ReassemblyQueue#sizeHint}), else it is
     * trimmed once. The first fragment out of order (or a repeated FSN) moves the fragments to a sorted
     * map of arrays of their own, which then holds them until the message completes or is dropped.
     */
    private static final class Partial {
        /** FSNs 0..inOrderCount-1 back to back in buf[0, ends[inOrderCount-1]), while {@code sorted} is null. */
        private byte[] buf;
        private int[] ends = new int[16];
        private int inOrderCount;
        /** Every fragment by FSN, once one arrived out of order; null before. */
        private TreeMap<Long, byte[]> sorted;

        /** @return bytes of {@code buf} reserved but not filled (0 once sorted) */
        int slack() {
            return buf == null ? 0 : buf.length - filled();
        }

        private int filled() {
            return inOrderCount == 0 ? 0 : ends[inOrderCount - 1];
        }

        /**
         * Stores a fragment, copying {@code src[off, off+len)}.
         *
         * @param initialCapacity the size of {@code buf} when this is the first in-order fragment (at
         *     least {@code len} is used)
         * @param maxMessageSize the queue's limit: {@code buf} never grows beyond it by doubling
         * @return the length of the fragment it replaced (same FSN), or -1
         */
        int put(long fsn, byte[] src, int off, int len, int initialCapacity, long maxMessageSize) {
            if (sorted == null) {
                if (fsn == inOrderCount) {
                    int at = filled();
                    if (buf == null) {
                        buf = new byte[Math.max(len, initialCapacity)];
                    } else if (buf.length - at < len) {
                        // doubling (amortized one more copy), but not past the message size limit
                        long grown = Math.max((long) at + len, Math.min(2L * buf.length, maxMessageSize));
                        buf = java.util.Arrays.copyOf(buf, (int) Math.min(grown, Integer.MAX_VALUE - 8));
                    }
                    System.arraycopy(src, off, buf, at, len);
                    if (inOrderCount == ends.length) {
                        ends = java.util.Arrays.copyOf(ends, inOrderCount * 2);
                    }
                    ends[inOrderCount++] = at + len;
                    return -1;
                }
                spill();
            }
            byte[] old = sorted.put(fsn, java.util.Arrays.copyOfRange(src, off, off + len));
            return old == null ? -1 : old.length;
        }

        /** Moves the in-order fragments to the sorted map, one array each. */
        private void spill() {
            sorted = new TreeMap<>();
            int from = 0;
            for (int i = 0; i < inOrderCount; i++) {
                sorted.put((long) i, java.util.Arrays.copyOfRange(buf, from, ends[i]));
                from = ends[i];
            }
            buf = null;
            ends = null;
        }

        /** @return the number of fragments held */
        int size() {
            return sorted == null ? inOrderCount : sorted.size();
        }

        /** @return the highest FSN held, or -1 if none */
        long lastKey() {
            return sorted == null ? inOrderCount - 1 : sorted.isEmpty() ? -1 : sorted.lastKey();
        }

        /** @return the fragments in FSN order as one array of {@code bytes} bytes ({@code buf} itself if it fits exactly) */
        byte[] message() {
            if (sorted == null) {
                return buf.length == bytes ? buf : java.util.Arrays.copyOf(buf, (int) bytes);
            }
            byte[] msg = new byte[(int) bytes];
            int off = 0;
            for (byte[] part : sorted.values()) {
                System.arraycopy(part, 0, msg, off, part.length);
                off += part.length;
            }
            return msg;
        }

        long bytes;
        /** bytes plus the per-fragment overhead charged to {@link #bufferedBytes()} */
        long charged;
        int ppid;
        boolean haveFirst;
        long lastFsn = -1;
        long firstTsn = Long.MAX_VALUE;
    }

    /** Key of the partial messages of one stream and U bit: stream id * 2 + U. */
    private static int streamKey(int streamId, boolean unordered) {
        return streamId * 2 + (unordered ? 1 : 0);
    }

    private static final class InStream {
        int nextSsn;
        /** I-DATA: the next ordered MID to deliver (RFC 8260 §2.1, 32-bit serial). */
        int nextMid;
        final HashMap<Integer, Message> pending = new HashMap<>();
        long deferredResetTsn = Long.MAX_VALUE;
        final ArrayList<Message> held = new ArrayList<>();
    }

    private final long maxMessageSize;
    private final boolean interleaved;
    private final TreeMap<Long, DataChunk> fragments = new TreeMap<>();
    /**
     * DATA fast path: fragments of the message being received in TSN order from its B chunk, at TSNs
     * seqStart..seqStart+seqCount-1, held here instead of in {@code fragments} (never both).
     */
    private DataChunk[] seq = new DataChunk[16];
    private int seqCount;
    private long seqStart;
    private long seqBytes;
    private final Map<Integer, InStream> streams = new HashMap<>();
    /** I-DATA partial messages by {@link #streamKey} and MID. */
    private final Map<Integer, Map<Integer, Partial>> partials = new HashMap<>();
    /**
     * The partial message the last I-DATA fragment went to (and its map, stream key and MID), while it
     * is still in {@code partials}; null after it completed or was dropped.
     */
    private Partial lastPartial;
    private Map<Integer, Partial> lastPartialOfStream;
    private int lastPartialKey;
    private int lastPartialMid;
    /**
     * I-DATA: the size of the last message assembled from several fragments, the capacity a new
     * message's array starts with (bulk transfers repeat one size: the array is then the message, with
     * no second copy). 0 before the first.
     */
    private int sizeHint;
    /** I-DATA: messages of several fragments delivered in the array their fragments were copied into (diagnostics). */
    private long messagesInPlace;
    /** I-DATA: reserved but unfilled bytes of the in-order arrays of all partial messages. */
    private long slack;
    /**
     * Most unfilled room the size hint may reserve over all partial messages, bytes: the heap held
     * beyond the charged bytes stays within this plus the doubling of in-order arrays (at most the
     * charged bytes again).
     */
    static final int MAX_SLACK = 1 << 20;
    private long fragmentBytes;
    private long pendingBytes;
    /** Complete messages held in {@code pending} or {@code held} of all streams. */
    private int pendingCount;
    /** Fragments held in {@code partials} (I-DATA). */
    private int partialParts;
    /** The DATA message being received in TSN order: its last fragment's TSN and its size so far. */
    private long runTsn = Long.MIN_VALUE;
    private long runBytes;
    private long forwardedCum = Long.MIN_VALUE;
    /** Loop iterations spent applying FORWARD TSN / I-FORWARD-TSN entries, for tests (work bound). */
    private long forwardSteps;

    /** @param maxMessageSize largest message accepted, bytes */
    public ReassemblyQueue(long maxMessageSize) {
        this(maxMessageSize, false);
    }

    /**
     * @param maxMessageSize largest message accepted, bytes
     * @param interleaved true if the association uses I-DATA (RFC 8260): ordered delivery by MID
     */
    public ReassemblyQueue(long maxMessageSize, boolean interleaved) {
        this.maxMessageSize = maxMessageSize;
        this.interleaved = interleaved;
    }

    /**
     * Memory charged per held fragment or waiting message on top of its payload, bytes. A peer can
     * open a partial message per stream (and MID, with I-DATA), so tiny fragments must not be held at
     * the price of their payload alone: charging the bookkeeping keeps the receive window a bound on
     * real memory (a held 1-byte chunk takes about 200 bytes of heap, so the heap stays within about
     * three times the charge, plus with I-DATA the uncharged room reserved for partial messages, at most
     * {@link #MAX_SLACK}). With I-DATA the charge is inside {@link #bufferedBytes()}; with DATA
     * {@link #accountedBytes()} adds it, so both modes are charged alike.
     */
    public static final int ENTRY_OVERHEAD = 64;

    private long cost(int payloadLength) {
        return payloadLength + (interleaved ? ENTRY_OVERHEAD : 0);
    }

    /**
     * @return bytes held (fragments of incomplete messages plus complete messages waiting for order);
     *     with I-DATA each held fragment and message also counts {@link #ENTRY_OVERHEAD} bytes
     */
    public long bufferedBytes() {
        return fragmentBytes + pendingBytes;
    }

    /**
     * @return I-DATA messages of several fragments delivered in the very array their fragments were
     *     copied into, without a second copy (the size hint was right); diagnostics
     */
    public long messagesInPlace() {
        return messagesInPlace;
    }

    /** @return I-DATA: bytes reserved for partial messages but not filled yet, at most about {@link #MAX_SLACK} (tests) */
    long slackBytes() {
        return slack;
    }

    /** @return chunks and messages held: fragments, complete messages waiting for order or a reset */
    public int entries() {
        return fragments.size() + seqCount + partialParts + pendingCount;
    }

    /**
     * The memory charged against the receive window: payload bytes plus {@link #ENTRY_OVERHEAD} per
     * held chunk or message, so that a peer sending tiny chunks (1 byte each) cannot make us hold a
     * million objects within a 1 MiB window. The advertised a_rwnd is the window minus this, as
     * usrsctp subtracts a per-mbuf overhead, so a well-behaved peer slows down instead of being
     * dropped.
     *
     * @return accounted bytes, at least {@link #bufferedBytes()}
     */
    public long accountedBytes() {
        return bufferedBytes() + (interleaved ? 0 : (long) ENTRY_OVERHEAD * entries());
    }

    /**
     * Adds a newly received (non-duplicate) DATA chunk and delivers whatever became deliverable.
     *
     * @param utsn the chunk's unwrapped TSN
     * @param c the chunk, payload non-empty
     * @param sink receives complete messages
     * @return false if the message being reassembled exceeds the maximum message size (the caller
     *     aborts the association); true otherwise
     */
    public boolean add(long utsn, UserDataChunk chunk, Sink sink) {
        if (chunk instanceof IDataChunk i) {
            return addInterleaved(utsn, i, sink);
        }
        DataChunk c = (DataChunk) chunk;
        if (c.beginning() && c.end()) {
            if (c.payloadLength() > maxMessageSize) {
                return false;
            }
            complete(c, utsn, c.payload(), sink);
            return true;
        }
        // Fast path: the fragments of one message arriving in TSN order (the usual case) are kept in
        // an array, not the sorted map; anything else moves them to the map first (spillSequence).
        int len = c.payloadLength();
        if (seqCount > 0 && utsn == seqStart + seqCount && !c.beginning() && sameMessage(seq[0], c)
                && (fragments.isEmpty() || !fragments.containsKey(utsn + 1))) {
            if (seqCount == seq.length) {
                seq = java.util.Arrays.copyOf(seq, seqCount * 2);
            }
            seq[seqCount++] = c;
            seqBytes += len;
            fragmentBytes += len;
            if (seqBytes > maxMessageSize) {
                return false;
            }
            if (c.end()) {
                completeSequence(sink);
            }
            return true;
        }
        if (c.beginning() && (fragments.isEmpty() || !fragments.containsKey(utsn + 1))) {
            spillSequence();
            seq[0] = c;
            seqCount = 1;
            seqStart = utsn;
            seqBytes = len;
            fragmentBytes += len;
            return seqBytes <= maxMessageSize;
        }
        spillSequence();
        if (!c.beginning() && utsn - 1 <= forwardedCum && !fragments.containsKey(utsn - 1)) {
            // RFC 3758 §3.6: the rest of a message abandoned by FORWARD TSN can never complete
            return true;
        }
        fragments.put(utsn, c);
        fragmentBytes += c.payloadLength();
        // Only a chunk with an E bit, or one filling a hole before later fragments, can complete a message.
        if (!c.end() && !fragments.containsKey(utsn + 1)) {
            return withinOpenRun(utsn, c);
        }
        long first = utsn;
        DataChunk f = c;
        long size = c.payloadLength();
        while (!f.beginning()) {
            DataChunk prev = fragments.get(first - 1);
            if (prev == null || prev.end() || !sameMessage(prev, c)) {
                return size <= maxMessageSize;
            }
            first--;
            f = prev;
            size += prev.payloadLength();
        }
        long last = utsn;
        f = c;
        while (!f.end()) {
            DataChunk next = fragments.get(last + 1);
            if (next == null || next.beginning() || !sameMessage(next, c)) {
                return size <= maxMessageSize;
            }
            last++;
            f = next;
            size += next.payloadLength();
        }
        if (size > maxMessageSize) {
            return false;
        }
        byte[] msg = new byte[(int) size];
        int off = 0;
        DataChunk head = null;
        for (long t = first; t <= last; t++) {
            DataChunk part = fragments.remove(t);
            if (head == null) {
                head = part;
            }
            System.arraycopy(part.payload(), 0, msg, off, part.payloadLength());
            off += part.payloadLength();
        }
        fragmentBytes -= size;
        complete(head, first, msg, sink);
        return true;
    }

    /** RFC 8260 §2.2.3 reassembly by (stream, U, MID) and FSN. */
    private boolean addInterleaved(long utsn, IDataChunk c, Sink sink) {
        int sid = c.streamId().value();
        if (c.beginning() && c.end()) {
            if (c.payloadLength() > maxMessageSize) {
                return false;
            }
            completeInterleaved(sid, c.unordered(), c.mid().value(), c.ppid().value(), c.payload(), utsn, sink);
            return true;
        }
        int key = streamKey(sid, c.unordered());
        int mid = c.mid().value();
        Map<Integer, Partial> ofStream;
        Partial p;
        if (lastPartial != null && lastPartialKey == key && lastPartialMid == mid) {
            // the next fragment of the message the previous chunk belonged to: no map lookups
            p = lastPartial;
            ofStream = lastPartialOfStream;
        } else {
            ofStream = partials.computeIfAbsent(key, k -> new HashMap<>());
            p = ofStream.computeIfAbsent(mid, k -> new Partial());
            lastPartial = p;
            lastPartialOfStream = ofStream;
            lastPartialKey = key;
            lastPartialMid = mid;
        }
        long fsn = Integer.toUnsignedLong(c.fsn());
        int len = c.payloadLength();
        // The chunk's bytes may be the received packet's (borrowed, SctpPacket.parse): copied here.
        // A new message's array is sized by the hint while the unfilled room of all partial messages
        // stays within MAX_SLACK, so a peer opening many messages cannot make us reserve more.
        int initial = p.buf == null && p.inOrderCount == 0 && p.sorted == null && sizeHint > len
                && slack + sizeHint - len <= MAX_SLACK ? sizeHint : len;
        slack -= p.slack();
        int old = p.put(fsn, c.payloadArray(), c.payloadOffset(), len, initial, maxMessageSize);
        slack += p.slack();
        p.bytes += len - (old < 0 ? 0 : old);
        long charge = cost(len) - (old < 0 ? 0 : cost(old));
        p.charged += charge;
        fragmentBytes += charge;
        partialParts += old < 0 ? 1 : 0;
        if (c.beginning()) {
            p.haveFirst = true;
            p.ppid = c.ppid().value();
            p.firstTsn = utsn;
        }
        if (c.end()) {
            p.lastFsn = fsn;
        }
        if (p.bytes > maxMessageSize) {
            return false;
        }
        if (!p.haveFirst || p.lastFsn < 0 || p.size() != p.lastFsn + 1 || p.lastKey() != p.lastFsn) {
            return true;
        }
        ofStream.remove(mid);
        if (ofStream.isEmpty()) {
            partials.remove(key);
        }
        lastPartial = null;
        fragmentBytes -= p.charged;
        partialParts -= p.size();
        slack -= p.slack();
        byte[] msg = p.message();
        if (p.sorted == null && msg == p.buf) {
            messagesInPlace++;
        }
        sizeHint = msg.length;
        completeInterleaved(sid, c.unordered(), c.mid().value(), p.ppid, msg, p.firstTsn, sink);
        return true;
    }

    private void completeInterleaved(int sid, boolean unordered, int mid, int ppid, byte[] payload, long headTsn,
            Sink sink) {
        if (unordered) {
            sink.deliver(sid, ppid, payload, true);
            return;
        }
        InStream s = streams.computeIfAbsent(sid, k -> new InStream());
        Message m = new Message(mid, ppid, payload, headTsn);
        if (headTsn > s.deferredResetTsn) {
            // RFC 6525 §5.2.2: data after a deferred reset waits until the reset is performed
            s.held.add(m);
            pendingBytes += cost(payload.length);
            pendingCount++;
            return;
        }
        orderedMid(sid, s, m, sink);
    }

    private void orderedMid(int streamId, InStream s, Message m, Sink sink) {
        if (m.ssn == s.nextMid) {
            sink.deliver(streamId, m.ppid, m.payload, false);
            s.nextMid++;
            drainMid(streamId, s, sink);
        } else if (SerialNumber.tsnGreater(m.ssn, s.nextMid)) {
            Message old = s.pending.put(m.ssn, m);
            pendingBytes += cost(m.payload.length) - (old == null ? 0 : cost(old.payload.length));
            pendingCount += old == null ? 1 : 0;
        }
        // else: a MID already delivered or skipped (a retransmission after a FORWARD); dropped
    }

    private void drainMid(int streamId, InStream s, Sink sink) {
        Message m;
        while ((m = s.pending.remove(s.nextMid)) != null) {
            pendingBytes -= cost(m.payload.length);
            pendingCount--;
            sink.deliver(streamId, m.ppid, m.payload, false);
            s.nextMid++;
        }
    }

    /**
     * Applies the entries of an I-FORWARD-TSN (RFC 8260 §2.3.1) whose new cumulative TSN moved the
     * receiver forward: partial messages of the stream and U bit up to the skipped MID are dropped
     * (their remaining fragments will never come), and for ordered entries waiting messages up to the
     * MID are delivered and the expected MID moves past it ("For ordered messages this is similar to
     * the FORWARD-TSN chunk, just replacing the 16-bit SSN by the 32-bit MID").
     *
     * @param skipped the chunk's entries
     * @param sink receives messages that became deliverable
     */
    public void iForwardTsn(List<IForwardTsnChunk.SkippedMessage> skipped, Sink sink) {
        // one entry per stream and U bit (the largest MID), so a chunk costs at most one pass over
        // what is held, whatever a peer repeats in it
        Map<Integer, Integer> largest = new LinkedHashMap<>();
        for (IForwardTsnChunk.SkippedMessage sk : skipped) {
            forwardSteps++;
            largest.merge(streamKey(sk.streamId().value(), sk.unordered()), sk.mid().value(),
                    (a, b) -> SerialNumber.tsnGreater(b, a) ? b : a);
        }
        for (Map.Entry<Integer, Integer> entry : largest.entrySet()) {
            int sid = entry.getKey() >> 1;
            boolean unordered = (entry.getKey() & 1) != 0;
            int mid = entry.getValue();
            Map<Integer, Partial> ofStream = partials.get(entry.getKey());
            if (ofStream != null) {
                Iterator<Map.Entry<Integer, Partial>> it = ofStream.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<Integer, Partial> e = it.next();
                    if (!SerialNumber.tsnGreater(e.getKey(), mid)) {
                        fragmentBytes -= e.getValue().charged;
                        partialParts -= e.getValue().size();
                        slack -= e.getValue().slack();
                        lastPartial = null;
                        it.remove();
                    }
                }
                if (ofStream.isEmpty()) {
                    partials.remove(entry.getKey());
                }
            }
            if (unordered) {
                continue;
            }
            InStream s = streams.computeIfAbsent(sid, k -> new InStream());
            if (SerialNumber.tsnGreater(s.nextMid, mid)) {
                continue; // already past it
            }
            // deliver waiting messages up to the skipped MID in MID order (bounded by what is held)
            final int from = s.nextMid;
            List<Message> ready = new ArrayList<>();
            for (Message m : s.pending.values()) {
                forwardSteps++;
                if (!SerialNumber.tsnGreater(m.ssn, mid)) {
                    ready.add(m);
                }
            }
            ready.sort(Comparator.comparingLong(m -> Integer.toUnsignedLong(m.ssn - from)));
            for (Message m : ready) {
                s.pending.remove(m.ssn);
                pendingBytes -= cost(m.payload.length);
                pendingCount--;
                sink.deliver(sid, m.ppid, m.payload, false);
            }
            s.nextMid = mid + 1;
            drainMid(sid, s, sink);
        }
    }

    /**
     * Follows the message being received in TSN order, the usual case, so that a message without end
     * (fragments without the E bit, forever) is refused once it passes the maximum message size rather
     * than when its end arrives, which may be never: a message of consecutive fragments (RFC 9260
     * §6.9: "the sender MUST assign ... consecutive TSNs") cannot complete within the limit any more.
     *
     * @return false if the run reaching {@code c} exceeds the maximum message size
     */
    /**
     * Moves the in-order fragments of the fast path into the sorted map (they stay counted in
     * {@code fragmentBytes}) and makes them the open run of {@link #withinOpenRun}.
     */
    private void spillSequence() {
        if (seqCount == 0) {
            return;
        }
        for (int i = 0; i < seqCount; i++) {
            fragments.put(seqStart + i, seq[i]);
            seq[i] = null;
        }
        runTsn = seqStart + seqCount - 1;
        runBytes = seqBytes;
        seqCount = 0;
        seqBytes = 0;
    }

    /** The fast path's message is complete (its E chunk arrived): one copy into the message. */
    private void completeSequence(Sink sink) {
        byte[] msg = new byte[(int) seqBytes];
        int off = 0;
        for (int i = 0; i < seqCount; i++) {
            DataChunk part = seq[i];
            System.arraycopy(part.payload(), 0, msg, off, part.payloadLength());
            off += part.payloadLength();
        }
        DataChunk head = seq[0];
        long headTsn = seqStart;
        java.util.Arrays.fill(seq, 0, seqCount, null);
        fragmentBytes -= seqBytes;
        seqCount = 0;
        seqBytes = 0;
        complete(head, headTsn, msg, sink);
    }

    private boolean withinOpenRun(long utsn, DataChunk c) {
        DataChunk prev;
        if (c.beginning()) {
            runTsn = utsn;
            runBytes = c.payloadLength();
        } else if (utsn == runTsn + 1 && (prev = fragments.get(utsn - 1)) != null && !prev.end() && sameMessage(prev, c)) {
            runTsn = utsn;
            runBytes += c.payloadLength();
        } else {
            return true;
        }
        return runBytes <= maxMessageSize;
    }

    private static boolean sameMessage(DataChunk a, DataChunk b) {
        return a.streamId().value() == b.streamId().value() && a.unordered() == b.unordered()
                && (a.unordered() || a.ssn().value() == b.ssn().value());
    }

    private void complete(DataChunk head, long headTsn, byte[] payload, Sink sink) {
        if (head.unordered()) {
            sink.deliver(head.streamId().value(), head.ppid().value(), payload, true);
            return;
        }
        InStream s = streams.computeIfAbsent(head.streamId().value(), k -> new InStream());
        Message m = new Message(head.ssn().value(), head.ppid().value(), payload, headTsn);
        if (headTsn > s.deferredResetTsn) {
            // RFC 6525 §5.2.2: data after a deferred reset waits until the reset is performed
            s.held.add(m);
            pendingBytes += payload.length;
            pendingCount++;
            return;
        }
        ordered(head.streamId().value(), s, m, sink);
    }

    private void ordered(int streamId, InStream s, Message m, Sink sink) {
        if (m.ssn == s.nextSsn) {
            sink.deliver(streamId, m.ppid, m.payload, false);
            s.nextSsn = (s.nextSsn + 1) & 0xffff;
            drain(streamId, s, sink);
        } else {
            Message old = s.pending.put(m.ssn, m);
            pendingBytes += m.payload.length - (old == null ? 0 : old.payload.length);
            pendingCount += old == null ? 1 : 0;
        }
    }

    private void drain(int streamId, InStream s, Sink sink) {
        Message m;
        while ((m = s.pending.remove(s.nextSsn)) != null) {
            pendingBytes -= m.payload.length;
            pendingCount--;
            sink.deliver(streamId, m.ppid, m.payload, false);
            s.nextSsn = (s.nextSsn + 1) & 0xffff;
        }
    }

    /**
     * Applies a FORWARD TSN (RFC 3758 §3.6): drops fragments at or below the new cumulative TSN
     * ("the data receiver ... MUST ... remove any partially reassembled messages ... up to the new
     * cumulative TSN"), then for each listed ordered stream delivers waiting messages up to the
     * skipped SSN and moves the expected SSN past it, delivering what became deliverable.
     *
     * @param newCum the unwrapped new cumulative TSN
     * @param skipped the chunk's (stream, SSN) list
     * @param sink receives messages that became deliverable
     */
    public void forwardTsn(long newCum, List<ForwardTsnChunk.SkippedStream> skipped, Sink sink) {
        spillSequence();
        forwardedCum = Math.max(forwardedCum, newCum);
        Iterator<Map.Entry<Long, DataChunk>> it = fragments.headMap(newCum, true).entrySet().iterator();
        while (it.hasNext()) {
            fragmentBytes -= it.next().getValue().payloadLength();
            it.remove();
        }
        // Orphans: later fragments of a message whose beginning was skipped.
        long t = newCum + 1;
        DataChunk c;
        while ((c = fragments.get(t)) != null && !c.beginning()) {
            fragments.remove(t);
            fragmentBytes -= c.payloadLength();
            t++;
            if (c.end()) {
                break;
            }
        }
        // One entry per stream, the largest SSN (serial order, RFC 1982), as a sender lists "the largest
        // stream sequence number for that stream" (RFC 3758 §3.2) once; repeats cost one step each.
        Map<Integer, Integer> largest = new LinkedHashMap<>();
        for (ForwardTsnChunk.SkippedStream sk : skipped) {
            forwardSteps++;
            largest.merge(sk.streamId().value(), sk.ssn().value(), (a, b) -> SerialNumber.ssnGreater(b, a) ? b : a);
        }
        for (Map.Entry<Integer, Integer> entry : largest.entrySet()) {
            int sid = entry.getKey();
            int ssn = entry.getValue();
            InStream s = streams.computeIfAbsent(sid, k -> new InStream());
            if (SerialNumber.ssnGreater(s.nextSsn, ssn)) {
                continue; // already past it
            }
            // RFC 3758 §3.6 (paraphrased): for each listed stream, the ordered messages held up to the
            // skipped SSN become deliverable and the stream moves past it. Done in SSN order, in one
            // pass over what is held; the expected SSN then moves past the skipped one in one step,
            // so the cost never depends on the SSN distance a peer asks to skip.
            final int from = s.nextSsn;
            final int span = (ssn - from) & 0xffff;
            List<Message> ready = new ArrayList<>();
            for (Message m : s.pending.values()) {
                forwardSteps++;
                if (((m.ssn - from) & 0xffff) <= span) {
                    ready.add(m);
                }
            }
            ready.sort(Comparator.comparingInt(m -> (m.ssn - from) & 0xffff));
            for (Message m : ready) {
                s.pending.remove(m.ssn);
                pendingBytes -= m.payload.length;
                pendingCount--;
                sink.deliver(sid, m.ppid, m.payload, false);
            }
            s.nextSsn = (ssn + 1) & 0xffff;
            drain(sid, s, sink);
        }
    }

    /** @return loop iterations spent on (I-)FORWARD TSN entries so far; for tests */
    long forwardSteps() {
        return forwardSteps;
    }

    /** @return streams with per-stream ordering state; for tests and diagnostics */
    public int streamStates() {
        return streams.size();
    }

    /**
     * Marks streams whose reset is deferred (RFC 6525 §5.2.2 "deferred reset processing"): complete
     * ordered messages starting after {@code lastTsn} are held until {@link #resetStreams}.
     *
     * @param streamIds the streams; empty means all streams known so far
     * @param lastTsn the unwrapped Sender's Last Assigned TSN of the request
     */
    public void deferReset(int[] streamIds, long lastTsn) {
        if (streamIds.length == 0) {
            for (InStream s : streams.values()) {
                s.deferredResetTsn = Math.min(s.deferredResetTsn, lastTsn);
            }
            return;
        }
        for (int id : streamIds) {
            InStream s = streams.computeIfAbsent(id, k -> new InStream());
            s.deferredResetTsn = Math.min(s.deferredResetTsn, lastTsn);
        }
    }

    /**
     * Performs an incoming SSN reset (RFC 6525 §5.2.2: "the receiver ... MUST reset the stream
     * sequence numbers of the affected incoming streams to 0"). It is performed once every TSN up to
     * the request's Sender's Last Assigned TSN was received or skipped, so any message still waiting
     * for its turn can only be waiting for abandoned ones: those are delivered first, in SSN order.
     * Then messages held since a deferred reset are processed in the new sequence.
     *
     * @param streamIds the streams; empty means all streams
     * @param sink receives messages that became deliverable
     */
    public void resetStreams(int[] streamIds, Sink sink) {
        if (streamIds.length == 0) {
            for (Map.Entry<Integer, InStream> e : new ArrayList<>(streams.entrySet())) {
                reset(e.getKey(), e.getValue(), sink);
            }
            return;
        }
        for (int id : streamIds) {
            InStream s = streams.get(id);
            if (s != null) {
                reset(id, s, sink);
            }
        }
    }

    private void reset(int id, InStream s, Sink sink) {
        if (!s.pending.isEmpty()) {
            final int from = interleaved ? s.nextMid : s.nextSsn;
            List<Message> old = new ArrayList<>(s.pending.values());
            if (interleaved) {
                old.sort(Comparator.comparingLong(m -> Integer.toUnsignedLong(m.ssn - from)));
            } else {
                old.sort(Comparator.comparingInt(m -> (m.ssn - from) & 0xffff));
            }
            s.pending.clear();
            for (Message m : old) {
                pendingBytes -= cost(m.payload.length);
                pendingCount--;
                sink.deliver(id, m.ppid, m.payload, false);
            }
        }
        s.nextSsn = 0;
        // RFC 8260 §2.3.2: on an SSN reset "the two counters ... used for the MIDs MUST be reset to 0"
        s.nextMid = 0;
        s.deferredResetTsn = Long.MAX_VALUE;
        if (!s.held.isEmpty()) {
            List<Message> held = new ArrayList<>(s.held);
            held.sort(Comparator.comparingLong(m -> m.tsn));
            s.held.clear();
            for (Message m : held) {
                pendingBytes -= cost(m.payload.length);
                pendingCount--;
                if (interleaved) {
                    orderedMid(id, s, m, sink);
                } else {
                    ordered(id, s, m, sink);
                }
            }
        }
    }
}
