package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jdatachannel.dtls.LossyRelay.Impairment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 6347 §4.2.4 ("DTLS uses a simple retransmission timer") and §4.2.3 (reassembly of
 * fragmented, reordered handshake messages): handshakes over a {@link LossyRelay} that drops,
 * reorders, duplicates and delays datagrams in both directions complete, and data then flows
 * each way.
 *
 * <p>Matrix: impairment {loss, reorder, duplicate, all together} x role of end a {client, server}
 * x seeds, in memory; plus a few cases through a UDP relay on 127.0.0.1. Every case prints its
 * seed; rerun one with {@code -Ddtls.seed=<seed> -Ddtls.lossSeeds=1} (the first seed of each row is
 * {@code dtls.seed} itself). {@code -Ddtls.lossSeeds=N} sets the seeds per row (default 4);
 * {@code -Ddtls.lossKind=text} keeps only the rows whose name contains the text. On failure the
 * message carries the relay's trace (every datagram's records and what the relay did with it).
 *
 * <p>Measured (2 shared cores, 60 cases per row, handshake only, ms, median / p90 / max): with
 * {@link FlightPacker}: loss 20 %: 141 / 823 / 3345; reorder 30 %: 67 / 120 / 153; duplicate
 * 30 %: 25 / 33 / 72; all together: 162 / 345 / 832; all together with a 3-datagram ClientHello:
 * 213 / 361 / 917. Before it (one record per datagram, java.util.Random decisions): loss 20 %:
 * 473 / 1957 / 25654; all together: 434 / 1425 / 9550.
 *
 * <p>Application data is unreliable over DTLS (RFC 6347 §4.1.2.7: lost records are not
 * retransmitted; SCTP above retransmits), so each message is resent every 50 ms until the other
 * side has received it.
 */
class HandshakeUnderLossTest {

    /**
     * Generous (production's default is 20 s): Bouncy Castle doubles its retransmission timer
     * from {@link #RETRANSMIT_MS}, so a case that needs a few more rounds takes 25 or 51 s rather
     * than failing. Before {@link FlightPacker} (one record per datagram) 1 handshake in 60 at
     * 20 % loss needed 20-26 s.
     */
    private static final int HANDSHAKE_TIMEOUT_MS = 60_000;
    private static final int RETRANSMIT_MS = 100;
    private static final long BASE_SEED = Long.getLong("dtls.seed", System.nanoTime());
    private static final int SEEDS = Integer.getInteger("dtls.lossSeeds", 4);

    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dtls-loss-test");
        t.setDaemon(true);
        return t;
    });

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    /**
     * @param clientPadding RFC 7685 padding in the ClientHello, bytes; 3000 makes it span three
     *     datagrams like a browser's post-quantum ClientHello
     */
    private record Kind(String name, Impairment impairment, int clientPadding) {
    }

    private static final Impairment ALL = new Impairment(15, 15, 25, 80, 5);

    private static final List<Kind> KINDS = List.of(
            new Kind("loss 20%", Impairment.loss(20), 0),
            new Kind("reorder 30% within 80 ms", Impairment.reorder(30, 80), 0),
            new Kind("duplicate 30%", Impairment.duplicate(30), 0),
            new Kind("loss 15% + dup 15% + reorder 25% + 5 ms delay", ALL, 0),
            new Kind("fragmented ClientHello, loss 15% + dup 15% + reorder 25% + 5 ms delay", ALL, 3000));

    @TestFactory
    @Timeout(600)
    List<DynamicTest> inMemoryMatrix() {
        System.out.println("HandshakeUnderLossTest base seed=" + BASE_SEED + " (-Ddtls.seed to replay)");
        List<DynamicTest> tests = new ArrayList<>();
        String only = System.getProperty("dtls.lossKind", "");
        for (Kind kind : KINDS) {
            if (!kind.name().contains(only)) {
                continue;
            }
            for (boolean clientOnA : new boolean[] {true, false}) {
                for (int i = 0; i < SEEDS; i++) {
                    long seed = BASE_SEED + i;
                    String name = kind.name() + ", a is " + (clientOnA ? "client" : "server") + ", seed " + seed;
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        try (LossyRelay relay = LossyRelay.inMemory(seed, kind.impairment(), kind.impairment())) {
                            run(relay, clientOnA, name, kind.clientPadding());
                        }
                    }));
                }
            }
        }
        return tests;
    }

    @TestFactory
    @Timeout(300)
    List<DynamicTest> udpRelayOnLoopback() {
        List<DynamicTest> tests = new ArrayList<>();
        Kind kind = KINDS.get(KINDS.size() - 2);
        for (boolean clientOnA : new boolean[] {true, false}) {
            long seed = BASE_SEED + 1000 + (clientOnA ? 0 : 1);
            String name = "udp 127.0.0.1, " + kind.name() + ", a is " + (clientOnA ? "client" : "server")
                    + ", seed " + seed;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try (LossyRelay relay = LossyRelay.udp(seed, kind.impairment(), kind.impairment())) {
                    run(relay, clientOnA, name, kind.clientPadding());
                }
            }));
        }
        return tests;
    }

    private static void run(LossyRelay relay, boolean clientOnA, String name, int clientPadding) throws Exception {
        System.out.println("case: " + name);
        long t0 = System.nanoTime();
        PacketTransport clientEnd = clientOnA ? relay.a() : relay.b();
        PacketTransport serverEnd = clientOnA ? relay.b() : relay.a();
        Future<DtlsTransport> server = POOL.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, serverEnd,
                TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), HANDSHAKE_TIMEOUT_MS, RETRANSMIT_MS, 0));
        Future<DtlsTransport> client = POOL.submit(() -> DtlsTransport.connect(DtlsRole.CLIENT, clientEnd,
                TestCerts.EC_A, TestCerts.fp(TestCerts.EC_B), HANDSHAKE_TIMEOUT_MS, RETRANSMIT_MS, clientPadding));
        DtlsTransport s = null;
        DtlsTransport c = null;
        try {
            // The server may be done while its last flight is lost: as in production, a thread
            // must be receiving on it to answer the client's retransmission (RFC 6347 §4.2.4).
            s = get(server, name + ": server handshake", relay);
            DtlsTransport sFinal = s;
            byte[] fromClient = ("client->server " + name).getBytes();
            Future<Boolean> serverGot = POOL.submit(() -> awaitMessage(sFinal, fromClient));
            c = get(client, name + ": client handshake", relay);
            assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", c.cipherSuite());
            assertTrue(c.extendedMasterSecret() && s.extendedMasterSecret());
            assertArrayEquals(TestCerts.EC_B.encoded(), c.peerCertificate().getEncoded());
            assertArrayEquals(TestCerts.EC_A.encoded(), s.peerCertificate().getEncoded());
            long handshakeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            resendUntilReceived(c, fromClient, serverGot, name + ": client->server data", relay);
            DtlsTransport cFinal = c;
            byte[] fromServer = ("server->client " + name).getBytes();
            Future<Boolean> clientGot = POOL.submit(() -> awaitMessage(cFinal, fromServer));
            resendUntilReceived(s, fromServer, clientGot, name + ": server->client data", relay);
            System.out.println("ok: handshake " + handshakeMs + " ms, with data "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms: " + relay);
            if (handshakeMs > 5_000) {
                System.out.println("slow handshake, trace:\n" + relay.trace());
            }
        } finally {
            if (c != null) {
                c.close();
            }
            if (s != null) {
                s.close();
            }
            server.cancel(true);
            client.cancel(true);
        }
    }

    private static DtlsTransport get(Future<DtlsTransport> f, String what, LossyRelay relay) throws Exception {
        try {
            return f.get(HANDSHAKE_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed with " + relay + ": " + e.getCause() + "\ntrace:\n"
                    + relay.trace(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not end with " + relay);
        }
    }

    /**
     * Receives until {@code msg} arrives (true) or the time for the other side's handshake plus
     * 20 s has passed (false). The server's reader must outlive the client's handshake: only a
     * receiving server answers the client's retransmitted final flight.
     */
    private static boolean awaitMessage(DtlsTransport t, byte[] msg) throws Exception {
        byte[] buf = new byte[t.getReceiveLimit()];
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_TIMEOUT_MS + 20_000);
        while (System.nanoTime() < end) {
            int n = t.receive(buf, 0, buf.length, 100);
            if (n == msg.length && Arrays.equals(msg, Arrays.copyOf(buf, n))) {
                return true;
            }
        }
        return false;
    }

    private static void resendUntilReceived(DtlsTransport from, byte[] msg, Future<Boolean> received, String what,
            LossyRelay relay) throws Exception {
        for (int i = 0; i < 400; i++) {
            from.send(msg, 0, msg.length);
            try {
                if (received.get(50, TimeUnit.MILLISECONDS)) {
                    return;
                }
                break;
            } catch (TimeoutException e) {
                // not yet: send again
            }
        }
        fail(what + " never arrived with " + relay + "\ntrace:\n" + relay.trace());
    }
}
