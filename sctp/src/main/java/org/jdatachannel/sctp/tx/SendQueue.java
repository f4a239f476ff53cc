package org.jdatachannel.sctp.tx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Outgoing messages not yet fully handed to the transmission path, one FIFO per stream, served
 * round-robin between streams at message granularity (without I-DATA the fragments of one message
 * must have consecutive TSNs, RFC 9260 §6.9, so a message is finished before switching), or, once
 * {@link #setInterleaving interleaving} is on (RFC 8260), at fragment granularity: "When using user
 * message interleaving, this scheduler provides a fair scheduling based on the number of I-DATA
 * chunks by cycling around non-empty stream queues" (RFC 8260 §3.2, SCTP_SS_RR).
 *
 * <p>{@link #bufferedAmount(int)} counts the bytes of messages accepted and not yet fragmented into
 * DATA chunks, i.e. not yet transmitted for the first time (the W3C {@code bufferedAmount}
 * definition: "bytes ... queued ... but not yet transmitted to the network"). The total is bounded
 * by the constructor's limit. Not thread-safe.
 */
public final class SendQueue {

    /** One message accepted by {@code send}. */
    public static final class Message {
        final int streamId;
        final int ppid;
        final byte[] payload;
        final boolean unordered;
        final int maxRetransmits;
        final long expiresAtMs;
        int offset;
        int ssn;
        int mid;
        int nextFsn;
        boolean abandoned;

        Message(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits, long expiresAtMs) {
            this.streamId = streamId;
            this.ppid = ppid;
            this.payload = payload;
            this.unordered = unordered;
            this.maxRetransmits = maxRetransmits;
            this.expiresAtMs = expiresAtMs;
        }

        /** @return the stream */
        public int streamId() {
            return streamId;
        }

        /** @return the SSN assigned (ordered messages) */
        public int ssn() {
            return ssn;
        }

        /** @return the MID assigned (RFC 8260, interleaving only) */
        public int mid() {
            return mid;
        }

        /** @return true if ordered */
        public boolean ordered() {
            return !unordered;
        }

        /** @return max retransmissions, -1 unlimited */
        public int maxRetransmits() {
            return maxRetransmits;
        }

        /** @return absolute expiry in ms, or Long.MAX_VALUE */
        public long expiresAtMs() {
            return expiresAtMs;
        }

        /** @return true once abandoned (partial reliability) */
        public boolean abandoned() {
            return abandoned;
        }

        /** Marks the message abandoned. */
        public void abandon() {
            abandoned = true;
        }

        /** @return true once every byte was fragmented */
        public boolean fullyFragmented() {
            return offset >= payload.length;
        }
    }

    /**
     * A fragment handed to the transmission path; the caller assigns the TSN.
     *
     * @param payload the message's array (shared, not copied: the fragment is the slice
     *     {@code payloadOffset, payloadLength} of it); {@link #payload()} returns exactly the fragment's bytes
     * @param interleaved true if it goes in an I-DATA chunk (RFC 8260) with {@code mid} and
     *     {@code fsn}; false for a DATA chunk with {@code ssn}
     * @param payloadOffset where the fragment starts in {@code payload}
     * @param payloadLength the fragment's length in bytes, &gt;= 1
     */
    public record Fragment(Message message, int streamId, int ssn, int ppid, byte[] payload, boolean unordered,
            boolean beginning, boolean end, boolean interleaved, int mid, int fsn, int payloadOffset,
            int payloadLength) {

        /** @return exactly this fragment's bytes (a copy when it is part of a larger message) */
        @Override
        public byte[] payload() {
            return payloadOffset == 0 && payloadLength == payload.length ? payload
                    : java.util.Arrays.copyOfRange(payload, payloadOffset, payloadOffset + payloadLength);
        }

        /** @return the message's array the fragment is a slice of (not copied; read-only) */
        public byte[] payloadArray() {
            return payload;
        }
    }

    private static final class OutStream {
        final ArrayDeque<Message> queue = new ArrayDeque<>();
        int nextSsn;
        // RFC 8260 §2.1: "The sender uses for each outgoing stream two counters, one for ordered
        // messages, one for unordered messages. All of these counters are independent and initially 0."
        int nextMidOrdered;
        int nextMidUnordered;
        long buffered;
        long lowThreshold;
        boolean resetPending;
        boolean active;
        /** Listed in {@code changed} since the last {@link #pollChangedStreams}. */
        boolean changed;
    }

    private final long maxTotal;
    private final Map<Integer, OutStream> streams = new HashMap<>();
    private final ArrayDeque<Integer> roundRobin = new ArrayDeque<>();
    private long total;
    private Integer current; // stream whose head message is partly fragmented (without interleaving)
    private boolean interleaving;
    /** Lower bound of the expiry times of queued messages not fully sent, ms (Long.MAX_VALUE: none). */
    private long earliestExpiryMs = Long.MAX_VALUE;
    /**
     * Streams whose buffered amount changed since the last {@link #pollChangedStreams}, each once
     * (flag {@code OutStream.changed}); bounded by the number of streams in {@code streams}.
     */
    private int[] changed = new int[8];
    private int changedCount;
    private int[] changedSpare = new int[8];

    /** @param maxTotal bound on buffered bytes over all streams */
    public SendQueue(long maxTotal) {
        this.maxTotal = maxTotal;
    }

    /**
     * Switches to RFC 8260 user message interleaving (I-DATA): MIDs and FSNs are assigned and streams
     * take turns after every fragment. Call before the first fragment is produced (when the
     * association is set up).
     */
    public void setInterleaving(boolean on) {
        interleaving = on;
    }

    private OutStream stream(int id) {
        return streams.computeIfAbsent(id, k -> new OutStream());
    }

    /**
     * Queues a message.
     *
     * @throws IllegalStateException "send queue full" if the total would exceed the bound, or if a
     *     reset of the stream is pending
     */
    public Message add(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits,
            long expiresAtMs) {
        OutStream s = stream(streamId);
        if (s.resetPending) {
            throw new IllegalStateException("stream " + streamId + " is being reset");
        }
        if (total + payload.length > maxTotal) {
            throw new IllegalStateException("send queue full: " + total + " bytes buffered + " + payload.length
                    + " > limit " + maxTotal);
        }
        Message m = new Message(streamId, ppid, payload, unordered, maxRetransmits, expiresAtMs);
        earliestExpiryMs = Math.min(earliestExpiryMs, expiresAtMs);
        s.queue.add(m);
        s.buffered += payload.length;
        markChanged(streamId, s);
        total += payload.length;
        if (!s.active) {
            s.active = true;
            roundRobin.add(streamId);
        }
        return m;
    }

    /** @return true if any message has bytes not yet fragmented */
    public boolean hasData() {
        return total > 0 || current != null;
    }

    /** @return the unsent bytes of the message that {@link #next} would serve now, 0 if none */
    public int peekNextSize() {
        Integer id = current != null ? current : roundRobin.peek();
        if (id == null) {
            return 0;
        }
        Message m = streams.get(id).queue.peek();
        return m == null ? 0 : m.payload.length - m.offset;
    }

    /** @return total buffered bytes over all streams */
    public long totalBuffered() {
        return total;
    }

    /**
     * Produces the next fragment, round-robin between streams.
     *
     * @param maxPayload the largest payload for this fragment, &gt; 0
     * @param nowMs current time, used to drop messages whose lifetime expired before being sent
     * @param lowListener called with a stream id when its buffered amount falls to or below its
     *     threshold from above
     * @return the fragment, or null if nothing is queued
     */
    public Fragment next(int maxPayload, long nowMs, IntConsumer lowListener) {
        while (true) {
            Integer id = current != null ? current : roundRobin.peek();
            if (id == null) {
                return null;
            }
            OutStream s = streams.get(id);
            Message m = s.queue.peek();
            if (m == null) {
                s.active = false;
                roundRobin.remove(id);
                current = null;
                continue;
            }
            if (m.offset == 0 && (m.abandoned || m.expiresAtMs <= nowMs)) {
                // RFC 3758 §3.1 timed reliability: a message that expired before its first
                // transmission is simply never sent (it takes no TSN, so no FORWARD TSN is needed).
                s.queue.poll();
                consumed(id, s, m.payload.length, lowListener);
                continue;
            }
            boolean beginning = m.offset == 0;
            if (beginning) {
                if (interleaving) {
                    // RFC 8260 §2.1: the counters "are incremented by 1 for each user message"
                    if (m.unordered) {
                        m.mid = s.nextMidUnordered++;
                    } else {
                        m.mid = s.nextMidOrdered++;
                    }
                } else {
                    if (!m.unordered) {
                        m.ssn = s.nextSsn;
                        s.nextSsn = (s.nextSsn + 1) & 0xffff;
                    }
                    current = id;
                }
            }
            int len = Math.min(maxPayload, m.payload.length - m.offset);
            // no copy: the fragment is a slice of the message's array, which the association owns
            // (send() takes ownership) and which stays reachable through the Message until every
            // fragment is acknowledged or abandoned anyway
            int start = m.offset;
            m.offset += len;
            // RFC 8260 §2.1: "The FSN is used to enumerate all fragments of a single user message,
            // starting from 0 and incremented by 1."
            int fsn = m.nextFsn++;
            boolean end = m.offset == m.payload.length;
            if (!end && interleaving) {
                // RFC 8260 §2.2.2: "At any time, a sender MAY process multiple user messages, each of
                // them on different streams": the next fragment comes from the next stream in turn.
                roundRobin.remove(id);
                roundRobin.add(id);
            }
            if (end) {
                s.queue.poll();
                current = null;
                roundRobin.remove(id);
                if (s.queue.isEmpty()) {
                    s.active = false;
                } else {
                    roundRobin.add(id); // to the back: round-robin between streams
                }
            }
            consumed(id, s, len, lowListener);
            return new Fragment(m, id, m.ssn, m.ppid, m.payload, m.unordered, beginning, end, interleaving, m.mid, fsn,
                    start, len);
        }
    }

    private void consumed(int id, OutStream s, long n, IntConsumer lowListener) {
        long before = s.buffered;
        s.buffered -= n;
        markChanged(id, s);
        total -= n;
        if (before > s.lowThreshold && s.buffered <= s.lowThreshold) {
            lowListener.accept(id);
        }
    }

    /**
     * Drops the unsent rest of a message that was abandoned after its first fragment was sent.
     *
     * @return true if bytes were dropped (the stream's head message was {@code m})
     */
    public boolean discardRest(Message m, IntConsumer lowListener) {
        OutStream s = streams.get(m.streamId);
        if (s == null || s.queue.peek() != m || m.offset == 0 || m.fullyFragmented()) {
            return false;
        }
        s.queue.poll();
        int rest = m.payload.length - m.offset;
        m.offset = m.payload.length;
        if (Integer.valueOf(m.streamId).equals(current)) {
            current = null;
        }
        roundRobin.remove(m.streamId);
        if (s.queue.isEmpty()) {
            s.active = false;
        } else {
            roundRobin.add(m.streamId);
        }
        consumed(m.streamId, s, rest, lowListener);
        return true;
    }

    /**
     * Applies RFC 3758 §3.1 timed reliability (W3C maxPacketLifeTime) to queued messages. A message
     * whose lifetime expired before its first transmission is dropped: it took no TSN, SSN or MID,
     * so the peer needs no FORWARD TSN, and its bytes leave {@link #bufferedAmount(int)} at once
     * (with the low-threshold callback) instead of when the congestion window next opens. A message
     * partly sent (some fragments have TSNs) is handed to {@code partlySentExpired}, which must
     * abandon it whole (outstanding fragments and, via {@link #discardRest}, the unsent rest). Cheap
     * when nothing can have expired: the queues are scanned only once {@code nowMs} reaches the
     * earliest expiry seen.
     *
     * @param nowMs current time, ms
     * @param lowListener called with a stream id when its buffered amount falls to or below its
     *     threshold from above
     * @param partlySentExpired called for each expired message whose first fragments were sent
     * @return the number of never-sent messages dropped
     */
    public int discardExpired(long nowMs, IntConsumer lowListener, java.util.function.Consumer<Message> partlySentExpired) {
        if (nowMs < earliestExpiryMs) {
            return 0;
        }
        int dropped = 0;
        long earliest = Long.MAX_VALUE;
        List<Message> partly = new ArrayList<>();
        for (Map.Entry<Integer, OutStream> e : streams.entrySet()) {
            OutStream s = e.getValue();
            for (Iterator<Message> it = s.queue.iterator(); it.hasNext(); ) {
                Message m = it.next();
                if (m.expiresAtMs > nowMs) {
                    earliest = Math.min(earliest, m.expiresAtMs);
                } else if (m.offset > 0) {
                    partly.add(m);
                } else {
                    it.remove();
                    m.abandoned = true;
                    dropped++;
                    consumed(e.getKey(), s, m.payload.length, lowListener);
                }
            }
            if (s.queue.isEmpty() && s.active && !Integer.valueOf(e.getKey()).equals(current)) {
                s.active = false;
                roundRobin.remove(e.getKey());
            }
        }
        earliestExpiryMs = earliest;
        for (Message m : partly) {
            partlySentExpired.accept(m);
        }
        return dropped;
    }

    private void markChanged(int id, OutStream s) {
        if (!s.changed) {
            s.changed = true;
            if (changedCount == changed.length) {
                changed = java.util.Arrays.copyOf(changed, changedCount * 2);
            }
            changed[changedCount++] = id;
        }
    }

    /**
     * Hands over each stream whose {@link #bufferedAmount} changed (a message queued, fragments
     * transmitted or discarded) since the previous call, once each, in the order of their first change.
     * Costs the number of changed streams, not the number of streams.
     *
     * @param streamIds receives the stream ids, 0..65535
     * @return how many streams were reported
     */
    public int pollChangedStreams(IntConsumer streamIds) {
        // swap lists first: the consumer may queue data again, which is then reported next time
        int[] list = changed;
        int n = changedCount;
        changed = changedSpare;
        changedSpare = list;
        changedCount = 0;
        for (int i = 0; i < n; i++) {
            int id = list[i];
            OutStream s = streams.get(id);
            if (s != null) {
                s.changed = false;
            }
            streamIds.accept(id);
        }
        return n;
    }

    /** @return the stream's buffered bytes (0 for unknown streams) */
    public long bufferedAmount(int streamId) {
        OutStream s = streams.get(streamId);
        return s == null ? 0 : s.buffered;
    }

    /** Sets the stream's low threshold, bytes &gt;= 0. */
    public void setLowThreshold(int streamId, long bytes) {
        stream(streamId).lowThreshold = bytes;
    }

    /** @return true if the stream has no queued bytes (its last message was fully fragmented) */
    public boolean isDrained(int streamId) {
        OutStream s = streams.get(streamId);
        return s == null || s.queue.isEmpty();
    }

    /** Marks a stream as being reset: {@link #add} throws until {@link #completeReset}. */
    public void markResetPending(int streamId) {
        stream(streamId).resetPending = true;
    }

    /** @return true if the stream's reset is pending */
    public boolean isResetPending(int streamId) {
        OutStream s = streams.get(streamId);
        return s != null && s.resetPending;
    }

    /**
     * Completes an outgoing reset: the stream's next SSN becomes 0 (RFC 6525 §5.1.2 "... the sender
     * ... MUST reset the SSN of the affected outgoing streams to 0") and sending is allowed again.
     *
     * @param resetSsn true to reset the SSN (success), false to only lift the pending flag (failure)
     */
    public void completeReset(int streamId, boolean resetSsn) {
        OutStream s = stream(streamId);
        s.resetPending = false;
        if (resetSsn) {
            s.nextSsn = 0;
            // RFC 8260 §2.3.2: "When an association resets the SSN using the SCTP extension defined in
            // [RFC6525], the two counters (one for the ordered messages, one for the unordered
            // messages) used for the MIDs MUST be reset to 0."
            s.nextMidOrdered = 0;
            s.nextMidUnordered = 0;
        }
    }
}
