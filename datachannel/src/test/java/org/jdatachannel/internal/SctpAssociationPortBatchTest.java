package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The input-batch contract of {@link SctpPort} as {@link SctpAssociationPort} implements it: the
 * packets handed in between two {@code poll()} calls are one batch, acknowledged together (RFC 9260
 * §6.2 per batch, at most 3 packets per SACK by default), whichever {@code handleInput} overload is
 * used; polling after each packet answers each packet's I bit at once. Two ports wired back to back
 * on a fixed clock: the counts are deterministic.
 */
class SctpAssociationPortBatchTest {
    private static final int PACKETS = 12;

    private final long[] now = {0};
    private final SctpPort a = SctpAssociationPort.FACTORY.create(
            new SctpPort.Params(5000, 5000, 65536, 65536, false), () -> now[0]);
    private final SctpPort b = SctpAssociationPort.FACTORY.create(
            new SctpPort.Params(5000, 5000, 65536, 65536, false), () -> now[0]);

    private void connect() {
        a.connect(0);
        b.connect(0);
        boolean aUp = false;
        boolean bUp = false;
        for (int round = 0; round < 20 && !(aUp && bUp); round++) {
            for (SctpEvent e; (e = a.poll()) != null; ) {
                if (e instanceof SctpEvent.SendPacket p) {
                    b.handleInput(p.packet(), now[0]);
                } else if (e instanceof SctpEvent.Connected) {
                    aUp = true;
                }
            }
            for (SctpEvent e; (e = b.poll()) != null; ) {
                if (e instanceof SctpEvent.SendPacket p) {
                    a.handleInput(p.packet(), now[0]);
                } else if (e instanceof SctpEvent.Connected) {
                    bUp = true;
                }
            }
        }
        assertTrue(aUp && bUp, "association up");
    }

    /** A's DATA packets, one small message each (polled after every send, so nothing is bundled). */
    private List<byte[]> dataPackets() {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < PACKETS; i++) {
            a.send(1, 51, new byte[100], false, -1, -1);
            for (SctpEvent e; (e = a.poll()) != null; ) {
                if (e instanceof SctpEvent.SendPacket p) {
                    out.add(p.packet());
                }
            }
        }
        assertEquals(PACKETS, out.size(), "one packet per message");
        return out;
    }

    /** SACK chunks (type 3) among B's outputs, until drained. */
    private int sacksFromB() {
        int n = 0;
        for (SctpEvent e; (e = b.poll()) != null; ) {
            if (e instanceof SctpEvent.SendPacket p) {
                byte[] pkt = p.packet();
                for (int off = 12; off + 4 <= pkt.length; ) {
                    int len = ((pkt[off + 2] & 0xFF) << 8) | (pkt[off + 3] & 0xFF);
                    if ((pkt[off] & 0xFF) == 3) {
                        n++;
                    }
                    off += Math.max(4, (len + 3) & ~3);
                }
            }
        }
        return n;
    }

    @Test
    void packetsHandedInBeforeOnePollAreAcknowledgedAsOneBatch() {
        connect();
        List<byte[]> packets = dataPackets();
        for (byte[] p : packets) {
            b.handleInput(p, 0, p.length, now[0]);
        }
        assertEquals(PACKETS / 3, sacksFromB(), "one SACK per 3 packets of the batch");
    }

    @Test
    void theWholeArrayOverloadBatchesToo() {
        connect();
        List<byte[]> packets = dataPackets();
        for (byte[] p : packets) {
            b.handleInput(p, now[0]);
        }
        assertEquals(PACKETS / 3, sacksFromB());
    }

    /**
     * Each of A's packets carries the RFC 7053 I bit (its send queue is empty after each one), which
     * asks for a SACK without delay: polled per packet, each is answered at once; inside a batch (the
     * tests above) the I bits are answered at the end of the batch.
     */
    @Test
    void pollingAfterEachPacketAnswersEachImmediateAckBit() {
        connect();
        List<byte[]> packets = dataPackets();
        int sacks = 0;
        for (byte[] p : packets) {
            b.handleInput(p, 0, p.length, now[0]);
            sacks += sacksFromB();
        }
        assertEquals(PACKETS, sacks, "RFC 7053 §4.2: a SACK without delay for each I bit");
    }

    /** Chunk types of one SCTP packet, in order. */
    private static List<Integer> chunkTypes(byte[] pkt) {
        List<Integer> types = new ArrayList<>();
        for (int off = 12; off + 4 <= pkt.length; ) {
            int len = ((pkt[off + 2] & 0xFF) << 8) | (pkt[off + 3] & 0xFF);
            types.add(pkt[off] & 0xFF);
            off += Math.max(4, (len + 3) & ~3);
        }
        return types;
    }

    /**
     * Issue 6 (echo latency): {@code pollHoldingBatch} delivers the batch's message without ending
     * the batch, so the SACK its I bit asks for is not created yet; a reply sent before the next
     * {@code poll} carries it: one packet with SACK (type 3) then DATA (type 0), not a lone SACK
     * followed by a DATA packet (RFC 9260 §6: the SACK "SHOULD" be bundled with outbound DATA).
     */
    @Test
    void aReplySentWhileTheBatchIsHeldCarriesItsSack() {
        connect();
        byte[] request = dataPackets().get(0); // carries the I bit: A's queue is empty after it
        b.handleInput(request, 0, request.length, now[0]);
        List<SctpEvent> held = new ArrayList<>();
        for (SctpEvent e; (e = b.pollHoldingBatch()) != null; ) {
            held.add(e);
        }
        assertEquals(1, held.size(), "only the message, no SACK yet: " + held);
        assertTrue(held.get(0) instanceof SctpEvent.MessageReceived, held.toString());
        b.send(1, 51, new byte[100], false, -1, -1); // the reply, as an onMessage callback sends it
        List<List<Integer>> packets = new ArrayList<>();
        for (SctpEvent e; (e = b.poll()) != null; ) {
            if (e instanceof SctpEvent.SendPacket p) {
                packets.add(chunkTypes(p.packet()));
            }
        }
        assertEquals(List.of(List.of(3, 0)), packets, "one packet: SACK + DATA");
    }

    /** Without a reply, the poll after the held one ends the batch and the I bit is answered at once. */
    @Test
    void withoutAReplyTheNextPollSendsTheSack() {
        connect();
        byte[] request = dataPackets().get(0);
        b.handleInput(request, 0, request.length, now[0]);
        int messages = 0;
        for (SctpEvent e; (e = b.pollHoldingBatch()) != null; ) {
            assertTrue(e instanceof SctpEvent.MessageReceived, e.toString());
            messages++;
        }
        assertEquals(1, messages);
        assertEquals(1, sacksFromB(), "RFC 7053 §4.2: the SACK goes with the poll that ends the batch");
    }
}
