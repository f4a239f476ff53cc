package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Proof that the {@link DtlsRecordFilter} guard against CVE-2026-59646 works: Bouncy Castle 1.84's
 * DTLSReliableHandshake creates a {@code DTLSReassembler} with {@code new byte[length]} for the
 * unchecked 24-bit {@code length} of any epoch-0 handshake fragment whose message_seq lies in its
 * window of 16 (MAX_RECEIVE_AHEAD), before any authentication.
 *
 * <p>How it measures: the bytes allocated by the thread that runs the attacked side's handshake
 * (Bouncy Castle's receive path, our filter and the reassembler all run on it), read with
 * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()} at the start and end of
 * that thread's {@code connect}. That count is exact and free of GC noise: a buffer the reassembler
 * allocates counts even if it is collected at once.
 *
 * <p>The control run turns the filter off for its connection ({@link PeerSupport.Knobs#cveGuard}) and shows
 * two of the same datagrams making Bouncy Castle allocate at least 32 MiB, so the measurement does
 * see the CVE when it is there.
 */
@Timeout(120)
class CveHeapGuardTest {

    private static final long MIB = 1L << 20;
    /**
     * Allowed allocation by one whole handshake under attack, bytes; it must also stay within 2 MiB
     * of a clean handshake's (measured: clean about 0.4 MiB, attacked about 0.5 MiB).
     */
    private static final long ATTACKED_HANDSHAKE_BUDGET = 8 * MIB;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @BeforeAll
    static void measurable() {
        assertTrue(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    /** A handshake run on its own thread, with the bytes that thread allocated during connect. */
    record Measured(DtlsTransport transport, Throwable failure, long allocatedBytes) {
    }

    /** Runs {@code connect} on a new thread and counts what that thread allocates. */
    private static CompletableFuture<Measured> measuredConnect(DtlsRole role, MemoryLink.End end, DtlsCertificate local,
            DtlsCertificate remote, int timeoutMs) {
        return measuredConnect(role, end, local, remote, timeoutMs, true);
    }

    private static CompletableFuture<Measured> measuredConnect(DtlsRole role, MemoryLink.End end, DtlsCertificate local,
            DtlsCertificate remote, int timeoutMs, boolean cveGuard) {
        CompletableFuture<Measured> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            DtlsTransport transport = null;
            Throwable failure = null;
            try {
                transport = DtlsTransport.connect(role, end, local, TestCerts.fp(remote), timeoutMs, 200,
                        new PeerSupport.Knobs(0, null, true, true, cveGuard));
            } catch (Throwable e) {
                failure = e;
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            result.complete(new Measured(transport, failure, allocated));
        }, "cve-" + role.name().toLowerCase());
        t.setDaemon(true);
        t.start();
        return result;
    }

    /**
     * The hostile datagrams: one epoch-0 handshake fragment per message_seq {@code firstSeq ..
     * firstSeq + 15} (the whole receive window) claiming a 16 MiB - 1 message (0xFFFFFF), each alone
     * in a datagram, then the same hidden behind a record of an unknown content type (the bypass
     * shape fixed in 914d370: Bouncy Castle splits datagrams by each record header's length,
     * whatever its type), then several such records in one datagram, then one claiming one byte
     * more than the filter's limit. Each fragment carries one body byte, as an attacker needs.
     */
    static List<byte[]> hostileDatagrams(int firstSeq) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            out.add(hostileRecord(firstSeq + i, 0xFFFFFF));
        }
        for (int i = 0; i < 16; i++) {
            out.add(DtlsRecordFilterTest.concat(DtlsRecordFilterTest.record(0x1E, 0, new byte[0]),
                    hostileRecord(firstSeq + i, 0xFFFFFF)));
        }
        out.add(DtlsRecordFilterTest.concat(hostileRecord(firstSeq, 0xFFFFFF), hostileRecord(firstSeq + 1, 0xFFFFFF),
                hostileRecord(firstSeq + 2, 0xFFFFFF), hostileRecord(firstSeq + 3, 0xFFFFFF)));
        out.add(hostileRecord(firstSeq, DtlsRecordFilter.MAX_HANDSHAKE_MESSAGE_LENGTH + 1));
        return out;
    }

    /** Record sequence numbers of the hostile records: each new, so Bouncy Castle's replay window keeps none out. */
    private static final AtomicInteger RECORD_SEQ = new AtomicInteger(1000);

    private static byte[] hostileRecord(int seq, int length) {
        int msgType = seq == 0 ? 1 : 11; // ClientHello, Certificate
        byte[] r = DtlsRecordFilterTest.record(22, 0,
                DtlsRecordFilterTest.fragment(msgType, length, seq & 0xFFFF, 0, 1, 1));
        int recordSeq = RECORD_SEQ.getAndIncrement();
        r[9] = (byte) (recordSeq >> 8);
        r[10] = (byte) recordSeq;
        return r;
    }

    /** One clean handshake, so class loading and JIT do not count against the measured ones. */
    private static long cleanHandshake(DtlsRole victim) throws Exception {
        MemoryLink link = new MemoryLink();
        MemoryLink.End victimEnd = victim == DtlsRole.SERVER ? link.b : link.a;
        MemoryLink.End otherEnd = victim == DtlsRole.SERVER ? link.a : link.b;
        CompletableFuture<Measured> v = measuredConnect(victim, victimEnd, TestCerts.EC_B, TestCerts.EC_A, 10_000);
        CompletableFuture<Measured> o = measuredConnect(other(victim), otherEnd, TestCerts.EC_A, TestCerts.EC_B, 10_000);
        Measured mv = v.get(30, TimeUnit.SECONDS);
        Measured mo = o.get(30, TimeUnit.SECONDS);
        assertEquals(null, mv.failure(), "clean handshake");
        assertEquals(null, mo.failure(), "clean handshake");
        mv.transport().close();
        mo.transport().close();
        return mv.allocatedBytes();
    }

    private static DtlsRole other(DtlsRole r) {
        return r == DtlsRole.SERVER ? DtlsRole.CLIENT : DtlsRole.SERVER;
    }

    /**
     * Hostile datagrams for the whole receive window, in every shape, arrive at the attacked side
     * before the handshake and again before every datagram of its peer: the handshake completes,
     * data flows, every hostile datagram was dropped by the filter, and the attacked side's thread
     * allocated no more than a handshake needs.
     */
    @ParameterizedTest(name = "attacked role {0}")
    @EnumSource(DtlsRole.class)
    void hostileDatagramsBeforeAndDuringAHandshakeAllocateNothing(DtlsRole victim) throws Exception {
        long clean = cleanHandshake(victim);
        clean = Math.min(clean, cleanHandshake(victim));

        MemoryLink link = new MemoryLink();
        MemoryLink.End victimEnd = victim == DtlsRole.SERVER ? link.b : link.a;
        MemoryLink.End otherEnd = victim == DtlsRole.SERVER ? link.a : link.b;
        AtomicInteger injected = new AtomicInteger();
        // Before the handshake: every message_seq the attacked side could accept first.
        for (byte[] d : hostileDatagrams(0)) {
            victimEnd.inject(d);
            injected.incrementAndGet();
        }
        // During: before each datagram of the peer, the window from that flight's message_seq
        // on (our peer's n-th datagram carries at most message_seq n + 1; 0..3 is enough to
        // cover what the attacked side waits for next).
        otherEnd.dropOutgoing = (i, d) -> {
            for (byte[] h : hostileDatagrams(Math.min(i, 3))) {
                victimEnd.inject(h);
                injected.incrementAndGet();
            }
            return false;
        };
        CompletableFuture<Measured> v = measuredConnect(victim, victimEnd, TestCerts.EC_B, TestCerts.EC_A, 15_000);
        CompletableFuture<Measured> o = measuredConnect(other(victim), otherEnd, TestCerts.EC_A, TestCerts.EC_B, 15_000);
        Measured mv = v.get(30, TimeUnit.SECONDS);
        Measured mo = o.get(30, TimeUnit.SECONDS);
        assertEquals(null, mv.failure(), "attacked side's handshake completes");
        assertEquals(null, mo.failure(), "peer's handshake completes");
        otherEnd.dropOutgoing = (i, d) -> false;
        System.out.printf("CVE guard, attacked %s: clean handshake allocated %.2f MiB, attacked one %.2f MiB,"
                + " %d hostile datagrams injected, %d dropped%n", victim, clean / (double) MIB,
                mv.allocatedBytes() / (double) MIB, injected.get(), mv.transport().droppedMalformedDatagrams());

        assertTrue(mv.allocatedBytes() < Math.min(ATTACKED_HANDSHAKE_BUDGET, clean + 2 * MIB),
                "attacked handshake allocated " + mv.allocatedBytes() + " bytes (clean: " + clean + ")");
        // Everything injected before the handshake ended was dropped by the filter, none by luck
        // of the epoch (those injected after the peer's last datagram may still be queued).
        assertTrue(mv.transport().droppedMalformedDatagrams() >= hostileDatagrams(0).size(),
                "dropped " + mv.transport().droppedMalformedDatagrams());

        // After the handshake, more of them: still dropped, and data flows both ways.
        for (byte[] d : hostileDatagrams(0)) {
            victimEnd.inject(d);
        }
        byte[] msg = {1, 2, 3};
        mo.transport().send(msg, 0, msg.length);
        byte[] buf = new byte[mv.transport().getReceiveLimit()];
        int n = mv.transport().receive(buf, 0, buf.length, 5000);
        assertArrayEquals(msg, java.util.Arrays.copyOf(buf, n));
        mv.transport().send(msg, 0, msg.length);
        n = mo.transport().receive(buf, 0, buf.length, 5000);
        assertArrayEquals(msg, java.util.Arrays.copyOf(buf, n));
        assertEquals(injected.get() + hostileDatagrams(0).size(), mv.transport().droppedMalformedDatagrams(),
                "every hostile datagram was dropped by the filter");
        mo.transport().close();
        mv.transport().close();
    }

    /**
     * Control: with the filter off, two of the hostile datagrams (one plain, one in the bypass
     * shape) make Bouncy Castle 1.84 allocate two 16 MiB reassembly buffers, and the handshake
     * they poison cannot complete. This is what the test above would see without the guard.
     */
    @Test
    void withoutTheFilterTwoDatagramsAllocate32MiB() throws Exception {
        cleanHandshake(DtlsRole.SERVER);
        MemoryLink link = new MemoryLink();
        link.b.inject(hostileRecord(0, 0xFFFFFF));
        link.b.inject(DtlsRecordFilterTest.concat(DtlsRecordFilterTest.record(0x1E, 0, new byte[0]),
                hostileRecord(1, 0xFFFFFF)));
        CompletableFuture<Measured> v = measuredConnect(DtlsRole.SERVER, link.b, TestCerts.EC_B, TestCerts.EC_A, 1500,
                false);
        Measured m = v.get(30, TimeUnit.SECONDS);
        System.out.printf("CVE guard off: 2 datagrams (%d bytes in all) made the server allocate %.2f MiB%n",
                hostileRecord(0, 0xFFFFFF).length * 2 + RecordHeader.LENGTH, m.allocatedBytes() / (double) MIB);
        assertInstanceOf(DtlsException.class, m.failure(), "no ClientHello ever completes: the handshake times out");
        assertTrue(m.allocatedBytes() >= 2 * 0xFFFFFF, "allocated " + m.allocatedBytes() + " bytes");
    }
}
