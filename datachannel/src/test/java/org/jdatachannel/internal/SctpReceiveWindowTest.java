package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.rx.ReassemblyQueue;
import org.junit.jupiter.api.Test;

/**
 * The receive window {@link SctpAssociationPort} configures leaves room for a largest message with
 * the reassembly queue's per-chunk charge, so a peer that honours a_rwnd strictly (Firefox's
 * usrsctp) never has to trickle a largest message's last fragments through zero-window probes.
 */
class SctpReceiveWindowTest {

    /** Fragment payload of browsers' SCTP over DTLS on a 1280-byte path, roughly. */
    private static final int BROWSER_FRAGMENT = 1100;

    @Test
    void largestMessageAndItsChargeFitTheWindow() {
        for (long max : new long[] {1, 65536, 262144, 1 << 20, 3_000_001, 64L << 20, (1L << 30) - 1}) {
            int window = SctpAssociationPort.receiveWindow(max);
            long charged = max + (max / BROWSER_FRAGMENT + 1) * (long) ReassemblyQueue.ENTRY_OVERHEAD;
            assertTrue(window >= Math.min(charged, 1L << 30), () -> max + " -> " + window);
            assertTrue(window >= SctpAssociationPort.MIN_RECEIVE_WINDOW, () -> max + " -> " + window);
            assertTrue(window <= 1 << 30, () -> max + " -> " + window);
        }
        assertEquals(SctpAssociationPort.MIN_RECEIVE_WINDOW, SctpAssociationPort.receiveWindow(262144));
        assertEquals(1 << 30, SctpAssociationPort.receiveWindow(1L << 30));
        assertEquals(1 << 30, SctpAssociationPort.receiveWindow(Long.MAX_VALUE));
    }

    @Test
    void initAdvertisesThatWindow() throws Exception {
        long max = 1 << 20;
        SctpAssociationPort port = new SctpAssociationPort(new SctpPort.Params(5000, 5000, 65536, max, true), () -> 0);
        port.connect(0);
        SctpEvent e = port.poll();
        SctpEvent.SendPacket send = assertInstanceOf(SctpEvent.SendPacket.class, e);
        SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(send.packet()));
        InitChunk init = assertInstanceOf(InitChunk.class, p.chunks().get(0));
        assertEquals(SctpAssociationPort.receiveWindow(max), init.aRwnd());
        assertTrue(Integer.toUnsignedLong(init.aRwnd()) > max, () -> "a_rwnd " + init.aRwnd());
    }
}
