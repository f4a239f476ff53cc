package org.jdatachannel.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI smoke run of {@link E2eHarness} with tiny sizes: every row runs (the scale row in-process with
 * 4 connections), nothing fails, and the table and the JSON carry the fields the README documents.
 * Structure only: no figure is compared with a speed.
 */
class E2eHarnessSmokeTest {

    @Test
    void everyRowRunsAndTheJsonHasItsFields(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("e2e.json");
        E2eHarness.Options o = E2eHarness.Options.parse("--rounds", "1", "--mib", "1", "--udp-mib", "1",
                "--echo-samples", "20", "--setup-count", "3", "--setup-warmup", "3", "--scale", "4", "--scale-warmup-s", "0",
                "--scale-steady-s", "1", "--scale-in-process", "--out", json.toString());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Map<String, Object> report = E2eHarness.run(o, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertEquals(List.of(), report.get("errors"), printed);
        assertTrue(printed.contains("== e2e summary"), printed);
        int large = E2eHarness.largeDatagramBytes(0);
        assertEquals(2048 + 37, large, "automatically at most 2048-byte SCTP packets, in 2085-byte datagrams");
        int large16 = E2eHarness.largeDatagramBytes(16384);
        assertEquals(16384 + 37, large16, "loopback MTU 65536: a 16384-byte SCTP packet in a 16421-byte datagram");
        for (String row : List.of("raw UDP 1200 B", "raw UDP " + large + " B", "raw UDP " + large16 + " B",
                "DC 64 KiB x1", "DC 1 KiB x1", "DC 64 KiB x4", "DC 64 KiB x1, 1191-byte packets",
                "DC 64 KiB x1, packets <= 16384 B", "DC echo 1 KiB",
                "setup (certificate per connection)", "setup (shared certificate)")) {
            assertTrue(printed.contains(row), row + " in\n" + printed);
        }

        JsonNode n = new ObjectMapper().readTree(json.toFile());
        JsonNode meta = n.path("meta");
        assertEquals(3, meta.path("loadAverageStart").size(), meta.toString());
        assertEquals(3, meta.path("loadAverageEnd").size(), meta.toString());
        assertTrue(meta.path("commit").isTextual());
        JsonNode rows = n.path("rows");

        JsonNode udp = rows.path("udp");
        assertTrue(udp.path("throughputMbPerS").path("median").asDouble() > 0, udp.toString());
        assertEquals(1, udp.path("throughputMbPerS").path("values").size());
        assertEquals(20, udp.path("pingPongRttUs").path("n").asInt() + udp.path("pingPongLost").asInt(), udp.toString());
        assertEquals(3, udp.path("loadAverage").size());
        assertTrue(udp.path("loaded").isBoolean());
        // raw UDP at the datagram size of the large SCTP packets
        assertEquals(large, udp.path("largeDatagramBytes").asInt(), udp.toString());
        assertTrue(udp.path("largeThroughputMbPerS").path("median").asDouble() > 0, udp.toString());
        assertEquals(1, udp.path("largeThroughputMbPerS").path("values").size());
        assertTrue(udp.path("largeCpuMsPerMb").path("median").isNumber(), udp.toString()); // 0 in a run this short
        assertTrue(udp.path("largeDatagramsSent").asLong() > 0, udp.toString());
        assertTrue(udp.path("largeDatagramsDropped").asLong() >= 0, udp.toString());
        // one raw figure per large datagram size the throughput rows use, the automatic one first
        assertEquals(2, udp.path("largeSizes").size(), udp.toString());
        assertEquals(large, udp.path("largeSizes").get(0).path("datagramBytes").asInt(), udp.toString());
        assertEquals(large16, udp.path("largeSizes").get(1).path("datagramBytes").asInt(), udp.toString());
        assertTrue(udp.path("largeSizes").get(1).path("throughputMbPerS").path("median").asDouble() > 0, udp.toString());

        JsonNode tput = rows.path("throughput");
        assertEquals(5, tput.size(), tput.toString());
        int[][] kinds = {{65536, 1, 0}, {65536, 1, 1191}, {65536, 1, 16384}, {1024, 1, 0}, {65536, 4, 0}};
        for (int i = 0; i < kinds.length; i++) {
            JsonNode r = tput.get(i);
            assertEquals(kinds[i][0], r.path("messageBytes").asInt(), r.toString());
            assertEquals(kinds[i][1], r.path("channels").asInt(), r.toString());
            // the row's packet size setting and the sender's PLPMTU (the largest SCTP packet it sent)
            assertEquals(kinds[i][2], r.path("sctpMaxPacketSize").asInt(-1), r.toString());
            int pmtu = r.path("sctpPmtu").asInt();
            if (kinds[i][2] == 1191) {
                assertEquals(1191, pmtu, r.toString());
                assertEquals(1200, r.path("rawUdpSameSizeDatagramBytes").asInt(), r.toString());
                assertEquals(r.path("ratioToRawUdp").asDouble(), r.path("ratioToRawUdpSameSize").asDouble(), 1e-9);
            } else if (kinds[i][2] == 16384) {
                assertTrue(pmtu >= 1191 && pmtu <= 16384, r.toString());
                assertEquals(pmtu > 1191 ? large16 : 1200, r.path("rawUdpSameSizeDatagramBytes").asInt(), r.toString());
            } else {
                assertTrue(pmtu >= 1191 && pmtu <= 2048, r.toString());
                assertEquals(pmtu > 1191 ? large : 1200, r.path("rawUdpSameSizeDatagramBytes").asInt(), r.toString());
            }
            assertTrue(r.path("ratioToRawUdpSameSize").asDouble() > 0, r.toString());
            JsonNode first = r.path("rounds").get(0);
            assertEquals(pmtu, first.path("sctpPmtu").asInt(), first.toString());
            assertTrue(first.path("sctpPmtuAtStart").asInt() >= 1191, first.toString());
            // retransmissions and ICE receive-queue drops per round are reported (diagnostics)
            assertTrue(first.path("counters").has("sctpRetransmissions"), first.toString());
            assertTrue(first.path("counters").has("iceDropsQueueFull"), first.toString());
            for (String f : List.of("mbPerS", "cpuMsPerMb", "allocBytesPerMb")) {
                assertEquals(1, r.path(f).path("values").size(), f + " " + r);
                assertTrue(r.path(f).path("median").asDouble() > 0, f + " " + r);
            }
            assertTrue(r.path("ratioToRawUdp").asDouble() > 0, r.toString());
            // every row warms up by the same rule (not only the first kind)
            int warm = r.path("warmupRounds").asInt();
            assertTrue(warm >= E2eHarness.MIN_WARMUP_ROUNDS && warm <= E2eHarness.MAX_WARMUP_ROUNDS, r.toString());
            JsonNode round = r.path("rounds").get(0);
            assertTrue(round.path("counters").isObject(), round.toString());
            // JIT and GC time during the round (diagnostics; HotSpot reports both)
            assertTrue(round.path("counters").path("jvm.jitMs").asLong(-2) >= 0, round.toString());
            assertTrue(round.path("counters").path("jvm.gcMs").asLong(-2) >= 0, round.toString());
            assertTrue(round.path("udpKernel").isObject(), round.toString());
            assertTrue(round.path("cpuMsByThread").size() > 0, round.toString());
        }

        JsonNode echo = rows.path("echo");
        assertEquals(20, echo.path("rttUs").path("n").asInt(), echo.toString());
        assertTrue(echo.path("rttUs").path("p50").asDouble() > 0);
        assertTrue(echo.path("rttUs").path("p99").asDouble() >= echo.path("rttUs").path("p50").asDouble());
        assertTrue(echo.has("ratioP50ToRawUdpPingPong"), echo.toString());
        assertEquals(20, echo.path("rttFromCallbackUs").path("n").asInt(), echo.toString());
        assertTrue(echo.path("rttFromCallbackUs").path("p50").asDouble() > 0, echo.toString());
        assertTrue(echo.has("ratioP50FromCallbackToRawUdpPingPong"), echo.toString());
        // the same two echoes with the opt-in busy polling (the library's default is off)
        assertEquals(E2eHarness.ECHO_BUSY_POLL_MICROS, echo.path("busyPollMicros").asInt(), echo.toString());
        assertEquals(20, echo.path("rttBusyPollUs").path("n").asInt(), echo.toString());
        assertEquals(20, echo.path("rttFromCallbackBusyPollUs").path("n").asInt(), echo.toString());
        assertTrue(echo.has("ratioP50FromCallbackBusyPollToRawUdpPingPong"), echo.toString());
        // (not > 0: in a run this short, slow cold echoes can put the loop's back-off on for all samples)
        assertTrue(echo.path("perRoundTripFromCallbackBusyPoll").has("rx.busyPolls"), echo.toString());

        JsonNode setup = rows.path("setup");
        assertEquals(2, setup.size(), setup.toString());
        for (int i = 0; i < 2; i++) {
            JsonNode s = setup.get(i).path("result");
            assertEquals(i == 0, s.path("certificateInsideWindow").asBoolean(), s.toString());
            assertEquals(0, s.path("failures").asInt(), s.toString());
            assertEquals(3, s.path("total").path("n").asInt(), s.toString());
            assertEquals(Pair.PHASES.size(), s.path("phases").size());
            for (String phase : Pair.PHASES) {
                assertTrue(s.path("phases").path(phase).path("p50").asDouble() >= 0, phase + " " + s);
            }
            // per sample every phase happens after the constructors; the window ends at "open"
            assertEquals(s.path("total").path("p50").asDouble(), s.path("phases").path("open").path("p50").asDouble());
            assertTrue(s.path("phases").path("constructed").path("max").asDouble()
                    <= s.path("phases").path("open").path("max").asDouble());
            // per set-up diagnostics: process CPU and wall time are known on the JDKs we run; the JIT
            // and GC times are at least 0 (or -1 if the JVM does not report them)
            // the warm-up: at most --setup-warmup 3 set-ups, in one block (3 < the block size); it records
            // the block whatever its JIT time
            JsonNode blocks = s.path("warmupBlocks");
            assertEquals(1, blocks.size(), s.toString());
            assertEquals(3, blocks.get(0).path("setUpsSoFar").asInt(), s.toString());
            assertEquals(3, setup.get(i).path("warmupSetUps").asInt(), setup.get(i).toString());
            JsonNode per = s.path("perSetup");
            assertTrue(per.path("cpuMs").asDouble() > 0, per.toString());
            assertTrue(per.path("wallMs").asDouble() > 0, per.toString());
            for (String k : List.of("jitMs", "gcMs", "warmupJitMs")) {
                assertTrue(per.path(k).isNumber() && per.path(k).asDouble() >= -1, k + " " + per);
            }
        }

        JsonNode scale = rows.path("scale");
        assertEquals(1, scale.size(), scale.toString());
        JsonNode sc = scale.get(0).path("result");
        assertEquals(4, sc.path("config").path("pcs").asInt());
        assertEquals(2, sc.path("pairsConnected").asInt(), sc.toString());
        assertTrue(sc.path("broke").isNull(), sc.toString());
        assertTrue(sc.path("threads").asInt() > 0 && sc.path("threadsBefore").asInt() > 0, sc.toString());
        assertTrue(sc.path("heapAfterGcEndBytes").asLong() > 0, sc.toString());
        assertTrue(sc.path("echoesReturned").asLong() <= sc.path("echoesSent").asLong(), sc.toString());
        for (String f : List.of("cpuMsPerPcPerS", "heapPerPcBytes", "threadsPerPc", "fds", "rssBytes", "echoRttMs",
                "setupMs", "threadsByGroup", "limits", "loadAverage", "heapHistogramTop", "cpuMsPerSByThreadGroup")) {
            assertTrue(sc.has(f), f + " in " + sc);
        }
    }

    @Test
    void warmUpEndsWhenTwoRoundsAgreeAfterTheMinimumOrAtTheMaximum() {
        // fewer than the minimum: never done, however stable
        for (int warm = 1; warm < E2eHarness.MIN_WARMUP_ROUNDS; warm++) {
            assertFalse(E2eHarness.warmedUp(warm, 12.0, 12.0), "round " + warm);
        }
        assertFalse(E2eHarness.warmedUp(1, Double.NaN, 12.0));
        // from the minimum: done when within 10 % of the previous round, either way
        assertTrue(E2eHarness.warmedUp(E2eHarness.MIN_WARMUP_ROUNDS, 12.0, 13.1));
        assertTrue(E2eHarness.warmedUp(E2eHarness.MIN_WARMUP_ROUNDS, 12.0, 10.9));
        assertFalse(E2eHarness.warmedUp(E2eHarness.MIN_WARMUP_ROUNDS, 12.0, 13.5));
        assertFalse(E2eHarness.warmedUp(E2eHarness.MAX_WARMUP_ROUNDS - 1, 20.0, 12.0));
        // the maximum ends it whatever the figures
        assertTrue(E2eHarness.warmedUp(E2eHarness.MAX_WARMUP_ROUNDS, 20.0, 12.0));
        assertTrue(E2eHarness.warmedUp(E2eHarness.MAX_WARMUP_ROUNDS, Double.NaN, 12.0));
    }

    @Test
    void optionsAreCheckedAndQuickShrinksTheRun() {
        E2eHarness.Options d = E2eHarness.Options.defaults();
        assertEquals(3, d.rounds());
        assertEquals(64L << 20, d.transferBytes());
        assertEquals(100, d.setupCount());
        assertEquals(List.of(100, 1000), d.scalePcs());
        assertEquals("512m", d.scaleHeap());
        E2eHarness.Options q = E2eHarness.Options.parse("--quick", "--rounds", "5", "--only", "throughput,setup");
        assertEquals(5, q.rounds());
        assertEquals(8L << 20, q.transferBytes());
        assertEquals(List.of(100), q.scalePcs());
        assertEquals(java.util.Set.of("throughput", "setup"), q.only());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> E2eHarness.Options.parse("--only", "throughput,speed"));
        assertTrue(e.getMessage().contains("speed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--rounds", "0"));
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--rounds", "x"));
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--scale", "3"));
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--scale-heap", "lots"));
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--bogus"));
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--out"));
        assertThrows(IllegalArgumentException.class, () -> new ScaleRun.Config(3, 0, 1, 1024, 1000, 1, 1, 0));
        assertEquals(List.of("65536x1", "65536x1@1191", "65536x1@16384", "1024x1", "65536x4"), d.throughputKinds());
        assertEquals(0, d.sctpMaxPacket());
        assertEquals(1191, E2eHarness.Options.parse("--sctp-max-packet", "1191").sctpMaxPacket());
        assertEquals(9000, E2eHarness.Options.parse("--sctp-max-packet", "9000").sctpMaxPacket());
        IllegalArgumentException pk = assertThrows(IllegalArgumentException.class,
                () -> E2eHarness.Options.parse("--sctp-max-packet", "1000"));
        assertTrue(pk.getMessage().contains("--sctp-max-packet") && pk.getMessage().contains("1191..65535"),
                pk.getMessage());
        assertEquals(List.of("65536x1@1191", "1024x2@0"),
                E2eHarness.Options.parse("--tput", "65536x1@1191,1024x2@0").throughputKinds());
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--tput", "65536x1@1000"));
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--tput", "65536x1@"));
        assertEquals(", 1191-byte packets", E2eHarness.packetName(1191));
        assertEquals("", E2eHarness.packetName(-1));
        assertEquals(0, E2eHarness.largeDatagramBytes(1191), "fixed 1191-byte packets: no large datagrams");
        assertEquals(9000 + 37, E2eHarness.largeDatagramBytes(9000));
        assertEquals(0, d.scaleLoopThreads());
        assertEquals(8, E2eHarness.Options.parse("--scale-loop-threads", "8").scaleLoopThreads());
        assertEquals(20_000, d.echoWarmup());
        assertEquals(5000, d.echoSamples());
        assertEquals(300, E2eHarness.Options.parse("--echo-warmup", "300").echoWarmup());
        assertEquals(0, E2eHarness.Options.parse("--echo-warmup", "0").echoWarmup());
        assertEquals(200, E2eHarness.Options.parse("--echo-samples", "1000").echoWarmup());
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--echo-warmup", "-1"));
        assertEquals(E2eHarness.DEFAULT_SETUP_WARMUP, d.setupWarmup());
        assertEquals(7, E2eHarness.Options.parse("--setup-warmup", "7").setupWarmup());
        assertEquals(E2eHarness.DEFAULT_SETUP_WARMUP, E2eHarness.Options.parse("--setup-count", "3").setupWarmup());
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--scale-loop-threads", "257"));
        assertEquals(List.of("1200x2"), E2eHarness.Options.parse("--tput", "1200x2").throughputKinds());
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--tput", "1024"));
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--tput", "1024x0"));
        assertThrows(IllegalArgumentException.class, () -> E2eHarness.Options.parse("--tput", "ax1"));
    }

    @Test
    void mediansAndPercentiles() {
        Stats.Median m = Stats.median(new double[] {3, 1, 2});
        assertEquals(2, m.median());
        assertEquals(1, m.halfSpread());
        assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}).median());
        assertTrue(Double.isNaN(Stats.median(new double[0]).median()));
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i;
        }
        Stats.Dist d = Stats.dist(v, 100);
        assertEquals(50, d.p50());
        assertEquals(99, d.p99());
        assertEquals(100, d.max());
        assertEquals(100, v[0], "the input is not sorted in place");
        assertEquals(0, Stats.dist(v, 0).n());
        assertEquals("jdatachannel-pc-#-loop", Meter.group("jdatachannel-pc-12-loop"));
        assertNotNull(Meter.limits());
    }
}
