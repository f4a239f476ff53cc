package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.echoIncoming;
import static org.jdatachannel.PeerConnectionLoopbackTest.inbox;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.jdatachannel.PeerConnectionLoopbackTest.take;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 8260 message interleaving through the public API: offered by default, negotiated only when
 * both peers offer it, and data flows the same whichever way the negotiation goes (the sctp module's
 * InterleavingTest checks the chunks on the wire).
 */
class MessageInterleavingLoopbackTest {

    @Test
    void offeredByDefaultAndKeptByToBuilder() {
        assertTrue(RtcConfiguration.defaults().messageInterleaving());
        RtcConfiguration off = RtcConfiguration.builder().messageInterleaving(false).build();
        assertFalse(off.messageInterleaving());
        assertFalse(off.toBuilder().build().messageInterleaving());
    }

    @ParameterizedTest(name = "offerer offers I-DATA: {0}, answerer: {1}")
    @CsvSource({"true, true", "true, false", "false, true"})
    void largeAndSmallMessagesOnTwoChannelsArriveIntact(boolean offererInterleaves, boolean answererInterleaves)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(8260);
        try (PeerConnection a = new PeerConnection(loopback().messageInterleaving(offererInterleaves).build());
             PeerConnection b = new PeerConnection(loopback().messageInterleaving(answererInterleaves).build())) {
            echoIncoming(b, new ArrayList<>());
            DataChannel big = a.createDataChannel("big", null);
            DataChannel small = a.createDataChannel("small", null);
            BlockingQueue<DataChannelMessage> bigIn = inbox(big);
            BlockingQueue<DataChannelMessage> smallIn = inbox(small);
            var bigOpen = opened(big);
            var smallOpen = opened(small);
            negotiate(a, b);
            bigOpen.get(T, TimeUnit.SECONDS);
            smallOpen.get(T, TimeUnit.SECONDS);

            List<byte[]> bigSent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] m = new byte[(int) RtcConfiguration.DEFAULT_MAX_MESSAGE_SIZE];
                rnd.nextBytes(m);
                bigSent.add(m);
                big.send(m);
            }
            List<String> smallSent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                smallSent.add("small " + i);
                small.send("small " + i);
            }
            for (String s : smallSent) {
                assertEquals(s, take(smallIn).text());
            }
            for (byte[] m : bigSent) {
                assertArrayEquals(m, take(bigIn).bytes());
            }
        }
    }
}
