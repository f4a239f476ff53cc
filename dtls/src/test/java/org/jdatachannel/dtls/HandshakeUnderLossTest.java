package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jdatachannel.dtls.LossyRelay.Impairment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 6347 §4.2.4 ("DTLS uses a simple retransmission timer") and §4.2.3 (reassembly of
 * fragmented, reordered handshake messages): handshakes over a {@link LossyRelay} that drops,
 * reorders, duplicates and delays datagrams in both directions complete, and data then flows
 * each way.
 *
 * <p>Matrix: impairment {loss, reorder, duplicate, all together} x role of end a {client, server}
 * x seeds, in memory; plus a few cases through a UDP relay on 127.0.0.1.
 *
 * <p>Seeds: by default (CI) every row runs the fixed seeds {@link #FIXED_SEEDS}, so a run is
 * reproducible. Random seeds run only on request: {@code -Ddtls.lossSeeds=N} runs N seeds per
 * row from a random base instead, {@code -Ddtls.seed=S} runs S, S+1, ... (4 unless lossSeeds
 * says otherwise). Every case prints its seed; rerun one with {@code -Ddtls.seed=<seed>
 * -Ddtls.lossSeeds=1}; {@code -Ddtls.lossKind=text} keeps only the rows whose name contains the
 * text. On failure the message carries the relay's trace (every datagram's records and what the
 * relay did with it). A seed fixes the relay's decisions per datagram index, not the outcome:
 * which datagrams exist depends on timing (retransmissions), and the decisions change whenever
 * the datagram sequence does (as flight packing did for every seed).
 *
 * <p>Why a random seed can still fail (one did, see {@link
 * #replaysTheLossPatternOfSeed30627215411474}): the handshake has no stall under loss, but it has a
 * tail. Bouncy Castle 1.84 doubles its
 * retransmission timer up to 60 s, so a 60 s budget from {@link #RETRANSMIT_MS} holds only about
 * 9 retransmissions, and the side that sent the last flight re-sends it only when it has received
 * every message of the peer's last flight again (accumulated across retransmissions).
 *
 * <p>Failure rate of random seeds, "loss 20%" row, 200 seeds x both roles (400 cases) on main
 * (db35b46, flight packing): 0 failed; handshake ms median / p90 / p99 / max: a is client
 * 117 / 415 / 3214 / 6320, a is server 110 / 457 / 3211 / 12711.
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
    /**
     * The seeds every row runs in CI. Arbitrary values, not picked for passing; 30627215411474 is
     * the seed of the failure that {@link #replaysTheLossPatternOfSeed30627215411474} replays
     * (since the relay's generator and flight packing changed, it no longer produces that
     * pattern, hence the replay).
     */
    static final long[] FIXED_SEEDS = {1, 2, 3, 30627215411474L};

    private static final boolean RANDOM = System.getProperty("dtls.seed") != null
            || System.getProperty("dtls.lossSeeds") != null;
    private static final long BASE_SEED = Long.getLong("dtls.seed", System.nanoTime());
    private static final int SEEDS = Integer.getInteger("dtls.lossSeeds", 4);

    /** @return the seeds of one row: {@link #FIXED_SEEDS}, or the requested ones from {@code base} */
    private static long[] seeds(long base) {
        if (!RANDOM) {
            return FIXED_SEEDS.clone();
        }
        long[] seeds = new long[SEEDS];
        for (int i = 0; i < SEEDS; i++) {
            seeds[i] = base + i;
        }
        return seeds;
    }

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
        System.out.println(RANDOM ? "HandshakeUnderLossTest base seed=" + BASE_SEED + " (-Ddtls.seed to replay)"
                : "HandshakeUnderLossTest fixed seeds " + Arrays.toString(FIXED_SEEDS)
                        + " (-Ddtls.lossSeeds=N for random ones)");
        List<DynamicTest> tests = new ArrayList<>();
        String only = System.getProperty("dtls.lossKind", "");
        for (Kind kind : KINDS) {
            if (!kind.name().contains(only)) {
                continue;
            }
            for (boolean clientOnA : new boolean[] {true, false}) {
                for (long seed : seeds(BASE_SEED)) {
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
            long seed = (RANDOM ? BASE_SEED : FIXED_SEEDS[0]) + 1000 + (clientOnA ? 0 : 1);
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

    /**
     * Regression for seed 30627215411474 ("loss 20%, a is server"), which timed out the client
     * after 60 s at e31b687 (before flight packing, with java.util.Random in the relay). Its
     * relay trace is replayed here with one record per datagram (packFlights off): the same
     * copies of each datagram are dropped. The initial timer is 10 ms instead of 100 ms so that
     * the case takes about 10 s instead of 60; early on this timer fires before the peer answers,
     * so there are more copies of the first flights than in the original (the drops, counted per
     * datagram content, are the same). What happened in the original:
     *
     * <ul>
     * <li>The server (a) completes at 0.3 s, with the third copy of the client's last flight (Bouncy
     *     Castle reassembles a flight's messages across copies); both datagrams of its own final
     *     flight (CCS, Finished) are lost.
     * <li>RFC 6347 §4.2.4: the node that sent the last flight "MUST respond to a retransmit of the
     *     peer's last flight with a retransmit of the last flight". Bouncy Castle 1.84
     *     (DTLSReliableHandshake.processRecord) reads this as: once every message of that flight
     *     (Certificate, ClientKeyExchange, CertificateVerify, Finished; not the CCS) has arrived
     *     again, accumulated since its last answer. The client's Certificate datagram was lost in
     *     5 of its 8 later retransmissions; the server answered 3 times, and 2 of those answers
     *     lost their Finished. The client's timer doubles (100 ms ... 25.6 s), so the third answer
     *     came at 60.003 s, 3 ms after the client's 60 s budget.
     * </ul>
     *
     * <p>So it was an unlucky loss pattern, not a stall: both sides kept retransmitting, and the
     * handshake completes with the first answer whose Finished arrives, which is what this case
     * asserts, after checking that all 21 scripted drops happened. A real peer meets the same
     * odds; its budget (ours is 20 s from a 1 s timer, see DtlsTransport) decides when it gives
     * up. With flight packing the client's last flight is one datagram, so Bouncy Castle's "whole
     * flight again" condition is met by any copy that arrives.
     */
    @Test
    @Timeout(120)
    void replaysTheLossPatternOfSeed30627215411474() throws Exception {
        // Which copies of each datagram the relay dropped, read off the trace (a->b: 23 sent, 6
        // dropped; b->a: 57 sent, 15 dropped). Keyed by content rather than by index, so that
        // extra copies of other datagrams (timer jitter) do not shift the pattern.
        Map<String, Set<Integer>> dropAToB = Map.of(
                "[hs e0 msg11 seq1]", Set.of(3),
                "[hs e0 msg13 seq3]", Set.of(2),
                "[CCS e0]", Set.of(1),
                "[hs e1]", Set.of(1, 2, 3));
        Map<String, Set<Integer>> dropBToA = Map.of(
                "[hs e0 msg11 seq1]", Set.of(4, 6, 8, 9, 10),
                "[hs e0 msg16 seq2]", Set.of(3, 5),
                "[hs e0 msg15 seq3]", Set.of(1, 2, 9),
                "[CCS e0]", Set.of(5, 7, 8),
                "[hs e1]", Set.of(4, 11));
        // Warm up (class loading, first signatures) so that the 10 ms timer does not fire early.
        try (LossyRelay warm = LossyRelay.inMemory(0, Impairment.NONE, Impairment.NONE)) {
            run(warm, false, "warm-up without loss", RETRANSMIT_MS, PeerSupport.Knobs.DEFAULT);
        }
        String name = "replay of seed 30627215411474 (loss 20%, a is server, e31b687)";
        try (LossyRelay relay = LossyRelay.scripted(dropAToB, dropBToA)) {
            run(relay, false, name, 10, new PeerSupport.Knobs(0, null, true, false));
            System.out.println("replay trace:\n" + relay.trace());
            // The replay went through the whole pattern: every scripted drop happened.
            assertEquals(6, relay.statsAToB().dropped.get(), "a->b drops replayed");
            assertEquals(15, relay.statsBToA().dropped.get(), "b->a drops replayed");
        }
    }

    private static void run(LossyRelay relay, boolean clientOnA, String name, int clientPadding) throws Exception {
        run(relay, clientOnA, name, RETRANSMIT_MS, new PeerSupport.Knobs(clientPadding, null, true));
    }

    private static void run(LossyRelay relay, boolean clientOnA, String name, int retransmitMs,
            PeerSupport.Knobs knobs) throws Exception {
        System.out.println("case: " + name);
        long t0 = System.nanoTime();
        PacketTransport clientEnd = clientOnA ? relay.a() : relay.b();
        PacketTransport serverEnd = clientOnA ? relay.b() : relay.a();
        Future<DtlsTransport> server = POOL.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, serverEnd,
                TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), HANDSHAKE_TIMEOUT_MS, retransmitMs, knobs));
        Future<DtlsTransport> client = POOL.submit(() -> DtlsTransport.connect(DtlsRole.CLIENT, clientEnd,
                TestCerts.EC_A, TestCerts.fp(TestCerts.EC_B), HANDSHAKE_TIMEOUT_MS, retransmitMs, knobs));
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
