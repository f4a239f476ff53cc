package org.jdatachannel.sctp.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.SendOptions;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.SctpPacket;
import org.jdatachannel.sctp.packet.SctpPacketTest;
import org.jdatachannel.sctp.packet.Tsn;
import org.jdatachannel.sctp.packet.StreamId;
import org.jdatachannel.sctp.packet.chunk.AbortChunk;
import org.jdatachannel.sctp.packet.chunk.Chunk;
import org.jdatachannel.sctp.packet.chunk.CookieAckChunk;
import org.jdatachannel.sctp.packet.chunk.DataChunk;
import org.jdatachannel.sctp.packet.chunk.ErrorChunk;
import org.jdatachannel.sctp.packet.chunk.ForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.chunk.IDataChunk;
import org.jdatachannel.sctp.packet.chunk.IForwardTsnChunk;
import org.jdatachannel.sctp.packet.chunk.InitChunk;
import org.jdatachannel.sctp.packet.chunk.PadChunk;
import org.jdatachannel.sctp.packet.chunk.ReConfigChunk;
import org.jdatachannel.sctp.packet.chunk.SackChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownAckChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownChunk;
import org.jdatachannel.sctp.packet.chunk.ShutdownCompleteChunk;
import org.jdatachannel.sctp.packet.chunk.UnknownChunk;
import org.jdatachannel.sctp.packet.chunk.UserDataChunk;
import org.jdatachannel.sctp.packet.errorcause.CookieReceivedWhileShuttingDownCause;
import org.jdatachannel.sctp.packet.errorcause.InvalidMandatoryParameterCause;
import org.jdatachannel.sctp.packet.errorcause.InvalidStreamIdentifierCause;
import org.jdatachannel.sctp.packet.errorcause.MissingMandatoryParameterCause;
import org.jdatachannel.sctp.packet.errorcause.NoUserDataCause;
import org.jdatachannel.sctp.packet.errorcause.OutOfResourceCause;
import org.jdatachannel.sctp.packet.errorcause.ProtocolViolationCause;
import org.jdatachannel.sctp.packet.errorcause.StaleCookieCause;
import org.jdatachannel.sctp.packet.errorcause.UnknownErrorCause;
import org.jdatachannel.sctp.packet.errorcause.UnrecognizedChunkTypeCause;
import org.jdatachannel.sctp.packet.errorcause.UnrecognizedParametersCause;
import org.jdatachannel.sctp.packet.errorcause.UserInitiatedAbortCause;
import org.jdatachannel.sctp.packet.parameter.CookiePreservativeParameter;
import org.jdatachannel.sctp.packet.parameter.ForwardTsnSupportedParameter;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.packet.parameter.IncomingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.OutgoingSsnResetRequestParameter;
import org.jdatachannel.sctp.packet.parameter.ReconfigurationResponseParameter;
import org.jdatachannel.sctp.packet.parameter.SupportedExtensionsParameter;
import org.jdatachannel.sctp.packet.parameter.UnknownParameter;
import org.jdatachannel.sctp.packet.parameter.ZeroChecksumAcceptableParameter;

/**
 * The checked-in seed corpus of the fuzz targets, in Jazzer's regression-input layout
 * ({@code src/test/resources/<package>/<TestClass>Inputs/<method>/<file>}): real packets captured
 * from scenarios on the {@link Harness} (handshake, data with loss, SACK with gaps, FORWARD TSN,
 * RE-CONFIG, SHUTDOWN, ABORT), the INITs of Chromium (dcSCTP) and usrsctp, and constructed packets
 * for every chunk, parameter and error cause type.
 *
 * <p>Regenerate (overwrites the generated seeds, keeps other files such as crash reproducers) with
 * {@code mvn -B -o -q -pl sctp test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.jdatachannel.sctp.fuzz.Corpus}. The association seeds replay traffic
 * recorded against {@link Harness#established()}; if the association's handshake or its use of the
 * random generator changes they go stale (then {@code AssociationFuzzTest}'s corpus checks fail)
 * and must be regenerated.
 */
public final class Corpus {
    private Corpus() {
    }

    private static final String PACKAGE_DIR = "org/jdatachannel/sctp/fuzz/";

    /** @return the regression-input directory of one fuzz target, relative to the module directory */
    static Path dir(Class<?> testClass, String method) {
        return Path.of("src/test/resources", PACKAGE_DIR, testClass.getSimpleName() + "Inputs", method);
    }

    /** @return the files in a target's corpus, sorted by name */
    static List<Path> files(Class<?> testClass, String method) throws IOException {
        try (Stream<Path> s = Files.list(dir(testClass, method))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Writes every generated seed; the argument (optional) is the module directory. */
    public static void main(String[] args) throws IOException {
        Path module = Path.of(args.length > 0 ? args[0] : Files.isDirectory(Path.of("sctp/src")) ? "sctp" : ".");
        write(module, SctpPacketFuzzTest.class, "parsePacket", packetSeeds());
        write(module, AssociationFuzzTest.class, "established", establishedSeeds());
        write(module, AssociationFuzzTest.class, "closedOrCookieWait", closedSeeds());
        write(module, AssociationFuzzTest.class, "establishedInterleaved", interleavedSeeds());
    }

    private static void write(Path module, Class<?> c, String method, Map<String, byte[]> seeds) throws IOException {
        Path d = module.resolve(dir(c, method));
        Files.createDirectories(d);
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Files.write(d.resolve(e.getKey()), e.getValue());
        }
        System.out.println(seeds.size() + " seeds in " + d);
    }

    private static byte[] packet(int tag, Chunk... chunks) {
        return new SctpPacket(Harness.PORT, Harness.PORT, tag, List.of(chunks)).serialize();
    }

    private static String kind(byte[] p) {
        try {
            StringBuilder sb = new StringBuilder();
            for (Chunk c : SctpPacket.parse(ByteBuffer.wrap(p), true).chunks()) {
                sb.append(sb.length() == 0 ? "" : "+").append(c.getClass().getSimpleName().replace("Chunk", "")
                        .toLowerCase(java.util.Locale.ROOT));
            }
            return sb.toString();
        } catch (PacketParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seeds for {@link SctpPacketFuzzTest#parsePacket}: one packet per file. */
    static Map<String, byte[]> packetSeeds() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("init-chromium-dcsctp", SctpPacketTest.CAPTURED_INIT);
        m.put("init-usrsctp", SctpPacketTest.CAPTURED_USRSCTP_INIT);
        // a whole exchange: handshake, data both ways, SACKs, then the scenarios below
        List<byte[]> captured = new ArrayList<>();
        for (Scenario s : scenarios()) {
            for (Harness.Sent x : s.h.aToB) {
                captured.add(x.packet());
            }
            for (Harness.Sent x : s.h.bToA) {
                captured.add(x.packet());
            }
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (byte[] p : captured) {
            String k = kind(p);
            int n = seen.merge(k, 1, Integer::sum);
            if (n <= 2) {
                m.put("captured-" + k + (n > 1 ? "-" + n : ""), p);
            }
        }
        int tag = 0x01020304;
        m.put("sack-gaps-dups", packet(tag, new SackChunk(1000, 65536,
                List.of(new SackChunk.GapAckBlock(2, 3), new SackChunk.GapAckBlock(5, 9)), new int[] {999, 1001})));
        m.put("forward-tsn", packet(tag, new ForwardTsnChunk(77, List.of(new ForwardTsnChunk.SkippedStream(1, 4),
                new ForwardTsnChunk.SkippedStream(7, 65535)))));
        m.put("reconfig-requests", packet(tag, new ReConfigChunk(List.of(
                new OutgoingSsnResetRequestParameter(10, 9, 500, new int[] {1, 3, 5}),
                new IncomingSsnResetRequestParameter(11, new int[] {2})))));
        m.put("reconfig-responses", packet(tag, new ReConfigChunk(List.of(
                new ReconfigurationResponseParameter(10, ReconfigurationResponseParameter.RESULT_IN_PROGRESS),
                new ReconfigurationResponseParameter(11, ReconfigurationResponseParameter.RESULT_SUCCESS_PERFORMED,
                        true, 1000, 2000)))));
        m.put("heartbeat", packet(tag, new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[] {1, 2, 3, 4, 5})))));
        m.put("heartbeat-ack", packet(tag, new HeartbeatAckChunk(List.of(new HeartbeatInfoParameter(new byte[9])))));
        // an RFC 8899 PLPMTUD probe: HEARTBEAT + PAD (RFC 4820) filling the packet to 256 bytes
        m.put("pmtu-probe", packet(tag, new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[16]))),
                new PadChunk(256 - 40)));
        m.put("abort-causes", packet(tag, new AbortChunk(true, List.of(UserInitiatedAbortCause.ofText("bye"),
                ProtocolViolationCause.ofText("bad"), new InvalidMandatoryParameterCause(), new OutOfResourceCause()))));
        m.put("error-causes", packet(tag, new ErrorChunk(false, List.of(new InvalidStreamIdentifierCause(new StreamId(9)),
                new MissingMandatoryParameterCause(new int[] {7, 8}), new StaleCookieCause(12345),
                new NoUserDataCause(new Tsn(42)), new UnrecognizedChunkTypeCause(new byte[] {(byte) 0xfe, 0, 0, 4}),
                new UnrecognizedParametersCause(new byte[] {(byte) 0x80, 0x0a, 0, 5, 1}),
                new CookieReceivedWhileShuttingDownCause(), new UnknownErrorCause(0x99, new byte[] {1, 2, 3})))));
        m.put("shutdown", packet(tag, new ShutdownChunk(1234)));
        m.put("shutdown-ack", packet(tag, new ShutdownAckChunk(false)));
        m.put("shutdown-complete-t", packet(tag, new ShutdownCompleteChunk(true)));
        m.put("cookie-ack", packet(tag, new CookieAckChunk(false)));
        m.put("unknown-chunks", packet(tag, new UnknownChunk(0xbf, 3, new byte[] {1, 2, 3}), new UnknownChunk(0x7e, 0, new byte[0])));
        m.put("init-params", packet(0, new InitChunk(0x11223344, 131072, 1024, 2048, 777, List.of(
                new UnknownParameter(0x8000, new byte[0]), new UnknownParameter(12, new byte[] {0, 5, 0, 6}),
                new ForwardTsnSupportedParameter(), new UnknownParameter(0xc006, new byte[] {0, 0, 0, 1}),
                new SupportedExtensionsParameter(new int[] {0xc0, 0x82, 0xc1, 0x80})))));
        m.put("idata-bundle", packet(tag, new IDataChunk(9, 2, 0, 0, 51, new byte[] {1, 2}, false, true, false),
                new IDataChunk(10, 2, 0, 1, 0, new byte[] {3}, false, false, true),
                new IDataChunk(11, 3, 7, 0, 53, new byte[] {4}, true, true, true)));
        m.put("iforward-tsn", packet(tag, new IForwardTsnChunk(99, List.of(new IForwardTsnChunk.SkippedMessage(2, false, 5),
                new IForwardTsnChunk.SkippedMessage(4, true, 1)))));
        m.put("init-zero-checksum-preservative", packet(0, new InitChunk(0x0a0b0c0d, 1 << 20, 65535, 65535, 1, List.of(
                new ForwardTsnSupportedParameter(), new SupportedExtensionsParameter(new int[] {0x82, 0xc0, 0x40, 0xc2}),
                new ZeroChecksumAcceptableParameter(1), new CookiePreservativeParameter(2000)))));
        m.put("data-bundle", packet(tag, new DataChunk(5, 0, 0, 51, new byte[] {1}, false, true, false),
                new DataChunk(6, 0, 0, 51, new byte[] {2, 3}, false, false, true),
                new DataChunk(7, 1, 0, 53, new byte[] {4, 5, 6}, true, true, true),
                new SackChunk(3, 1000, List.of(), new int[0])));
        return m;
    }

    /** A scenario: the harness after it ran, and the records replaying A's side to B. */
    record Scenario(String name, Harness h, byte[] records) {
    }

    /** Builds the records of everything A sent B after {@code fromIndex}, with the time steps between. */
    private static byte[] replay(Harness h, int fromIndex, long fromTime, ByteArrayOutputStream prefix) {
        ByteArrayOutputStream out = prefix == null ? new ByteArrayOutputStream() : prefix;
        long t = fromTime;
        for (int i = fromIndex; i < h.aToB.size(); i++) {
            Harness.Sent s = h.aToB.get(i);
            Driver.time(out, s.atMs() - t);
            t = s.atMs();
            Driver.record(out, Driver.FIX, s.packet());
        }
        return out.toByteArray();
    }

    /** Runs scenarios from {@link Harness#established()}; each is replayable against the same start. */
    static List<Scenario> scenarios() {
        return scenarios(Harness.options());
    }

    /** As {@link #scenarios()}, both ends with {@code opts}. */
    static List<Scenario> scenarios(SctpOptions opts) {
        List<Scenario> l = new ArrayList<>();
        {
            Harness h = Harness.established(opts);
            int from = h.aToB.size();
            long t0 = h.now;
            h.a.send(0, 51, Harness.pattern(20), SendOptions.RELIABLE_ORDERED, h.now);
            h.a.send(4, 53, Harness.pattern(5000), new SendOptions(true, -1, -1), h.now);
            h.a.send(0, 51, Harness.pattern(8000), SendOptions.RELIABLE_ORDERED, h.now);
            h.pump();
            h.advance(3000); // B's in-flight data is retransmitted (T3-rtx) and acknowledged by A
            l.add(new Scenario("data", h, replay(h, from, t0, null)));
        }
        {
            Harness h = Harness.established(opts);
            int from = h.aToB.size();
            long t0 = h.now;
            int[] n = {0};
            h.drop = (who, p) -> who.equals("A") && p.length > 100 && n[0]++ % 3 == 1; // every third DATA packet
            for (int i = 0; i < 12; i++) {
                h.a.send(i % 3, 53, Harness.pattern(900 + 100 * i), SendOptions.RELIABLE_ORDERED, h.now);
            }
            h.pump();
            h.drop = (who, p) -> false;
            h.advance(5000);
            l.add(new Scenario("loss-gaps", h, replay(h, from, t0, null)));
        }
        {
            Harness h = Harness.established(opts);
            int from = h.aToB.size();
            long t0 = h.now;
            h.drop = (who, p) -> who.equals("A") && p.length > 100;
            h.a.send(5, 53, Harness.pattern(3000), new SendOptions(false, 0, -1), h.now);
            h.a.send(5, 53, Harness.pattern(10), new SendOptions(false, 0, -1), h.now);
            h.pump();
            h.drop = (who, p) -> false;
            h.advance(5000); // abandoned: FORWARD TSN
            l.add(new Scenario("forward-tsn", h, replay(h, from, t0, null)));
        }
        {
            Harness h = Harness.established(opts);
            int from = h.aToB.size();
            long t0 = h.now;
            h.a.send(1, 53, Harness.pattern(10), SendOptions.RELIABLE_ORDERED, h.now);
            h.a.resetStreams(new int[] {1}, h.now);
            h.pump();
            h.advance(1000);
            l.add(new Scenario("stream-reset", h, replay(h, from, t0, null)));
        }
        {
            Harness h = Harness.established(opts);
            int from = h.aToB.size();
            long t0 = h.now;
            h.a.shutdown(h.now);
            h.pump();
            h.advance(5000);
            l.add(new Scenario("shutdown", h, replay(h, from, t0, null)));
        }
        {
            Harness h = Harness.established(opts);
            int from = h.aToB.size();
            long t0 = h.now;
            h.a.abort("seed", h.now);
            h.pump();
            l.add(new Scenario("abort", h, replay(h, from, t0, null)));
        }
        return l;
    }

    /** The next TSN A would send and the TSNs B has in flight, read from the recorded traffic. */
    private static int[] tsns(Harness h) {
        int nextOfA = 0;
        int firstOfB = 0;
        int lastOfB = 0;
        try {
            for (Harness.Sent s : h.aToB) {
                for (Chunk c : SctpPacket.parse(ByteBuffer.wrap(s.packet()), true).chunks()) {
                    if (c instanceof UserDataChunk d) {
                        nextOfA = d.tsn().value() + 1;
                    }
                }
            }
            for (Harness.Sent s : h.bToA) {
                for (Chunk c : SctpPacket.parse(ByteBuffer.wrap(s.packet()), true).chunks()) {
                    if (c instanceof UserDataChunk d) {
                        lastOfB = d.tsn().value();
                        if (firstOfB == 0) {
                            firstOfB = lastOfB;
                        }
                    }
                }
            }
        } catch (PacketParseException e) {
            throw new IllegalStateException(e);
        }
        return new int[] {nextOfA, firstOfB, lastOfB};
    }

    /** Seeds for {@link AssociationFuzzTest#established}. */
    static Map<String, byte[]> establishedSeeds() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (Scenario s : scenarios()) {
            m.put("replay-" + s.name(), s.records());
        }
        Harness h = Harness.established();
        int[] t = tsns(h);
        int next = t[0];
        int tag = h.tagOfB;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        // SACK with gaps and duplicates for B's in-flight TSNs, then one acknowledging everything
        Driver.record(o, Driver.OWN_TAG, packet(tag, new SackChunk(t[1] - 1, 1 << 20,
                List.of(new SackChunk.GapAckBlock(2, 2)), new int[] {t[1] - 1})));
        Driver.record(o, Driver.OWN_TAG, packet(tag, new SackChunk(t[2], 1 << 20, List.of(), new int[0])));
        m.put("sack-gaps-then-all", o.toByteArray());
        o = new ByteArrayOutputStream();
        Driver.record(o, Driver.OWN_TAG, packet(tag, new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[] {7, 7})))));
        Driver.record(o, Driver.OWN_TAG, packet(tag, new UnknownChunk(0xff, 0, new byte[] {1}), new UnknownChunk(0x7f, 0, new byte[0])));
        Driver.record(o, Driver.OWN_TAG, packet(tag, new ErrorChunk(false, List.of(new StaleCookieCause(5)))));
        m.put("heartbeat-unknown-error", o.toByteArray());
        o = new ByteArrayOutputStream();
        // a message that never ends: B..(no E) fragments in order
        for (int i = 0; i < 8; i++) {
            Driver.record(o, Driver.OWN_TAG, packet(tag, new DataChunk(next + i, 6, 0, 53, new byte[1000], false, i == 0, false)));
        }
        m.put("never-ending-message", o.toByteArray());
        o = new ByteArrayOutputStream();
        // partial messages on many streams, a far-ahead TSN, a duplicate
        for (int i = 0; i < 8; i++) {
            Driver.record(o, Driver.OWN_TAG, packet(tag, new DataChunk(next + 2 * i, 10 + i, 0, 53, new byte[100], false, true, false)));
        }
        Driver.record(o, Driver.OWN_TAG, packet(tag, new DataChunk(next + 70000, 1, 0, 53, new byte[10], false, true, true)));
        Driver.record(o, Driver.OWN_TAG, packet(tag, new DataChunk(next - 1, 1, 0, 53, new byte[10], false, true, true)));
        Driver.record(o, Driver.OWN_TAG, packet(tag, new ForwardTsnChunk(next + 20, List.of(new ForwardTsnChunk.SkippedStream(12, 0)))));
        m.put("stream-flood-far-tsn-forward", o.toByteArray());
        o = new ByteArrayOutputStream();
        Driver.record(o, Driver.OWN_TAG, packet(tag, new ReConfigChunk(List.of(
                new OutgoingSsnResetRequestParameter(initialTsnOfA(h), 0, next - 1, new int[] {0, 1}),
                new IncomingSsnResetRequestParameter(initialTsnOfA(h) + 1, new int[] {3})))));
        Driver.record(o, Driver.USER, new byte[] {0, 0, 3});
        Driver.time(o, 1500);
        Driver.record(o, Driver.SEND, new byte[] {0, 2, 1, 9, 9, 9});
        Driver.record(o, Driver.USER, new byte[] {1});
        Driver.time(o, 3000);
        m.put("reconfig-user-calls", o.toByteArray());
        return m;
    }

    private static int initialTsnOfA(Harness h) {
        try {
            for (Chunk c : SctpPacket.parse(ByteBuffer.wrap(h.aToB.get(0).packet())).chunks()) {
                if (c instanceof InitChunk i) {
                    return i.initialTsn().value();
                }
            }
        } catch (PacketParseException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("first packet of A is not an INIT");
    }

    /** Seeds for {@link AssociationFuzzTest#establishedInterleaved}: I-DATA and zero checksum negotiated. */
    static Map<String, byte[]> interleavedSeeds() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        SctpOptions opts = Harness.interleavedOptions();
        for (Scenario s : scenarios(opts)) {
            m.put("replay-" + s.name(), s.records());
        }
        Harness h = Harness.established(opts);
        int[] t = tsns(h);
        int next = t[0];
        int tag = h.tagOfB;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        // a message that never ends (one MID, FSNs counting up), then partial messages on other streams
        for (int i = 0; i < 8; i++) {
            Driver.record(o, Driver.OWN_TAG, packet(tag, new IDataChunk(next + i, 6, 0, i, 53, new byte[1000], false, i == 0, false)));
        }
        for (int i = 0; i < 8; i++) {
            Driver.record(o, Driver.OWN_TAG, packet(tag, new IDataChunk(next + 8 + i, 10 + i, 0, 0, 53, new byte[10], i % 2 == 0, true, false)));
        }
        Driver.record(o, Driver.OWN_TAG, packet(tag, new IForwardTsnChunk(next + 20, List.of(
                new IForwardTsnChunk.SkippedMessage(6, false, 0), new IForwardTsnChunk.SkippedMessage(11, true, 0)))));
        Driver.record(o, Driver.OWN_TAG, packet(tag, new SackChunk(t[2], 1 << 20, List.of(), new int[0]),
                new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[] {1})))));
        m.put("idata-partials-iforward-tsn", o.toByteArray());
        return m;
    }

    /** Seeds for {@link AssociationFuzzTest#closedOrCookieWait}: byte 0 selects CLOSED (even) or COOKIE-WAIT. */
    static Map<String, byte[]> closedSeeds() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        {
            Harness h = new Harness();
            h.a.connect(h.now);
            h.pump();
            h.a.send(0, 51, Harness.pattern(10), SendOptions.RELIABLE_ORDERED, h.now);
            h.pump();
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.write(0);
            m.put("closed-handshake-data", replay(h, 0, 0, o));
        }
        {
            Harness h = new Harness();
            h.b.connect(h.now);
            h.a.connect(h.now);
            h.pump();
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.write(1);
            m.put("cookie-wait-collision", replay(h, 0, 0, o));
        }
        {
            Harness h = new Harness();
            h.b.connect(h.now);
            h.pump();
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.write(1);
            m.put("cookie-wait-answered", replay(h, 0, 0, o));
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0);
        Driver.record(o, Driver.RAW, SctpPacketTest.CAPTURED_INIT);
        Driver.record(o, Driver.RAW, SctpPacketTest.CAPTURED_USRSCTP_INIT);
        Driver.record(o, Driver.FIX, SctpPacketTest.CAPTURED_INIT);
        Driver.record(o, Driver.FIX, packet(0x55, new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[4])))));
        Driver.record(o, Driver.FIX, packet(0x55, new AbortChunk(false, List.of())));
        m.put("closed-init-flood", o.toByteArray());
        o = new ByteArrayOutputStream();
        o.write(1);
        Driver.record(o, Driver.FIX, SctpPacketTest.CAPTURED_INIT);
        Driver.record(o, Driver.OWN_TAG, packet(0, new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(new byte[4])))));
        Driver.record(o, Driver.OWN_TAG, packet(0, new UnknownChunk(0x7f, 0, new byte[2])));
        Driver.time(o, 70000);
        m.put("cookie-wait-init-heartbeat", o.toByteArray());
        return m;
    }
}
