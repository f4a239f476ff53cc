package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RFC 7983 §7 demultiplexing: first byte 0..3 goes to ice4j, the rest to the application. */
class HostSocketTest {
    @Test
    void stunGoesToIce4jEverythingElseToTheSink() throws Exception {
        BlockingQueue<byte[]> app = new LinkedBlockingQueue<>();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        HostSocket hs = HostSocket.bind(lo, 0, 0, (via, data, from) -> app.add(data));
        hs.start();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            // A STUN Binding request header (RFC 8489 §5): type 0x0001, length 0, magic cookie.
            byte[] stun = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, (byte) 0xA4, 0x42,
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            byte[] dtls = new byte[40000];
            Arrays.fill(dtls, (byte) 7);
            dtls[0] = 22; // DTLS handshake content type (RFC 7983: 20..63)
            peer.send(new DatagramPacket(stun, stun.length, hs.local()));
            peer.send(new DatagramPacket(dtls, dtls.length, hs.local()));
            byte[] bigStun = new byte[HostSocket.MAX_STUN_DATAGRAM + 1];
            bigStun[0] = 0x01;
            peer.send(new DatagramPacket(bigStun, bigStun.length, hs.local())); // dropped
            byte[] got = app.poll(5, TimeUnit.SECONDS);
            assertArrayEquals(dtls, got, "large non-STUN datagram delivered whole");

            DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
            hs.receive(p);
            assertArrayEquals(stun, Arrays.copyOf(p.getData(), p.getLength()));
            assertEquals(peer.getLocalSocketAddress(), p.getSocketAddress());
            assertEquals(0, app.size(), "STUN never reaches the application");
            // The oversized STUN-range datagram was dropped: the next STUN is the small one again.
            peer.send(new DatagramPacket(stun, stun.length, hs.local()));
            DatagramPacket q = new DatagramPacket(new byte[1500], 1500);
            hs.receive(q);
            assertEquals(stun.length, q.getLength());
        } finally {
            hs.close();
        }
        try (DatagramSocket again = new DatagramSocket(hs.local())) {
            assertEquals(hs.local().getPort(), again.getLocalPort(), "the port is free once close returns");
        }
        assertThrows(IOException.class, () -> hs.receive(new DatagramPacket(new byte[10], 10)));
    }

    /** Relay-only: a host socket restricted to its TURN server drops everyone else's datagrams, STUN included. */
    @Test
    void acceptOnlyFromDropsOtherSources() throws Exception {
        BlockingQueue<byte[]> app = new LinkedBlockingQueue<>();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        HostSocket hs = HostSocket.bind(lo, 0, 0, (via, data, from) -> app.add(data));
        hs.start();
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(lo, 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            hs.acceptOnlyFrom(server.getLocalSocketAddress()::equals);
            byte[] stun = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, (byte) 0xA4, 0x42,
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            stranger.send(new DatagramPacket(stun, stun.length, hs.local()));
            stranger.send(new DatagramPacket(new byte[] {23, 1}, 2, hs.local()));
            server.send(new DatagramPacket(new byte[] {23, 2}, 2, hs.local()));
            server.send(new DatagramPacket(stun, stun.length, hs.local()));
            // UDP on loopback keeps order per socket pair, and the reader handles datagrams in
            // arrival order: the server's datagrams come after the stranger's were dropped.
            assertArrayEquals(new byte[] {23, 2}, app.poll(5, TimeUnit.SECONDS));
            DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
            hs.receive(p);
            assertEquals(server.getLocalSocketAddress(), p.getSocketAddress(), "the stranger's STUN was dropped");
            assertEquals(0, app.size());
        } finally {
            hs.close();
        }
    }

    @Test
    void bindFailsWhenThePortRangeIsTaken() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            int port = taken.getLocalPort();
            IOException e = assertThrows(IOException.class, () -> HostSocket.bind(lo, port, port, (v, d, f) -> { }));
            assertEquals(true, e.getMessage().contains(String.valueOf(port)), e.getMessage());
        }
    }
}
