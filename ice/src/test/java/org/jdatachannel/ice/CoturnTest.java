package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The coturn test helper survives losing its chosen port to another process before coturn binds it. */
class CoturnTest {
    @Test
    void aTakenPortIsReportedAndAnotherOneTried() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int busy = taken.getLocalPort();
            assertThrows(Coturn.PortTakenException.class, () -> Coturn.startOn(busy));
            AtomicInteger calls = new AtomicInteger();
            try (Coturn c = Coturn.start(() -> calls.getAndIncrement() == 0 ? busy : freeUdpPort())) {
                assertTrue(calls.get() >= 2, "the busy port, then another: " + calls);
                assertNotEquals(busy, c.port());
            }
        }
    }

    private static int freeUdpPort() throws java.io.IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }
}
