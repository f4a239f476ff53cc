package org.jdatachannel;

import static org.jdatachannel.PeerConnectionLoopbackTest.T;
import static org.jdatachannel.PeerConnectionLoopbackTest.loopback;
import static org.jdatachannel.PeerConnectionLoopbackTest.negotiate;
import static org.jdatachannel.PeerConnectionLoopbackTest.opened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdatachannel.internal.PeerConnectionCore;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 (echo latency): packets on the wire per echo round trip, counted by the receive path of
 * both ends over loopback. A message answered from {@code onMessage} goes out in ONE datagram with
 * the SACK for the message it answers (RFC 9260 §6: the SACK is bundled with outbound DATA), so a
 * ping-pong driven from the callbacks costs one datagram per direction, not a SACK datagram and a
 * DATA datagram each way (what the stack did before: 4 per round trip), one loop wake-up per
 * datagram and no hand-off for the send.
 */
class EchoPacketsLoopbackTest {

    @Test
    void anEchoFromOnMessageCostsOneDatagramEachWay() throws Exception {
        int rounds = 100;
        try (PeerConnection a = new PeerConnection(loopback().build());
             PeerConnection b = new PeerConnection(loopback().build())) {
            b.onDataChannel(ch -> ch.onMessage(m -> ch.send(m.data())));
            DataChannel ch = a.createDataChannel("echo", null);
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            // Warm up (the DCEP exchange is over once b echoes). a's SACK for this echo may still
            // be on its way to b when the counters are read: the bound for b allows it.
            CompletableFuture<Void> warm = new CompletableFuture<>();
            ch.onMessage(m -> warm.complete(null));
            ch.send(ByteBuffer.allocate(1024));
            warm.get(T, TimeUnit.SECONDS);
            pathMtuSearchesDone(a, b);
            PeerConnectionCore.ReceiveStats a0 = a.receiveStats();
            PeerConnectionCore.ReceiveStats b0 = b.receiveStats();

            AtomicInteger echoes = new AtomicInteger();
            CompletableFuture<Void> done = new CompletableFuture<>();
            ch.onMessage(m -> {
                if (echoes.incrementAndGet() == rounds) {
                    done.complete(null);
                } else {
                    ch.send(m.data()); // the next request, from the callback (a's event loop)
                }
            });
            ch.send(ByteBuffer.allocate(1024));
            done.get(T, TimeUnit.SECONDS);
            // b also gets a's SACK for the last echo (nothing to bundle it with)
            PushReceiveLoopbackTest.await(() -> b.receiveStats().datagrams() - b0.datagrams() >= rounds + 1,
                    "b received the requests and the last SACK");
            long atA = a.receiveStats().datagrams() - a0.datagrams();
            long atB = b.receiveStats().datagrams() - b0.datagrams();
            // Exact on a quiet loopback: rounds at a (the echoes), rounds + 1 at b (+1 for the warm-up's
            // late SACK). The slack (a tenth) only admits a rare T3-rtx retransmission on a stalled CI
            // machine; without bundling the counts are 2 * rounds each.
            assertTrue(atA >= rounds && atA <= rounds + rounds / 10,
                    "datagrams at a per " + rounds + " echoes: " + atA);
            assertTrue(atB >= rounds + 1 && atB <= rounds + 1 + rounds / 10,
                    "datagrams at b per " + rounds + " echoes: " + atB);
            assertEquals(0, a.receiveStats().dropped() + b.receiveStats().dropped());
            // Wake-ups and tasks: each end wakes once per datagram it receives; a send from the
            // callback runs inline on the loop (no wake-up, no hand-off) and the reply costs two
            // drain tasks (the held one and the one that sends). Same slack as above.
            long wakeA = a.receiveStats().loopWakeups() - a0.loopWakeups();
            long wakeB = b.receiveStats().loopWakeups() - b0.loopWakeups();
            assertTrue(wakeA <= rounds + rounds / 10, "wake-ups of a's loop per " + rounds + " echoes: " + wakeA);
            assertTrue(wakeB <= rounds + 1 + rounds / 10, "wake-ups of b's loop per " + rounds + " echoes: " + wakeB);
            // every echo at a and every request at b was delivered with its batch held
            assertTrue(a.receiveStats().heldDrains() - a0.heldDrains() >= rounds - rounds / 10,
                    "held drains at a: " + a.receiveStats());
            long tasksA = a.receiveStats().loopTasks() - a0.loopTasks();
            long tasksB = b.receiveStats().loopTasks() - b0.loopTasks();
            assertTrue(tasksA <= 2 * rounds + rounds / 10, "tasks of a's loop per " + rounds + " echoes: " + tasksA);
            assertTrue(tasksB <= 2 * rounds + 1 + rounds / 10, "tasks of b's loop per " + rounds + " echoes: " + tasksB);
            // busy polling is off by default: an idle loop never polls
            assertEquals(0, a.receiveStats().busyPollRequests() + b.receiveStats().busyPollRequests());
        }
    }

    /**
     * With {@link RtcConfiguration.Builder#busyPollMicros(int)}, each end asks its loop to poll
     * twice per message it receives and answers (the delivery, and the answer's DATA packet; both
     * arm the same phase), and each datagram is taken either by a poll phase (no sleep, no
     * wake-up) or after a wake-up. How many phases run and catch something depends on the
     * machine's speed (a cold JIT can take longer than the 1 ms window here, and the loop backs off
     * after phases that catch nothing), so only the requests are counted exactly;
     * EventLoopBusyPollTest shows that a caught datagram costs no wake-up, and the e2e harness
     * measures the effect. Same packets as without.
     */
    @Test
    void withBusyPollingEachEndPollsOncePerMessageItSends() throws Exception {
        int rounds = 200;
        RtcConfiguration cfg = loopback().busyPollMicros(RtcConfiguration.MAX_BUSY_POLL_MICROS).build();
        try (PeerConnection a = new PeerConnection(cfg); PeerConnection b = new PeerConnection(cfg)) {
            b.onDataChannel(ch -> ch.onMessage(m -> ch.send(m.data())));
            DataChannel ch = a.createDataChannel("echo", null);
            CompletableFuture<Void> open = opened(ch);
            negotiate(a, b);
            open.get(T, TimeUnit.SECONDS);
            CompletableFuture<Void> warm = new CompletableFuture<>();
            ch.onMessage(m -> warm.complete(null));
            ch.send(ByteBuffer.allocate(1024));
            warm.get(T, TimeUnit.SECONDS);
            pathMtuSearchesDone(a, b);
            // As above: a's lone SACK for the warm-up echo may reach b after b0 (no poll request at
            // either end: a lone SACK is no DATA and delivers nothing).
            PeerConnectionCore.ReceiveStats a0 = a.receiveStats();
            PeerConnectionCore.ReceiveStats b0 = b.receiveStats();
            AtomicInteger echoes = new AtomicInteger();
            CompletableFuture<Void> done = new CompletableFuture<>();
            ch.onMessage(m -> {
                if (echoes.incrementAndGet() == rounds) {
                    done.complete(null);
                } else {
                    ch.send(m.data());
                }
            });
            ch.send(ByteBuffer.allocate(1024));
            done.get(T, TimeUnit.SECONDS);
            PushReceiveLoopbackTest.await(() -> b.receiveStats().datagrams() - b0.datagrams() >= rounds + 1,
                    "b received the requests and the last SACK");
            PeerConnectionCore.ReceiveStats a1 = a.receiveStats();
            PeerConnectionCore.ReceiveStats b1 = b.receiveStats();
            String stats = a0 + " " + b0 + " -> " + a1 + " " + b1;
            long asksA = a1.busyPollRequests() - a0.busyPollRequests();
            long asksB = b1.busyPollRequests() - b0.busyPollRequests();
            // Two per message received and answered, rounds each (a's last echo is not answered, but
            // a's first request, sent from this thread, was). The counters are read while the loops
            // run (a request is counted right after its packet's sendto, so the warm-up's last one
            // can fall on either side of the first snapshot): +-2; the upper slack also admits a rare
            // retransmission. Without the requests (busy polling off) both are 0.
            assertTrue(asksA >= 2 * rounds - 2 && asksA <= 2 * rounds + rounds / 10, "poll requests at a: " + stats);
            assertTrue(asksB >= 2 * rounds - 2 && asksB <= 2 * rounds + rounds / 10, "poll requests at b: " + stats);
            long pollsA = a1.busyPolls() - a0.busyPolls();
            long pollsB = b1.busyPolls() - b0.busyPolls();
            assertTrue(pollsA >= 1 && pollsA <= rounds + rounds / 10, "poll phases at a: " + stats);
            assertTrue(pollsB >= 1 && pollsB <= rounds + rounds / 10, "poll phases at b: " + stats);
            long atA = a1.datagrams() - a0.datagrams();
            long atB = b1.datagrams() - b0.datagrams();
            assertTrue(atA >= rounds && atA <= rounds + rounds / 10, "datagrams at a: " + stats);
            assertTrue(atB >= rounds + 1 && atB <= rounds + 1 + rounds / 10, "datagrams at b: " + stats);
            // every datagram was taken by a poll phase or after a wake-up (one round may read the
            // warm-up's late SACK together with the first request)
            long takenA = a1.busyPollHits() - a0.busyPollHits() + a1.loopWakeups() - a0.loopWakeups();
            long takenB = b1.busyPollHits() - b0.busyPollHits() + b1.loopWakeups() - b0.loopWakeups();
            assertTrue(takenA >= atA - 1, "polls that took a datagram + wake-ups at a: " + stats);
            assertTrue(takenB >= atB - 1, "polls that took a datagram + wake-ups at b: " + stats);
        }
    }

    /**
     * Waits until both ends' SCTP path MTU search (RFC 8899, on by default) reached its maximum: its
     * probes and their HEARTBEAT ACKs are extra datagrams that must not fall inside the counted
     * window (a count failed once by one). After that no probe is sent for PMTU_RAISE_TIMER.
     */
    private static void pathMtuSearchesDone(PeerConnection a, PeerConnection b) throws InterruptedException {
        PushReceiveLoopbackTest.await(() -> a.sctpPathMtu() >= a.sctpMaxPlpmtu() && b.sctpPathMtu() >= b.sctpMaxPlpmtu(),
                "both ends' path MTU search done");
    }
}
