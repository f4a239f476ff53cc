package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The review's CPU attack on Bouncy Castle 1.84's DTLSReassembler: it keeps a message's missing
 * byte ranges in a list scanned and inserted into linearly per fragment, so 1-byte fragments at
 * odd offsets into 32 KiB messages (16,384 gaps each) cost it about 2 s of CPU per message and
 * 7.8 MiB of range objects for 16 messages. {@link DtlsRecordFilter#MIN_NON_FINAL_FRAGMENT} and
 * {@link DtlsRecordFilter#MAX_SMALL_NON_FINAL_FRAGMENTS} stop it.
 *
 * <p>Measured on the attacked (server) side's handshake thread with ThreadMXBean, as
 * CveHeapGuardTest does: its CPU time and allocated bytes, compared with a clean handshake's. The
 * bound is the handshake's own cost plus a margin far below the attack's: without the guard the
 * same datagrams took 7.6 s of that thread's CPU (review, 2026-11-22).
 */
@Timeout(120)
class ReassemblyGuardTest {

    private static final long MIB = 1L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @BeforeAll
    static void measurable() {
        assertTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isCurrentThreadCpuTimeSupported(),
                "this JVM cannot measure per-thread CPU time and allocation");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
    }

    /** A handshake with the CPU nanoseconds and bytes its thread used in connect. */
    record Measured(DtlsTransport transport, Throwable failure, long cpuNanos, long allocatedBytes) {
    }

    private static CompletableFuture<Measured> measuredConnect(DtlsRole role, MemoryLink.End end,
            DtlsCertificate local, DtlsCertificate remote) {
        CompletableFuture<Measured> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            long cpu = THREADS.getCurrentThreadCpuTime();
            long allocated = THREADS.getCurrentThreadAllocatedBytes();
            DtlsTransport transport = null;
            Throwable failure = null;
            try {
                transport = DtlsTransport.connect(role, end, local, TestCerts.fp(remote), 20_000, 1000, 0);
            } catch (Throwable e) {
                failure = e;
            }
            result.complete(new Measured(transport, failure, THREADS.getCurrentThreadCpuTime() - cpu,
                    THREADS.getCurrentThreadAllocatedBytes() - allocated));
        }, "reassembly-" + role.name().toLowerCase());
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static byte[] fragment(int type, int length, int seq, int offset, int fragmentLength) {
        return DtlsRecordFilterTest.fragment(type, length, seq, offset, fragmentLength, fragmentLength);
    }

    /**
     * The review's cpu() datagrams: for message_seq 6..9 (inside Bouncy Castle's receive window
     * of 16, beyond the 0..4 a real client uses), 1-byte fragments at every odd offset of a
     * 32,768-byte Certificate (type 11) and ClientKeyExchange (16) message, packed into datagrams
     * of up to 16,000 bytes with fresh record sequence numbers.
     */
    static List<byte[]> oneByteFragmentDatagrams() {
        List<byte[]> out = new ArrayList<>();
        int length = DtlsRecordFilter.MAX_HANDSHAKE_MESSAGE_LENGTH;
        int recordSeq = 5000;
        int[][] messages = {{11, 6}, {11, 7}, {16, 8}, {16, 9}};
        for (int[] m : messages) {
            List<byte[]> fragments = new ArrayList<>();
            int size = 0;
            for (int o = 1; o < length; o += 2) {
                byte[] f = fragment(m[0], length, m[1], o, 1);
                if (RecordHeader.LENGTH + size + f.length > 16_000) {
                    out.add(record(recordSeq++, fragments));
                    fragments.clear();
                    size = 0;
                }
                fragments.add(f);
                size += f.length;
            }
            out.add(record(recordSeq++, fragments));
        }
        return out;
    }

    private static byte[] record(int recordSeq, List<byte[]> fragments) {
        byte[] r = DtlsRecordFilterTest.record(22, 0, DtlsRecordFilterTest.concat(fragments.toArray(new byte[0][])));
        r[9] = (byte) (recordSeq >> 8);
        r[10] = (byte) recordSeq;
        return r;
    }

    private static Measured[] handshake(boolean attack) throws Exception {
        MemoryLink link = new MemoryLink();
        AtomicInteger injected = new AtomicInteger();
        if (attack) {
            // After the ClientHello reached the server, before the client's second flight.
            link.a.dropOutgoing = (i, d) -> {
                if (i == 1) {
                    for (byte[] h : oneByteFragmentDatagrams()) {
                        link.b.inject(h);
                        injected.incrementAndGet();
                    }
                }
                return false;
            };
        }
        CompletableFuture<Measured> s = measuredConnect(DtlsRole.SERVER, link.b, TestCerts.EC_B, TestCerts.EC_A);
        CompletableFuture<Measured> c = measuredConnect(DtlsRole.CLIENT, link.a, TestCerts.EC_A, TestCerts.EC_B);
        Measured ms = s.get(60, TimeUnit.SECONDS);
        Measured mc = c.get(60, TimeUnit.SECONDS);
        link.a.dropOutgoing = (i, d) -> false;
        assertEquals(null, ms.failure(), "server handshake completes");
        assertEquals(null, mc.failure(), "client handshake completes");
        if (attack) {
            assertTrue(injected.get() > 50, "injected " + injected.get());
            assertEquals(injected.get(), ms.transport().droppedMalformedDatagrams(),
                    "every attack datagram was dropped by the filter");
        }
        ms.transport().close();
        mc.transport().close();
        return new Measured[] {ms, mc};
    }

    /**
     * With the attack datagrams arriving at the server between the ClientHello and the client's
     * second flight, the handshake completes, every attack datagram is dropped, and the server's
     * handshake thread uses no more than a clean handshake's CPU and allocation plus a margin
     * (1 s, 2 MiB) far below what the attack cost Bouncy Castle unguarded (7.6 s).
     */
    @Test
    void oneByteFragmentsCostTheHandshakeThreadNothing() throws Exception {
        handshake(false); // class loading and JIT
        Measured clean = handshake(false)[0];
        Measured attacked = handshake(true)[0];
        System.out.printf("reassembly guard: clean server handshake %d ms CPU, %.2f MiB; attacked (%d datagrams,"
                + " %d bytes) %d ms CPU, %.2f MiB%n", clean.cpuNanos() / 1_000_000, clean.allocatedBytes() / (double) MIB,
                oneByteFragmentDatagrams().size(), oneByteFragmentDatagrams().stream().mapToInt(d -> d.length).sum(),
                attacked.cpuNanos() / 1_000_000, attacked.allocatedBytes() / (double) MIB);
        assertTrue(attacked.cpuNanos() < clean.cpuNanos() + TimeUnit.SECONDS.toNanos(1),
                "attacked handshake thread used " + attacked.cpuNanos() / 1_000_000 + " ms CPU (clean: "
                        + clean.cpuNanos() / 1_000_000 + " ms)");
        assertTrue(attacked.allocatedBytes() < clean.allocatedBytes() + 2 * MIB,
                "attacked handshake allocated " + attacked.allocatedBytes() + " bytes (clean: "
                        + clean.allocatedBytes() + ")");
    }
}
