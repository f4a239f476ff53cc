package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.dcep.ChannelType;
import org.jdatachannel.dcep.DataChannelOpen;
import org.junit.jupiter.api.Test;

/**
 * A peer refusing our stream reset (RFC 6525 Denied / error; SCTP reports StreamResetFailed): the
 * closing channel closes locally (CLOSED, onClose once) instead of staying CLOSING forever, and its
 * id is kept out of use because the peer never reset the stream (RFC 8831 §6.7, INTEROP-NOTES).
 */
class ChannelManagerResetFailureTest extends ChannelManagerFixture {
    @Override
    void watch(DataChannel ch) {
        String label = ch.label();
        ch.onClose(() -> events.add("close " + label));
    }

    @Test
    void refusedLocalCloseClosesOnceAndRetiresTheId() {
        DataChannelImpl ch = createConnectAndClose("x");
        // SCTP: the peer answered Denied; the stream may be sent on again at SCTP level
        onLoop(() -> {
            link.pendingResets.remove(0);
            mgr.onStreamResetFailed(new int[] {0});
        });
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        assertEquals(List.of("close x"), events);
        // later news about the stream changes nothing for the closed channel
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {0}));
        onLoop(() -> mgr.onStreamResetFailed(new int[] {0}));
        assertEquals(List.of("close x"), events, "onClose once");
        assertEquals(DataChannelState.CLOSED, ch.readyState());
        // the id is not reused: a new channel takes the next one, a negotiated one on 0 is refused
        DataChannelImpl y = create("y", null);
        assertEquals(2, y.id());
        assertEquals(DataChannelState.OPEN, y.readyState());
        assertThrows(IllegalArgumentException.class,
                () -> loop.call(() -> mgr.createChannel("z", new DataChannelInit().negotiated(true).id(0))));
    }

    @Test
    void refusedResetAnsweringThePeersCloseAlsoFinishesTheClose() {
        List<String> announced = new ArrayList<>();
        mgr.setOnDataChannel(c -> announced.add(c.label()));
        connect(true);
        byte[] open = new DataChannelOpen(ChannelType.RELIABLE, 0, 0, "remote", "").toBytes();
        onLoop(() -> mgr.onMessage(1, 50, open));
        assertEquals(List.of("remote"), announced);
        // the peer closes: we answer with our own reset, which it then refuses
        onLoop(() -> mgr.onIncomingStreamsReset(new int[] {1}));
        assertEquals(List.of(1), link.resets);
        onLoop(() -> {
            link.pendingResets.remove(1);
            mgr.onStreamResetFailed(new int[] {1});
        });
        // a new OPEN from the peer on stream 1 is refused: the id stays out of use
        onLoop(() -> mgr.onMessage(1, 50, new DataChannelOpen(ChannelType.RELIABLE, 0, 0, "again", "").toBytes()));
        assertEquals(List.of("remote"), announced);
    }
}
