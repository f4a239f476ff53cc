package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.echoIncoming;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.jdatachannel.dtls.PacketTransport;
import org.jdatachannel.internal.SctpAssociationPort;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Datagrams that are neither STUN nor DTLS on a live connection's ICE port (issue 5: "Packets that
 * are neither STUN nor DTLS on the ICE port: dropped (RFC 7983 demux)"), over a real loopback
 * PeerConnection pair with an echoing data channel.
 *
 * <p>RFC 7983 §7 (paraphrased): by its first byte a datagram is STUN (0..3), ZRTP (16..19), DTLS
 * (20..63), TURN ChannelData (64..79) or RTP/RTCP (128..191), and one in no range is dropped.
 * Every other first byte is sent, from the peer's own address and port (through the peer's
 * transport under DTLS, i.e. over the selected pair) and from a stranger socket on 127.0.0.1 that
 * ICE never checked. What must happen: the ICE host socket drops 4..19 and 80..255 (nothing a
 * data channel uses); the peer's 64..79 (TURN ChannelData range, passed on for relayed paths)
 * reaches DTLS, whose demux drops it; nothing from the stranger, not even DTLS-looking
 * datagrams, gets past ICE's source check; and the channel keeps echoing between every batch.
 */
class NonDtlsOnIcePortTest {
    private static final Logger LOG = LoggerFactory.getLogger(NonDtlsOnIcePortTest.class);
    /** Second byte of the junk, telling the peer's datagrams from the stranger's. */
    private static final byte FROM_PEER = 0x50;
    private static final byte FROM_STRANGER = 0x53;

    /** Counts, by first and second byte, what reaches DTLS from below (after ICE). */
    private static PacketTransport counting(PacketTransport lower, AtomicLongArray seen) {
        return new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                lower.send(buf, off, len);
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                int n = lower.receive(buf, off, len, waitMillis);
                if (n >= 2) {
                    seen.incrementAndGet(((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF));
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                lower.close();
            }
        };
    }

    private static byte[] junk(int first, byte marker) {
        byte[] d = new byte[120];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 37 + first);
        }
        d[0] = (byte) first;
        d[1] = marker;
        return d;
    }

    private static boolean isStunOrDtls(int first) {
        return first <= 3 || (first >= 20 && first <= 63);
    }

    private static void echo(DataChannel ch, BlockingQueue<String> back, String text) throws Exception {
        ch.send(text);
        assertEquals(text, back.poll(T, TimeUnit.SECONDS), "the channel still echoes");
    }

    @Test
    void nonStunNonDtlsDatagramsAreDroppedAndTheChannelKeepsEchoing() throws Exception {
        AtomicLongArray seenByDtlsOfA = new AtomicLongArray(1 << 16);
        AtomicReference<PacketTransport> lowerOfB = new AtomicReference<>();
        try (PeerConnection a = new PeerConnection(loopback().build(), SctpAssociationPort.FACTORY,
                lower -> counting(lower, seenByDtlsOfA));
             PeerConnection b = new PeerConnection(loopback().build(), SctpAssociationPort.FACTORY, lower -> {
                 lowerOfB.set(lower);
                 return lower;
             });
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            List<DataChannel> remote = new CopyOnWriteArrayList<>();
            echoIncoming(b, remote);
            DataChannel ch = a.createDataChannel("echo", null);
            BlockingQueue<String> back = new LinkedBlockingQueue<>();
            ch.onMessage(m -> back.add(StandardCharsets.UTF_8.decode(m.data().duplicate()).toString()));
            var open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            echo(ch, back, "before");
            PacketTransport peer = lowerOfB.get();
            assertNotNull(peer, "b's transport under DTLS");
            List<InetSocketAddress> ports = a.iceSocketAddresses();
            assertFalse(ports.isEmpty());

            int[][] ranges = {{4, 19}, {64, 79}, {80, 127}, {128, 191}, {192, 255}};
            int sent = 0;
            for (int[] r : ranges) {
                for (int first = r[0]; first <= r[1]; first++) {
                    byte[] p = junk(first, FROM_PEER);
                    peer.send(p, 0, p.length);
                    byte[] s = junk(first, FROM_STRANGER);
                    for (InetSocketAddress port : ports) {
                        stranger.send(new DatagramPacket(s, s.length, port));
                    }
                    sent++;
                }
                echo(ch, back, "after " + r[0] + ".." + r[1]);
            }
            // A stranger's DTLS-looking datagrams (handshake, application data) and STUN-range
            // bytes without a valid message stop at ICE too (DTLS never sees them).
            for (int first : new int[] {0, 1, 20, 21, 22, 23, 63}) {
                byte[] s = junk(first, FROM_STRANGER);
                for (InetSocketAddress port : ports) {
                    stranger.send(new DatagramPacket(s, s.length, port));
                }
            }
            echo(ch, back, "after the stranger's DTLS-range datagrams");

            // The echo replies came from b's socket after b's junk, so every junk datagram that
            // was going to reach a's DTLS has reached it now (one socket, one reader, FIFO).
            long peerJunkAtDtls = 0;
            for (int first = 0; first < 256; first++) {
                long fromPeer = seenByDtlsOfA.get((first << 8) | (FROM_PEER & 0xFF));
                long fromStranger = seenByDtlsOfA.get((first << 8) | (FROM_STRANGER & 0xFF));
                assertEquals(0, fromStranger, "stranger's datagram with first byte " + first + " reached DTLS");
                if (!isStunOrDtls(first)) {
                    long expected = first >= 64 && first <= 79 ? 1 : 0;
                    assertEquals(expected, fromPeer, "peer's datagram with first byte " + first + " at DTLS");
                    peerJunkAtDtls += fromPeer;
                }
            }
            LOG.info("sent {} junk datagrams from the peer and as many from a stranger; {} reached DTLS's demux "
                    + "(TURN ChannelData range), the rest was dropped by the ICE host socket", sent, peerJunkAtDtls);
            assertEquals(16, peerJunkAtDtls);
            assertEquals(PeerConnectionState.CONNECTED, a.connectionState());
            assertEquals(PeerConnectionState.CONNECTED, b.connectionState());
        }
    }
}
