package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.dtls.PacketTransport;
import org.junit.jupiter.api.Test;

/** Push mode through {@link SwitchableTransport}: forwarded to the current transport, moved on a switch. */
class SwitchableTransportTest {

    /** A transport that records its receiver and can deliver to it. */
    private static final class Fake implements PacketTransport {
        final List<String> calls = new ArrayList<>();
        DatagramReceiver receiver;

        @Override
        public void send(byte[] buf, int off, int len) {
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) {
            return -1;
        }

        @Override
        public void setReceiver(DatagramReceiver r) {
            calls.add(r == null ? "null" : "set");
            receiver = r;
        }

        @Override
        public void close() {
        }

        void deliver(int b) {
            receiver.onDatagram(new byte[] {(byte) b}, 0, 1);
        }
    }

    @Test
    void receiverIsForwardedAndMovedOnSwitch() {
        Fake first = new Fake();
        Fake second = new Fake();
        SwitchableTransport t = new SwitchableTransport(first);
        List<Integer> got = new ArrayList<>();
        PacketTransport.DatagramReceiver r = (d, off, len) -> got.add((int) d[off]);
        t.setReceiver(r);
        first.deliver(1);
        assertSame(first, t.switchTo(second));
        assertEquals(List.of("set", "null"), first.calls, "installed, then removed from the old transport");
        assertEquals(List.of("set"), second.calls);
        assertNull(first.receiver);
        second.deliver(2);
        assertEquals(List.of(1, 2), got);
        t.setReceiver(null);
        assertNull(second.receiver);
        // Pull mode: a switch moves nothing.
        Fake third = new Fake();
        t.switchTo(third);
        assertEquals(List.of(), third.calls);
    }

    @Test
    void pullOnlyTransportRefusesPush() {
        PacketTransport pullOnly = new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) {
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) {
                return -1;
            }

            @Override
            public void close() {
            }
        };
        SwitchableTransport t = new SwitchableTransport(pullOnly);
        assertThrows(UnsupportedOperationException.class, () -> t.setReceiver((d, o, l) -> { }));
    }
}
