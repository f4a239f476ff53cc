package org.jdatachannel.sctp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.sctp.Association;
import org.jdatachannel.sctp.AssociationProbe;
import org.jdatachannel.sctp.AssociationState;
import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.SctpOutput;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.AbortChunk;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.errorcause.ProtocolViolationCause;
import org.jdatachannel.sctp.rx.DataTracker;
import org.jdatachannel.sctp.rx.ReassemblyQueue;
import org.junit.jupiter.api.Test;

/**
 * Receive-side memory bounds (RFC 9260 §6.2 receive window, RFC 8831/8841 max-message-size): a
 * peer cannot make an established association hold more than its documented limits, whatever it
 * sends. Each test measures the association's accounted bytes and entries
 * ({@link AssociationProbe#footprint}), not the JVM heap.
 */
class ReceiveBoundsTest {
    private static final SctpOptions OPTS = Harness.options();
    private static final long WINDOW = OPTS.receiveWindow();
    private static final long MAX_MESSAGE = OPTS.maxReceiveMessageSize();

    /** What B did with one packet. */
    record Result(List<Chunk> sent, List<SctpOutput> events, AssociationProbe.Footprint footprint) {
        <T extends Chunk> List<T> chunks(Class<T> type) {
            List<T> l = new ArrayList<>();
            for (Chunk c : sent) {
                if (type.isInstance(c)) {
                    l.add(type.cast(c));
                }
            }
            return l;
        }
    }

    static Result feed(Harness h, List<? extends Chunk> chunks) {
        Association b = h.b;
        b.handleInput(ByteBuffer.wrap(new SctpPacket(Harness.PORT, Harness.PORT, h.tagOfB, List.copyOf(chunks)).serialize()),
                h.now);
        List<Chunk> sent = new ArrayList<>();
        List<SctpOutput> events = new ArrayList<>();
        SctpOutput o;
        while ((o = b.pollOutput()) != null) {
            if (o instanceof SctpOutput.SendPacket sp) {
                try {
                    sent.addAll(SctpPacket.parse(ByteBuffer.wrap(sp.packet()), true).chunks());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            } else {
                events.add(o);
            }
        }
        assertEquals(0, AssociationProbe.internalErrors(b));
        return new Result(sent, events, AssociationProbe.footprint(b));
    }

    static void assertWithinBounds(AssociationProbe.Footprint f) {
        assertTrue(f.reassemblyBytes() <= 2 * WINDOW, "accounted bytes " + f);
        assertTrue(f.reassemblyEntries() <= 2 * WINDOW / ReassemblyQueue.ENTRY_OVERHEAD, "entries " + f);
        assertTrue(f.trackedTsns() <= DataTracker.MAX_TSNS_ABOVE_CUM, "tracked TSNs " + f);
        assertTrue(f.duplicateTsns() <= DataTracker.MAX_DUPLICATES, "duplicates " + f);
    }

    static String abortReason(List<Chunk> sent) {
        for (Chunk c : sent) {
            if (c instanceof AbortChunk a && !a.causes().isEmpty() && a.causes().get(0) instanceof ProtocolViolationCause p) {
                return p.text();
            }
        }
        return null;
    }

    /**
     * A message that never ends (B, then middle fragments in order, never E) is aborted as soon as it
     * passes max-message-size, not when twice the window is full.
     */
    @Test
    void neverEndingMessageIsAbortedAtMaxMessageSize() {
        Harness h = Harness.established();
        int next = h.nextTsnOfA();
        long peak = 0;
        for (int i = 0; i < 1000; i++) {
            Result r = feed(h, List.of(new DataChunk(next + i, 6, 0, 53, new byte[1000], false, i == 0, false)));
            assertWithinBounds(r.footprint());
            if (h.b.state() == AssociationState.CLOSED) {
                assertEquals((int) (MAX_MESSAGE / 1000), i, "aborted at the first fragment beyond the limit");
                assertTrue(abortReason(r.sent()).contains("max-message-size"), r.sent().toString());
                assertTrue(peak <= MAX_MESSAGE + (MAX_MESSAGE / 1000 + 1) * ReassemblyQueue.ENTRY_OVERHEAD, "peak " + peak);
                return;
            }
            peak = Math.max(peak, r.footprint().reassemblyBytes());
        }
        throw new AssertionError("never aborted; holding " + peak + " bytes");
    }

    /** The same with I-DATA (RFC 8260): one MID, FSNs counting up, no E bit. */
    @Test
    void neverEndingInterleavedMessageIsAbortedAtMaxMessageSize() {
        Harness h = Harness.established(Harness.interleavedOptions());
        int next = h.nextTsnOfA();
        for (int i = 0; i < 1000; i++) {
            Result r = feed(h, List.of(new IDataChunk(next + i, 6, 0, i, 53, new byte[1000], false, i == 0, false)));
            assertWithinBounds(r.footprint());
            if (h.b.state() == AssociationState.CLOSED) {
                assertTrue(i >= MAX_MESSAGE / 1000 && i <= MAX_MESSAGE / 1000 + 1, "aborted at fragment " + i);
                return;
            }
        }
        throw new AssertionError("never aborted");
    }

    /**
     * In-order 1-byte first fragments, each on its own stream, none ever completed: each is the next
     * expected TSN, so each is taken, but the per-chunk charge keeps the entries to what the accounted
     * window allows, a_rwnd drops to 0, and pushing on past twice the window aborts.
     */
    @Test
    void partialMessagesOnManyStreamsAreChargedAndBounded() {
        Harness h = Harness.established();
        int tsn = h.nextTsnOfA();
        boolean sawZeroWindow = false;
        for (int p = 0; p < 2000; p++) {
            List<Chunk> chunks = new ArrayList<>();
            for (int k = 0; k < 58; k++, tsn++) {
                chunks.add(new DataChunk(tsn, 1 + (tsn & 0x3fff), 0, 53, new byte[] {1}, false, true, false));
            }
            Result r = feed(h, chunks);
            assertWithinBounds(r.footprint());
            for (SackChunk s : r.chunks(SackChunk.class)) {
                sawZeroWindow |= s.aRwnd() == 0;
            }
            if (h.b.state() == AssociationState.CLOSED) {
                assertTrue(sawZeroWindow, "a_rwnd reached 0 before the abort");
                assertEquals("receive buffer exhausted", abortReason(r.sent()));
                return;
            }
        }
        throw new AssertionError("never aborted: " + AssociationProbe.footprint(h.b));
    }

    /**
     * Behind a hole (the next expected TSN missing), 1-byte ordered messages waiting for their turn are
     * taken only while the accounted window has room; the rest is dropped (the sender retransmits).
     * Filling the hole delivers everything that was taken and frees it all.
     */
    @Test
    void tinyMessagesBehindAHoleStopAtTheWindow() {
        Harness h = Harness.established();
        int next = h.nextTsnOfA();
        int tsn = next + 1;
        int ssn = 1;
        Result r = null;
        for (int p = 0; p < 600; p++) {
            List<Chunk> chunks = new ArrayList<>();
            for (int k = 0; k < 58; k++) {
                chunks.add(new DataChunk(tsn++, 9, ssn++ & 0xffff, 53, new byte[] {7}, false, true, true));
            }
            r = feed(h, chunks);
            assertWithinBounds(r.footprint());
            assertTrue(r.footprint().reassemblyBytes() <= WINDOW, "out-of-order data stays within the window");
        }
        assertEquals(AssociationState.ESTABLISHED, h.b.state());
        int held = r.footprint().reassemblyEntries();
        assertTrue(held >= WINDOW / (1 + ReassemblyQueue.ENTRY_OVERHEAD) - 1 && held <= WINDOW / ReassemblyQueue.ENTRY_OVERHEAD,
                "held " + held);
        r = feed(h, List.of(new DataChunk(next, 9, 0, 53, new byte[] {7}, false, true, true)));
        long delivered = r.events().stream().filter(e -> e instanceof SctpOutput.MessageReceived).count();
        assertEquals(held + 1, delivered, "the message in the hole and every held one after it");
        assertEquals(0, r.footprint().reassemblyBytes());
        assertEquals(0, r.footprint().reassemblyEntries());
    }

    /** TSNs far beyond the cumulative TSN (more than 65535 ahead, or half the TSN space) keep nothing. */
    @Test
    void tsnsFarBeyondTheWindowLeaveNoState() {
        Harness h = Harness.established();
        int next = h.nextTsnOfA();
        for (int ahead : new int[] {65536, 70000, 1 << 20, Integer.MAX_VALUE, Integer.MIN_VALUE, -1}) {
            Result r = feed(h, List.of(new DataChunk(next + ahead, 1, 5, 53, new byte[100], false, true, true)));
            assertEquals(0, r.footprint().trackedTsns(), "ahead " + ahead);
            assertEquals(0, r.footprint().reassemblyEntries(), "ahead " + ahead);
        }
        Result r = feed(h, List.of(new DataChunk(next + 65534, 1, 5, 53, new byte[100], false, true, true)));
        assertEquals(1, r.footprint().trackedTsns(), "65535 above the cumulative TSN is still tracked (16-bit gap offsets)");
        assertEquals(AssociationState.ESTABLISHED, h.b.state());
    }

    /** A packet of 500 duplicate DATA chunks is answered at once with a SACK listing at most 32. */
    @Test
    void duplicateFloodReportsAtMost32() {
        Harness h = Harness.established();
        int next = h.nextTsnOfA();
        feed(h, List.of(new DataChunk(next, 1, 0, 53, new byte[1], false, true, true)));
        List<Chunk> dups = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            dups.add(new DataChunk(next - (i % 3), 1, 0, 53, new byte[1], false, true, true));
        }
        Result r = feed(h, dups);
        List<SackChunk> sacks = r.chunks(SackChunk.class);
        assertEquals(1, sacks.size(), "duplicates are acknowledged at once (§6.2)");
        assertEquals(DataTracker.MAX_DUPLICATES, sacks.get(0).duplicateTsns().length);
        assertEquals(0, r.footprint().duplicateTsns());
    }

    /** A SACK with 8000 gap blocks and 8000 duplicate TSNs costs nothing beyond the packet. */
    @Test
    void hugeSackKeepsNoState() {
        Harness h = Harness.established();
        AssociationProbe.Footprint before = AssociationProbe.footprint(h.b);
        List<SackChunk.GapAckBlock> gaps = new ArrayList<>();
        int[] dupTsns = new int[8000];
        for (int i = 0; i < 8000; i++) {
            gaps.add(new SackChunk.GapAckBlock(1 + i % 7, 2 + i % 7));
            dupTsns[i] = i;
        }
        Result r = feed(h, List.of(new SackChunk(0, 1 << 20, gaps, dupTsns)));
        assertEquals(before.reassemblyBytes(), r.footprint().reassemblyBytes());
        assertEquals(before.trackedTsns(), r.footprint().trackedTsns());
        assertTrue(r.sent().size() < 20, "answered with at most a few chunks: " + r.sent().size());
        assertEquals(AssociationState.ESTABLISHED, h.b.state());
    }
}
