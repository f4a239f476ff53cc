package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 7983 §7 at the host socket: a datagram whose first byte is not STUN (0..3), DTLS (20..63)
 * or TURN ChannelData (64..79) is dropped before ice4j and before the agent's receive queue, and
 * counted in {@link IceAgent#drops()}{@code .notDemultiplexed()}.
 *
 * <p>Network rule: the agent gathers on 127.0.0.1 only and the sender is a loopback socket.
 */
class HostSocketDemuxTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final long WAIT_MS = 5000;

    @BeforeAll
    static void logging() {
        IceLogging.install();
    }

    @Test
    void onlyStunDtlsAndChannelDataFirstBytesPass() {
        for (int b = 0; b < 256; b++) {
            boolean expected = b <= 3 || (b >= 20 && b <= 79);
            assertEquals(expected, HostSocket.isDemultiplexed(b), "first byte " + b);
        }
    }

    @Test
    void junkFirstBytesAreDroppedAndCounted() throws Exception {
        try (IceAgent agent = new IceAgent(IceConfig.builder().controlling(false)
                .addressFilter(a -> a instanceof Inet4Address && a.isLoopbackAddress()).build());
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            agent.gather();
            InetSocketAddress target = agent.localSocketAddresses().get(0);
            long before = agent.drops().notDemultiplexed();
            List<Integer> firstBytes = new ArrayList<>();
            for (int b = 4; b < 20; b++) {
                firstBytes.add(b); // between STUN and DTLS (ZRTP 16..19 included)
            }
            for (int b = 80; b < 256; b += 7) {
                firstBytes.add(b); // QUIC / RTP / RTCP ranges
            }
            for (int b : firstBytes) {
                byte[] d = new byte[] {(byte) b, 1, 2, 3, 4, 5, 6, 7};
                stranger.send(new DatagramPacket(d, d.length, target));
            }
            // The reader thread counts asynchronously: wait (bounded) for the whole batch.
            long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
            long dropped;
            while ((dropped = agent.drops().notDemultiplexed() - before) < firstBytes.size()
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(firstBytes.size(), dropped, "dropped at the first byte: " + agent.drops());
            assertEquals(0, agent.drops().unknownSource(), "nothing reached the source check: " + agent.drops());
            assertEquals(0, agent.drops().queueFull(), agent.drops().toString());
            assertTrue(noReply(stranger), "junk is never answered");
        }
    }

    private static boolean noReply(DatagramSocket s) throws IOException {
        s.setSoTimeout(300);
        try {
            s.receive(new DatagramPacket(new byte[2048], 2048));
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }
}
