package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SctpAssociationPort}'s hot-path entry points (issue 6): packets given as a range of a buffer
 * the caller reuses right away, and the buffered-amount change signal.
 */
class SctpAssociationPortTest {

    /** Two ports back to back; every packet goes through one shared buffer that is scribbled over after each call. */
    private static final class Pair {
        final SctpAssociationPort a = new SctpAssociationPort(new SctpPort.Params(5000, 5000, 1 << 20, 1 << 20, true), () -> 0);
        final SctpAssociationPort b = new SctpAssociationPort(new SctpPort.Params(5000, 5000, 1 << 20, 1 << 20, true), () -> 0);
        final byte[] shared = new byte[2048];
        final List<byte[]> receivedByB = new ArrayList<>();
        boolean connected;

        void pump() {
            ArrayDeque<byte[]> toA = new ArrayDeque<>();
            ArrayDeque<byte[]> toB = new ArrayDeque<>();
            boolean any = true;
            while (any) {
                any = false;
                SctpEvent e;
                while ((e = a.poll()) != null) {
                    if (e instanceof SctpEvent.SendPacket p) {
                        toB.add(p.packet());
                    }
                }
                while ((e = b.poll()) != null) {
                    if (e instanceof SctpEvent.SendPacket p) {
                        toA.add(p.packet());
                    } else if (e instanceof SctpEvent.MessageReceived m) {
                        receivedByB.add(m.payload());
                    } else if (e instanceof SctpEvent.Connected) {
                        connected = true;
                    }
                }
                byte[] p;
                while ((p = toB.poll()) != null) {
                    deliver(b, p);
                    any = true;
                }
                while ((p = toA.poll()) != null) {
                    deliver(a, p);
                    any = true;
                }
            }
        }

        private void deliver(SctpAssociationPort to, byte[] packet) {
            int off = 7; // not at the start of the array
            System.arraycopy(packet, 0, shared, off, packet.length);
            to.handleInput(shared, off, packet.length, 0);
            Arrays.fill(shared, (byte) 0x5a); // the port must not have kept a reference
        }
    }

    @Test
    void packetsGivenAsARangeOfAReusedBufferArriveIntact() {
        Pair p = new Pair();
        p.a.connect(0);
        p.b.connect(0);
        p.pump();
        assertTrue(p.connected);
        Random random = new Random(11);
        List<byte[]> sent = new ArrayList<>();
        for (int size : new int[] {1, 1000, 5000, 70_000}) {
            byte[] m = new byte[size];
            random.nextBytes(m);
            sent.add(m.clone());
            p.a.send(1, 53, m, false, -1, -1);
            p.pump();
        }
        assertEquals(sent.size(), p.receivedByB.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), p.receivedByB.get(i), "message " + i);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> p.b.handleInput(new byte[10], 8, 4, 0));
    }

    @Test
    void bufferedAmountChangesAreReportedPerStream() {
        Pair p = new Pair();
        p.a.connect(0);
        p.b.connect(0);
        p.pump();
        List<Integer> changed = new ArrayList<>();
        assertTrue(p.a.pollBufferedAmountChanges(changed::add));
        changed.clear();
        p.a.send(3, 53, new byte[100], false, -1, -1);
        p.a.send(4, 53, new byte[100], false, -1, -1);
        assertTrue(p.a.pollBufferedAmountChanges(changed::add));
        assertEquals(List.of(3, 4), changed, "queued (and sent) on streams 3 and 4");
        changed.clear();
        assertTrue(p.a.pollBufferedAmountChanges(changed::add));
        assertTrue(changed.isEmpty(), "nothing changed since");
        p.pump();
        assertEquals(0, p.a.bufferedAmount(3));
        // the default for links that cannot tell (test doubles): false, walk everything
        SctpLink plain = new FakeSctpLinkStub();
        assertFalse(plain.pollBufferedAmountChanges(id -> { }));
    }

    /** An SctpLink without the signal. */
    private static final class FakeSctpLinkStub implements SctpLink {
        @Override
        public void send(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits, long lifetimeMs) {
        }

        @Override
        public void resetStream(int streamId) {
        }

        @Override
        public long bufferedAmount(int streamId) {
            return 0;
        }

        @Override
        public void setBufferedAmountLowThreshold(int streamId, long bytes) {
        }
    }
}
