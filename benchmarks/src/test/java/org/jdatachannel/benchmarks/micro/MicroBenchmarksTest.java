package org.jdatachannel.benchmarks.micro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.jdatachannel.benchmarks.RunBenchmarks;
import org.jdatachannel.dcep.DataChannelOpen;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sdp.DataChannelMedia;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The micro-benchmarks measure what they claim: each operation does its work correctly (a parsed
 * packet equals the one serialized, every message is reassembled, SACKs report the gaps, records
 * come out as they went in), and the JMH harness runs every benchmark method. Nothing here is
 * about speed.
 */
class MicroBenchmarksTest {

    @ParameterizedTest
    @EnumSource(SctpPacketBenchmark.Kind.class)
    void packetsRoundTripWithEitherChecksum(SctpPacketBenchmark.Kind kind) throws Exception {
        for (SctpPacketBenchmark.Checksum c : SctpPacketBenchmark.Checksum.values()) {
            SctpPacketBenchmark b = new SctpPacketBenchmark();
            b.kind = kind;
            b.checksum = c;
            b.setUp();
            SctpPacket parsed = b.parse();
            assertEquals(b.packet().toString(), parsed.toString(), kind + " " + c);
            assertArrayEquals(b.wire(), parsed.serialize(c == SctpPacketBenchmark.Checksum.ZERO), "parsed = sent");
            assertArrayEquals(b.wire(), b.serialize());
            assertTrue(b.wire().length <= 1191, "within the default MTU: " + b.wire().length);
            assertEquals(c == SctpPacketBenchmark.Checksum.ZERO, java.nio.ByteBuffer.wrap(b.wire()).getInt(8) == 0);
        }
        if (kind == SctpPacketBenchmark.Kind.DATA || kind == SctpPacketBenchmark.Kind.IDATA) {
            assertEquals(1188, SctpPacketBenchmark.packet(kind).serializedSize(), "a full packet");
        }
    }

    @ParameterizedTest
    @EnumSource(ReassemblyBenchmark.Delivery.class)
    void everyMessageIsDeliveredWholeAndNothingIsLeftBehind(ReassemblyBenchmark.Delivery d) {
        for (int size : new int[] {1024, 65536}) {
            ReassemblyBenchmark b = new ReassemblyBenchmark();
            b.delivery = d;
            b.messageSize = size;
            b.setUp();
            int n = 70_000; // SSNs wrap at 65536, TSNs at 2^32
            for (int i = 1; i <= (size > 1024 ? 300 : n); i++) {
                assertEquals(i, b.message(), d + " " + size);
            }
            assertEquals((long) b.deliveredMessages() * size, b.deliveredBytes());
            assertEquals(0, b.entries(), "nothing held");
        }
    }

    @Test
    void inOrderSacksAdvanceTheCumulativeTsnByTwoWithoutGaps() {
        SackBenchmark bench = new SackBenchmark();
        SackBenchmark.InOrder s = new SackBenchmark.InOrder();
        s.setUp();
        int first = s.next;
        for (int i = 1; i <= 5000; i++) { // crosses the TSN wrap
            SackChunk sack = bench.inOrder(s);
            assertEquals(first - 1 + 2 * i, sack.cumulativeTsnAck().value());
            assertTrue(sack.gapAckBlocks().isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 64, 128})
    void sacksWithGapsReportEveryRunUpToTheBound(int gaps) {
        SackBenchmark.Gaps s = new SackBenchmark.Gaps();
        s.gaps = gaps;
        s.setUp();
        SackChunk sack = new SackBenchmark().withGaps(s);
        assertEquals(1000, sack.cumulativeTsnAck().value());
        assertEquals(Math.min(gaps, 64), sack.gapAckBlocks().size());
        assertEquals(new SackChunk.GapAckBlock(2, 3), sack.gapAckBlocks().get(0));
        assertEquals(sack, new SackBenchmark().withGaps(s), "repeatable");
    }

    @Test
    void dcepOpenRoundTrips() throws Exception {
        DcepBenchmark b = new DcepBenchmark();
        b.setUp();
        assertEquals(b.open(), b.parseOpen());
        assertEquals(DataChannelOpen.HEADER_LENGTH + 8, b.encodeOpen().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"chromium156-offer.sdp", "firefox153-answer.sdp"})
    void browserFixturesParse(String fixture) throws Exception {
        SdpParseBenchmark b = new SdpParseBenchmark();
        b.fixture = fixture;
        b.setUp();
        assertEquals(1, b.parse().media().size());
        DataChannelMedia m = b.parseDataChannel();
        assertFalse(m.fingerprints().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(DtlsRecordBenchmark.Crypto.class)
    void recordsComeOutAsTheyWentIn(DtlsRecordBenchmark.Crypto crypto) throws Exception {
        for (DtlsRecordBenchmark.Suite suite : DtlsRecordBenchmark.Suite.values()) {
            for (DtlsRecordBenchmark.RxLimit limit : DtlsRecordBenchmark.RxLimit.values()) {
                DtlsRecordBenchmark b = new DtlsRecordBenchmark();
                b.crypto = crypto;
                b.suite = suite;
                b.size = 1191;
                b.rxLimit = limit;
                b.setUp();
                try {
                    for (int i = 0; i < 100; i++) {
                        b.seal(); // sealed, then overwritten: the link holds one datagram
                        assertEquals(1191, b.sealOpen(), crypto + " " + suite + " " + limit);
                        assertArrayEquals(b.plaintext(), java.util.Arrays.copyOf(b.received(), 1191));
                    }
                } finally {
                    b.tearDown();
                }
            }
        }
    }

    @Test
    void theStacksDtlsTransportDeliversEveryRecord() throws Exception {
        for (int size : new int[] {200, 16384}) {
            DtlsStackBenchmark b = new DtlsStackBenchmark();
            b.size = size;
            b.setUp();
            try {
                for (int i = 0; i < 100; i++) {
                    b.send();
                    assertEquals(size, b.sendReceive());
                    assertArrayEquals(b.plaintext(), java.util.Arrays.copyOf(b.received(), size));
                }
            } finally {
                b.tearDown();
            }
            DtlsStackBenchmark push = new DtlsStackBenchmark();
            push.size = size;
            push.setUp();
            try {
                for (int i = 0; i < 100; i++) {
                    assertEquals(size, push.sendHandle());
                    assertArrayEquals(push.plaintext(), java.util.Arrays.copyOf(push.received(), size));
                }
            } finally {
                push.tearDown();
            }
        }
    }

    @Test
    void jmhRunsEveryMicroBenchmarkMethod() throws Exception {
        // One short in-process iteration per method with one value per parameter: the generated
        // harness works and every method runs; the scores are not looked at.
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("org\\.jdatachannel\\.benchmarks\\.micro\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(20))
                .param("size", "1191").param("crypto", "JDK").param("suite", "AES_128_GCM")
                .param("kind", "SACK_GAPS").param("checksum", "CRC32C")
                .param("delivery", "ORDERED").param("messageSize", "65536")
                .param("gaps", "16").param("fixture", "firefox153-answer.sdp")
                .shouldFailOnError(true)
                .build()).run();
        Set<String> ran = new TreeSet<>();
        for (RunResult r : results) {
            ran.add(r.getParams().getBenchmark().replaceAll(".*\\.micro\\.", ""));
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark());
        }
        assertEquals(new TreeSet<>(Set.of("DcepBenchmark.encodeOpen", "DcepBenchmark.parseOpen",
                "DtlsRecordBenchmark.seal", "DtlsRecordBenchmark.sealOpen", "DtlsStackBenchmark.send",
                "DtlsStackBenchmark.sendHandle", "DtlsStackBenchmark.sendReceive", "ReassemblyBenchmark.message", "SackBenchmark.inOrder",
                "SackBenchmark.withGaps", "SctpPacketBenchmark.parse", "SctpPacketBenchmark.serialize",
                "SdpParseBenchmark.parse", "SdpParseBenchmark.parseDataChannel")), ran);
        assertEquals(14, results.size(), "one cell per method");
    }

    @Test
    void runBenchmarksTakesJmhsCommandLine() throws Exception {
        var o = RunBenchmarks.class.getDeclaredMethod("options", String[].class);
        o.setAccessible(true);
        var none = (org.openjdk.jmh.runner.options.Options) o.invoke(null, (Object) new String[0]);
        assertEquals(java.util.List.of(".*Benchmark.*"), none.getIncludes());
        var some = (org.openjdk.jmh.runner.options.Options) o.invoke(null,
                (Object) new String[] {"micro\\.Sack", "-f", "2", "-p", "gaps=1,16", "-prof", "gc"});
        assertEquals(java.util.List.of("micro\\.Sack"), some.getIncludes());
        assertEquals(2, some.getForkCount().get());
        assertEquals(java.util.List.of("1", "16"), new java.util.ArrayList<>(some.getParameter("gaps").get()));
        assertEquals(1, some.getProfilers().size());
    }
}
