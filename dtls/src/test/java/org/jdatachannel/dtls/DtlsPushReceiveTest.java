package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push receive ({@link DtlsTransport#handleDatagram}, {@link DtlsTransport#drainPending}): every
 * record of a datagram is processed in order, data held when the handshake returned is handed over,
 * close_notify and fatal alerts end the connection as with pull receive, the final flight is still
 * answered, the record guard and the RFC 7983 demux still apply, and a datagram costs far less
 * than Bouncy Castle's 16.9 KiB receive buffer.
 */
@Timeout(60)
class DtlsPushReceiveTest {

    private static final Logger LOG = LoggerFactory.getLogger(DtlsPushReceiveTest.class);

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dtls-push-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private Future<DtlsTransport> server(MemoryLink link) {
        return pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, link.b, TestCerts.EC_B,
                TestCerts.fp(TestCerts.EC_A), 10_000, 200, 0));
    }

    private Future<DtlsTransport> client(MemoryLink link) {
        return pool.submit(() -> DtlsTransport.connect(DtlsRole.CLIENT, link.a, TestCerts.EC_A,
                TestCerts.fp(TestCerts.EC_B), 10_000, 200, 0));
    }

    /** Collects what a sink gets (copies: the buffer is only valid during the call). */
    private static final class Collect implements DtlsTransport.ApplicationDataSink {
        final List<byte[]> got = new ArrayList<>();

        @Override
        public void onApplicationData(byte[] buf, int off, int len) {
            got.add(Arrays.copyOfRange(buf, off, off + len));
        }
    }

    private static byte[] message(int i, int len) {
        byte[] m = new byte[len];
        Arrays.fill(m, (byte) i);
        if (len >= 2) {
            m[0] = (byte) (i >> 8);
            m[1] = (byte) i;
        }
        return m;
    }

    /**
     * The next datagram that arrived at {@code end} starting with a record of {@code type} (23
     * application data, 21 alert), waiting up to 5 s; others (a handshake flight the peer
     * retransmitted while the machine was slow) are skipped.
     */
    private static byte[] next(MemoryLink.End end, int type) throws IOException {
        byte[] buf = new byte[70_000];
        while (true) {
            int n = end.receive(buf, 0, buf.length, 5000);
            assertTrue(n >= 0, "no datagram arrived");
            if (n > 0 && buf[0] == type) {
                return Arrays.copyOf(buf, n);
            }
        }
    }

    private static byte[] next(MemoryLink.End end) throws IOException {
        return next(end, 23);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Test
    void deliversEveryDatagramInOrder() throws Exception {
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> sf = server(link);
        DtlsTransport c = client(link).get(20, TimeUnit.SECONDS);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        Collect sink = new Collect();
        s.drainPending(sink);
        assertEquals(0, sink.got.size());
        for (int i = 0; i < 200; i++) {
            byte[] m = message(i, 1 + (i * 37) % 1191);
            c.send(m, 0, m.length);
            byte[] d = next(link.b);
            // at an offset, to check offsets are honoured
            byte[] shifted = concat(new byte[7], d, new byte[3]);
            s.handleDatagram(shifted, 7, d.length, sink);
            assertEquals(i + 1, sink.got.size());
            assertArrayEquals(m, sink.got.get(i));
        }
        assertThrows(IllegalStateException.class, () -> s.receive(new byte[100], 0, 100, 1));
        c.close();
        s.close();
    }

    @Test
    void processesEveryRecordOfADatagram() throws Exception {
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> sf = server(link);
        DtlsTransport c = client(link).get(20, TimeUnit.SECONDS);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        byte[][] m = {message(1, 300), message(2, 1), message(3, 1191), message(4, 0)};
        byte[][] d = new byte[m.length][];
        for (int i = 0; i < m.length; i++) {
            c.send(m[i], 0, m[i].length == 0 ? 0 : m[i].length);
            if (m[i].length > 0) {
                d[i] = next(link.b);
            }
        }
        // RFC 6347 §4.1.1: "Multiple DTLS records may be placed in a single datagram."
        byte[] three = concat(d[0], d[1], d[2]);
        Collect sink = new Collect();
        s.handleDatagram(three, 0, three.length, sink);
        assertEquals(3, sink.got.size());
        assertArrayEquals(m[0], sink.got.get(0));
        assertArrayEquals(m[1], sink.got.get(1));
        assertArrayEquals(m[2], sink.got.get(2));
        // A replayed record inside a datagram is dropped (replay window), the fresh one kept.
        byte[] m5 = message(5, 50);
        c.send(m5, 0, m5.length);
        byte[] d5 = next(link.b);
        byte[] replayAndNew = concat(d[1], d5);
        s.handleDatagram(replayAndNew, 0, replayAndNew.length, sink);
        assertEquals(4, sink.got.size());
        assertArrayEquals(m5, sink.got.get(3));
        c.close();
        s.close();
    }

    /**
     * Drops the server's final flight (the datagram with its ChangeCipherSpec, first byte 20) and
     * every later datagram from the server, keeping them in {@code link.b.sent}.
     */
    private static AtomicBoolean holdServerFinalFlight(MemoryLink link) {
        AtomicBoolean seen = new AtomicBoolean();
        link.b.dropOutgoing = (i, d) -> {
            if (d.length > 0 && d[0] == 20) {
                seen.set(true);
            }
            return seen.get();
        };
        return seen;
    }

    private static byte[] sentAfterFinalFlight(MemoryLink link, int k) {
        List<byte[]> sent = link.b.sent;
        for (int i = 0; i < sent.size(); i++) {
            if (sent.get(i).length > 0 && sent.get(i)[0] == 20) {
                return sent.get(i + k);
            }
        }
        throw new AssertionError("no final flight sent");
    }

    @Test
    void drainPendingHandsOverRecordsAfterFinishedInTheSameDatagram() throws Exception {
        MemoryLink link = new MemoryLink();
        holdServerFinalFlight(link);
        Future<DtlsTransport> sf = server(link);
        Future<DtlsTransport> cf = client(link);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS); // returns after sending its final flight
        byte[] x = message(9, 400);
        s.send(x, 0, x.length);
        byte[] finalFlight = sentAfterFinalFlight(link, 0);
        byte[] data = sentAfterFinalFlight(link, 1);
        link.a.inject(concat(finalFlight, data)); // ChangeCipherSpec, Finished, application data
        DtlsTransport c = cf.get(20, TimeUnit.SECONDS);
        Collect sink = new Collect();
        c.drainPending(sink);
        assertEquals(1, sink.got.size(), "the record after Finished, held by Bouncy Castle");
        assertArrayEquals(x, sink.got.get(0));
        c.drainPending(sink);
        assertEquals(1, sink.got.size(), "a second drain hands over nothing");
    }

    @Test
    void drainPendingHandsOverDatagramsHeldBeforeTheChangeCipherSpec() throws Exception {
        MemoryLink link = new MemoryLink();
        holdServerFinalFlight(link);
        Future<DtlsTransport> sf = server(link);
        Future<DtlsTransport> cf = client(link);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        byte[] x = message(7, 1000);
        s.send(x, 0, x.length);
        // Reordered: the application data (epoch 1) overtakes the ChangeCipherSpec; the
        // NextEpochBuffer holds it and releases it after the handshake.
        link.a.inject(sentAfterFinalFlight(link, 1));
        link.a.inject(sentAfterFinalFlight(link, 0));
        DtlsTransport c = cf.get(20, TimeUnit.SECONDS);
        Collect sink = new Collect();
        // handleDatagram drains first by itself when drainPending was not called
        byte[] y = message(8, 10);
        s.send(y, 0, y.length);
        byte[] dy = sentAfterFinalFlight(link, 2);
        c.handleDatagram(dy, 0, dy.length, sink);
        assertEquals(2, sink.got.size());
        assertArrayEquals(x, sink.got.get(0), "held data first");
        assertArrayEquals(y, sink.got.get(1));
    }

    @Test
    void answersARetransmittedFinalFlight() throws Exception {
        MemoryLink link = new MemoryLink();
        AtomicBoolean dropOnce = new AtomicBoolean(true);
        link.b.dropOutgoing = (i, d) -> d.length > 0 && d[0] == 20 && dropOnce.getAndSet(false);
        Future<DtlsTransport> sf = server(link);
        Future<DtlsTransport> cf = client(link);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        assertFalse(dropOnce.get(), "the server's final flight was dropped");
        Collect sink = new Collect();
        s.drainPending(sink);
        // The client retransmits its last flight (RFC 6347 §4.2.4); only the push path reads it.
        byte[] buf = new byte[70_000];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cf.isDone() && System.nanoTime() < deadline) {
            int n = link.b.receive(buf, 0, buf.length, 50);
            if (n >= 0) {
                s.handleDatagram(buf, 0, n, sink);
            }
        }
        DtlsTransport c = cf.get(1, TimeUnit.SECONDS);
        byte[] m = message(3, 500);
        c.send(m, 0, m.length);
        while (sink.got.isEmpty() && System.nanoTime() < deadline) {
            int n = link.b.receive(buf, 0, buf.length, 50);
            if (n >= 0) {
                s.handleDatagram(buf, 0, n, sink);
            }
        }
        assertEquals(1, sink.got.size());
        assertArrayEquals(m, sink.got.get(0));
    }

    @Test
    void closeNotifyEndsTheConnectionAfterTheDataBeforeIt() throws Exception {
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> sf = server(link);
        DtlsTransport c = client(link).get(20, TimeUnit.SECONDS);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        byte[] m = message(1, 100);
        c.send(m, 0, m.length);
        byte[] data = next(link.b);
        c.close(); // close_notify (RFC 5246 §7.2.1)
        byte[] alert = next(link.b, 21);
        byte[] both = concat(data, alert);
        Collect sink = new Collect();
        DtlsException e = assertThrows(DtlsException.class, () -> s.handleDatagram(both, 0, both.length, sink));
        assertTrue(e.isCloseNotify(), e.toString());
        assertTrue(e.alertFromPeer());
        assertEquals(1, sink.got.size(), "data before the close_notify is delivered");
        assertArrayEquals(m, sink.got.get(0));
        DtlsException again = assertThrows(DtlsException.class, () -> s.handleDatagram(data, 0, data.length, sink));
        assertTrue(again.isCloseNotify());
        assertEquals(1, sink.got.size());
    }

    @Test
    void fatalAlertFromThePeerEndsTheConnection() throws Exception {
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> sf = server(link);
        DtlsTransport c = client(link).get(20, TimeUnit.SECONDS);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        // Make the client's Bouncy Castle record layer fail with internal_error (80), which
        // sends that fatal alert; Bouncy Castle does this itself on internal errors.
        java.lang.reflect.Field bcField = DtlsTransport.class.getDeclaredField("bc");
        bcField.setAccessible(true);
        Object bc = bcField.get(c);
        java.lang.reflect.Field rl = bc.getClass().getDeclaredField("recordLayer");
        rl.setAccessible(true);
        Object recordLayer = rl.get(bc);
        java.lang.reflect.Method fail = recordLayer.getClass().getDeclaredMethod("fail", short.class);
        fail.setAccessible(true);
        fail.invoke(recordLayer, (short) 80);
        byte[] alert = next(link.b, 21);
        Collect sink = new Collect();
        DtlsException e = assertThrows(DtlsException.class, () -> s.handleDatagram(alert, 0, alert.length, sink));
        assertTrue(e.alertFromPeer());
        assertEquals(80, e.alertDescription());
        assertFalse(e.isCloseNotify());
    }

    @Test
    void demuxAndGuardStillApply() throws Exception {
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> sf = server(link);
        DtlsTransport c = client(link).get(20, TimeUnit.SECONDS);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        Collect sink = new Collect();
        byte[] stun = new byte[40]; // first byte 0: STUN, not DTLS (RFC 7983 §7)
        s.handleDatagram(stun, 0, stun.length, sink);
        assertEquals(1, s.droppedNonDtlsDatagrams());
        // An epoch-0 handshake record claiming a 16 MiB message (CVE-2026-59646 guard).
        byte[] hostile = new byte[13 + 12 + 4];
        hostile[0] = 22;
        hostile[1] = (byte) 0xFE;
        hostile[2] = (byte) 0xFD;
        hostile[12] = 16;
        hostile[13] = 1; // client_hello
        hostile[14] = (byte) 0xFF;
        hostile[15] = (byte) 0xFF;
        hostile[16] = (byte) 0xFF;
        hostile[24] = 4; // fragment_length 4
        s.handleDatagram(hostile, 0, hostile.length, sink);
        assertEquals(1, s.droppedMalformedDatagrams());
        byte[] tiny = {23, (byte) 0xFE, (byte) 0xFD};
        s.handleDatagram(tiny, 0, tiny.length, sink);
        byte[] m = message(2, 64);
        c.send(m, 0, m.length);
        byte[] d = next(link.b);
        s.handleDatagram(d, 0, d.length, sink);
        assertEquals(1, sink.got.size());
        assertArrayEquals(m, sink.got.get(0));
    }

    @Test
    void aRecordOfTheReservedVersionIsDroppedAndTheConnectionSurvives() throws Exception {
        // Bouncy Castle 1.84 fails the connection with internal_error on a record of version
        // {0xFE, 0xFE} (DtlsRecordFilter.isReservedVersion); found by the random datagrams below
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> sf = server(link);
        DtlsTransport c = client(link).get(20, TimeUnit.SECONDS);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        byte[] m = message(7, 100);
        c.send(m, 0, m.length);
        byte[] valid = next(link.b);
        byte[] forged = valid.clone();
        forged[1] = (byte) 0xFE;
        forged[2] = (byte) 0xFE;
        Collect sink = new Collect();
        long dropped = s.droppedMalformedDatagrams();
        s.handleDatagram(forged, 0, forged.length, sink);
        assertEquals(dropped + 1, s.droppedMalformedDatagrams());
        assertEquals(0, sink.got.size());
        s.handleDatagram(valid, 0, valid.length, sink);
        assertEquals(1, sink.got.size());
        assertArrayEquals(m, sink.got.get(0));
    }

    @Test
    void randomDatagramsAreDroppedAndTheConnectionSurvives() throws Exception {
        long seed = Long.getLong("dtls.push.seed", System.nanoTime());
        LOG.info("seed {} (-Ddtls.push.seed={} repeats this run)", seed, seed);
        Random rnd = new Random(seed);
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> sf = server(link);
        DtlsTransport c = client(link).get(20, TimeUnit.SECONDS);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        byte[] m = message(5, 200);
        c.send(m, 0, m.length);
        byte[] valid = next(link.b);
        Collect sink = new Collect();
        s.handleDatagram(valid, 0, valid.length, sink);
        for (int i = 0; i < 3000; i++) {
            byte[] d;
            switch (rnd.nextInt(3)) {
                case 0 -> { // a flipped byte in a valid record: fails authentication or parsing
                    d = valid.clone();
                    d[rnd.nextInt(d.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
                case 1 -> { // random records of random types and epochs
                    d = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(d);
                    if (d.length > 0) {
                        d[0] = (byte) (20 + rnd.nextInt(44));
                    }
                }
                default -> d = valid.clone(); // a replay
            }
            s.handleDatagram(d, 0, d.length, sink);
        }
        assertEquals(1, sink.got.size(), "seed " + seed + ": nothing but the one valid record was delivered");
        byte[] m2 = message(6, 300);
        c.send(m2, 0, m2.length);
        byte[] d2 = next(link.b);
        s.handleDatagram(d2, 0, d2.length, sink);
        assertEquals(2, sink.got.size(), "seed " + seed);
        assertArrayEquals(m2, sink.got.get(1));
    }

    @Test
    void allocatesFarLessPerDatagramThanPullReceive() throws Exception {
        MemoryLink link = new MemoryLink();
        Future<DtlsTransport> sf = server(link);
        DtlsTransport c = client(link).get(20, TimeUnit.SECONDS);
        DtlsTransport s = sf.get(20, TimeUnit.SECONDS);
        int count = 1000;
        byte[] m = message(1, 1191); // an SCTP packet of the usual size
        List<byte[]> datagrams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            c.send(m, 0, m.length);
            datagrams.add(next(link.b));
        }
        long[] got = new long[1];
        DtlsTransport.ApplicationDataSink sink = (buf, off, len) -> got[0] += len;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // warm-up on a few, then measure the rest on this thread
        for (int i = 0; i < 100; i++) {
            byte[] d = datagrams.get(i);
            s.handleDatagram(d, 0, d.length, sink);
        }
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 100; i < count; i++) {
            byte[] d = datagrams.get(i);
            s.handleDatagram(d, 0, d.length, sink);
        }
        long perDatagram = (mx.getThreadAllocatedBytes(tid) - before) / (count - 100);
        LOG.info("push receive allocates {} bytes per {}-byte datagram", perDatagram, datagrams.get(0).length);
        assertEquals((long) count * m.length, got[0]);
        // Pull receive allocated Bouncy Castle's 16,896-byte buffer per datagram; push allocates
        // about the datagram size (1.2 KB) plus small objects. Generous bound.
        assertTrue(perDatagram < 4096, "allocated " + perDatagram + " bytes per datagram");
    }
}
