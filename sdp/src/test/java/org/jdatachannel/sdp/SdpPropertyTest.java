package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Randomized properties. The seed is logged; rerun with {@code -Dsdp.seed=<seed>} to reproduce and
 * {@code -Dsdp.scale=N} to run N times as many iterations.
 */
class SdpPropertyTest {

    private static final Logger LOG = LoggerFactory.getLogger(SdpPropertyTest.class);
    private static long seed;
    /** Iteration multiplier: {@code -Dsdp.scale=20} for a longer soak. */
    private static final int SCALE = Math.max(1, Integer.getInteger("sdp.scale", 1));

    @BeforeAll
    static void seed() {
        seed = Long.getLong("sdp.seed", new SplittableRandom().nextLong());
        LOG.info("SdpPropertyTest seed {} (rerun with -Dsdp.seed={})", seed, seed);
    }

    // ------------------------------------------------------------------------------------------
    // Generators

    private static final String VISIBLE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._+/!%*~'`";
    private static final String TEXT = VISIBLE + " :=;,\"#\u00e9\u4e2d\t\u0001\u007f";

    private static String word(SplittableRandom r, String alphabet, int min, int max) {
        int n = min + r.nextInt(max - min + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static String digits(SplittableRandom r) {
        return Long.toString(r.nextLong(Long.MAX_VALUE));
    }

    private static SdpLine line(SplittableRandom r, char type) {
        if (type == 'a') {
            String name = word(r, VISIBLE, 1, 12);
            return r.nextInt(4) == 0 ? new SdpLine('a', name) : new SdpLine('a', name + ":" + word(r, TEXT, 0, 30));
        }
        return new SdpLine(type, word(r, TEXT, 0, 30));
    }

    private static final String SESSION_UNKNOWN = "dfghjlnqwxyABCXYZ";
    private static final String MEDIA_UNKNOWN = "dfghjlnqwxyABCXYZ";

    private static void maybeUnknown(SplittableRandom r, List<SdpLine> out, String letters) {
        if (r.nextInt(6) == 0) {
            out.add(line(r, letters.charAt(r.nextInt(letters.length()))));
        }
    }

    static SessionDescription randomDescription(SplittableRandom r) {
        Origin o = new Origin(word(r, VISIBLE, 1, 20), digits(r), digits(r), "IN", r.nextBoolean() ? "IP4" : "IP6",
                word(r, VISIBLE, 1, 20));
        List<SdpLine> s = new ArrayList<>();
        for (char t : "iuepcb".toCharArray()) {
            int max = (t == 'i' || t == 'u' || t == 'c') ? 1 : 3;
            int n = r.nextInt(max + 1);
            for (int k = 0; k < n; k++) {
                s.add(line(r, t));
                maybeUnknown(r, s, SESSION_UNKNOWN);
            }
        }
        int times = 1 + r.nextInt(3);
        for (int k = 0; k < times; k++) {
            s.add(line(r, 't'));
            int reps = r.nextInt(3);
            for (int j = 0; j < reps; j++) {
                s.add(line(r, 'r'));
            }
        }
        maybeUnknown(r, s, SESSION_UNKNOWN);
        for (char t : "zk".toCharArray()) {
            if (r.nextBoolean()) {
                s.add(line(r, t));
            }
        }
        int attrs = r.nextInt(8);
        for (int k = 0; k < attrs; k++) {
            s.add(line(r, 'a'));
            maybeUnknown(r, s, SESSION_UNKNOWN);
        }
        List<MediaDescription> media = new ArrayList<>();
        int mc = r.nextInt(4);
        for (int k = 0; k < mc; k++) {
            List<String> formats = new ArrayList<>();
            int fc = 1 + r.nextInt(4);
            for (int f = 0; f < fc; f++) {
                formats.add(word(r, VISIBLE, 1, 20));
            }
            MediaLine ml = new MediaLine(word(r, VISIBLE, 1, 12), r.nextInt(65536), r.nextBoolean() ? -1 : 1 + r.nextInt(65535),
                    word(r, VISIBLE, 1, 16), formats);
            List<SdpLine> ls = new ArrayList<>();
            if (r.nextBoolean()) {
                ls.add(line(r, 'i'));
            }
            for (char t : "cb".toCharArray()) {
                int n = r.nextInt(3);
                for (int j = 0; j < n; j++) {
                    ls.add(line(r, t));
                    maybeUnknown(r, ls, MEDIA_UNKNOWN);
                }
            }
            if (r.nextInt(4) == 0) {
                ls.add(line(r, 'k'));
            }
            int ma = r.nextInt(10);
            for (int j = 0; j < ma; j++) {
                ls.add(line(r, 'a'));
                maybeUnknown(r, ls, MEDIA_UNKNOWN);
            }
            media.add(new MediaDescription(ml, ls));
        }
        return new SessionDescription(o, word(r, TEXT, 0, 20), s, media);
    }

    static Candidate randomCandidate(SplittableRandom r) {
        String[] types = {"host", "srflx", "prflx", "relay"};
        String[] addrs = {"127.0.0.1", "::1", "2001:db8::5", "198.18.0.7", word(r, "abcdef0123456789", 8, 8) + "-1234.local"};
        boolean related = r.nextBoolean();
        List<Candidate.Extension> ext = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            ext.add(new Candidate.Extension(word(r, "abcdefghij-", 1, 12), word(r, VISIBLE + ":=", 1, 10)));
        }
        return new Candidate(word(r, "abcXYZ0189+/", 1, 32), 1 + r.nextInt(256), r.nextBoolean() ? "udp" : "TCP",
                r.nextLong(0x1_0000_0000L), addrs[r.nextInt(addrs.length)], r.nextInt(65536), types[r.nextInt(4)],
                related ? addrs[r.nextInt(addrs.length)] : null, related ? r.nextInt(65536) : -1, ext);
    }

    static DataChannelMedia randomMedia(SplittableRandom r) {
        List<Fingerprint> fps = new ArrayList<>();
        int nf = 1 + r.nextInt(2);
        for (int i = 0; i < nf; i++) {
            byte[] d = new byte[32];
            r.nextBytes(d);
            fps.add(new Fingerprint("sha-256", d));
        }
        List<Candidate> cands = new ArrayList<>();
        int nc = r.nextInt(5);
        for (int i = 0; i < nc; i++) {
            cands.add(randomCandidate(r));
        }
        long mms = r.nextInt(3) == 0 ? DataChannelMedia.NO_LIMIT : 1 + r.nextLong(Long.MAX_VALUE - 1);
        Setup[] setups = {Setup.ACTPASS, Setup.ACTIVE, Setup.PASSIVE};
        return new DataChannelMedia(word(r, VISIBLE, 1, 8), word(r, "abcXYZ019+/", 4, 32), word(r, "abcXYZ019+/", 22, 40),
                r.nextBoolean(), fps, setups[r.nextInt(3)], 1 + r.nextInt(65535), mms, cands, r.nextBoolean(),
                r.nextBoolean(), false);
    }

    // ------------------------------------------------------------------------------------------
    // Properties

    @Test
    void generatedDescriptionsRoundTrip() {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 500 * SCALE; i++) {
            SessionDescription sd = randomDescription(r);
            String text = sd.serialize();
            try {
                SessionDescription back = SessionDescription.parse(text);
                assertEquals(sd, back, "seed " + seed + " iteration " + i);
                assertEquals(text, back.serialize(), "seed " + seed + " iteration " + i);
                // LF line ends give the same model.
                assertEquals(sd, SessionDescription.parse(text.replace("\r\n", "\n")), "seed " + seed + " iteration " + i);
            } catch (SdpParseException e) {
                fail("seed " + seed + " iteration " + i + ": " + e.getMessage() + "\n" + text);
            }
        }
    }

    @Test
    void generatedCandidatesRoundTrip() throws SdpParseException {
        SplittableRandom r = new SplittableRandom(seed ^ 1);
        for (int i = 0; i < 2000 * SCALE; i++) {
            Candidate c = randomCandidate(r);
            assertEquals(c, Candidate.parse(c.toAttributeValue()), "seed " + seed + " iteration " + i);
            assertEquals(c, Candidate.parse("a=" + c.toAttributeValue()), "seed " + seed + " iteration " + i);
        }
    }

    @Test
    void generatedMediaSurvivesOfferAndAnswer() throws SdpParseException {
        SplittableRandom r = new SplittableRandom(seed ^ 2);
        for (int i = 0; i < 300 * SCALE; i++) {
            DataChannelMedia m = randomMedia(r);
            SessionDescription offer = Jsep.createOffer(m, r.nextLong(Long.MAX_VALUE), r.nextLong(Long.MAX_VALUE));
            SessionDescription parsed = SessionDescription.parse(offer.serialize());
            assertEquals(offer, parsed, "seed " + seed + " iteration " + i);
            assertEquals(m, DataChannelMedia.from(parsed), "seed " + seed + " iteration " + i);

            DataChannelMedia answerer = randomMedia(r);
            SessionDescription answer = SessionDescription.parse(Jsep.createAnswer(answerer, parsed, 1, 1).serialize());
            DataChannelMedia a = DataChannelMedia.from(answer);
            assertEquals(m.mid(), a.mid(), "seed " + seed + " iteration " + i);
            assertEquals(m.legacySctpmap(), a.legacySctpmap(), "seed " + seed + " iteration " + i);
            Setup expected = switch (m.setup()) {
                case ACTIVE -> Setup.PASSIVE;
                case PASSIVE -> Setup.ACTIVE;
                default -> answerer.setup() == Setup.PASSIVE ? Setup.PASSIVE : Setup.ACTIVE;
            };
            assertEquals(expected, a.setup(), "seed " + seed + " iteration " + i);
            assertEquals(answerer.withMid(m.mid()).withSetup(expected), new DataChannelMedia(a.mid(), a.iceUfrag(), a.icePwd(),
                    a.iceLite(), a.fingerprints(), a.setup(), a.sctpPort(), a.maxMessageSize(), a.candidates(),
                    a.endOfCandidates(), answerer.legacySctpmap(), a.rejected()), "seed " + seed + " iteration " + i);
        }
    }

    /** Parsing anything either works (and then round-trips) or throws SdpParseException. */
    private static void checkNoUncheckedException(String text, String context) {
        SessionDescription sd;
        try {
            sd = SessionDescription.parse(text);
        } catch (SdpParseException e) {
            if (e.getMessage() == null || e.lineNumber() < 0) {
                fail(context + ": bad exception " + e);
            }
            return;
        } catch (RuntimeException e) {
            throw new AssertionError(context + ": unchecked exception from parse\n" + text, e);
        }
        try {
            assertEquals(sd, SessionDescription.parse(sd.serialize()), context);
        } catch (SdpParseException e) {
            throw new AssertionError(context + ": serialized form does not parse: " + e.getMessage(), e);
        }
        try {
            DataChannelMedia d = DataChannelMedia.from(sd);
            Jsep.createAnswer(DataChannelMedia.local("0", "abcd", "abcdefghijklmnopqrstuv",
                    List.of(new Fingerprint("sha-256", new byte[32])), Setup.ACTIVE, 65536, List.of(), false), sd, 1, 1);
            assertEquals(d, DataChannelMedia.from(sd));
        } catch (SdpParseException e) {
            // fine
        } catch (RuntimeException e) {
            throw new AssertionError(context + ": unchecked exception from DataChannelMedia/Jsep\n" + text, e);
        }
    }

    @Test
    void randomGarbageNeverThrowsUnchecked() {
        SplittableRandom r = new SplittableRandom(seed ^ 3);
        for (int i = 0; i < 800 * SCALE; i++) {
            byte[] b = new byte[r.nextInt(400)];
            r.nextBytes(b);
            String context = "seed " + seed + " garbage " + i;
            checkNoUncheckedException(new String(b, StandardCharsets.ISO_8859_1), context);
            checkNoUncheckedException(new String(b, StandardCharsets.UTF_8), context);
            // Garbage after a valid header exercises the later stages.
            checkNoUncheckedException("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
                    + new String(b, StandardCharsets.ISO_8859_1), context);
            try {
                Candidate.parse(new String(b, StandardCharsets.ISO_8859_1));
            } catch (SdpParseException e) {
                // expected for almost all inputs
            }
            try {
                Fingerprint.parse(new String(b, StandardCharsets.ISO_8859_1));
            } catch (SdpParseException e) {
                // expected
            }
        }
    }

    @Test
    void mutatedFixturesNeverThrowUnchecked() {
        SplittableRandom r = new SplittableRandom(seed ^ 4);
        String alphabet = " :=/\n\r\t\0-9az" + "0123456789";
        for (int i = 0; i < 1500 * SCALE; i++) {
            String name = Fixtures.ALL.get(r.nextInt(Fixtures.ALL.size()));
            StringBuilder sb = new StringBuilder(Fixtures.lf(name));
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits && sb.length() > 0; e++) {
                int pos = r.nextInt(sb.length());
                switch (r.nextInt(5)) {
                    case 0 -> sb.deleteCharAt(pos);
                    case 1 -> sb.insert(pos, alphabet.charAt(r.nextInt(alphabet.length())));
                    case 2 -> sb.setCharAt(pos, alphabet.charAt(r.nextInt(alphabet.length())));
                    case 3 -> sb.setLength(pos);
                    default -> {
                        // duplicate a line
                        int start = sb.lastIndexOf("\n", pos) + 1;
                        int end = sb.indexOf("\n", pos);
                        if (end > start) {
                            sb.insert(start, sb.substring(start, end + 1));
                        }
                    }
                }
            }
            checkNoUncheckedException(sb.toString(), "seed " + seed + " mutation " + i + " of " + name);
        }
    }

    @Test
    void mutatedCandidatesNeverThrowUnchecked() {
        SplittableRandom r = new SplittableRandom(seed ^ 5);
        String alphabet = " :0123456789-.abtyp";
        for (int i = 0; i < 2000 * SCALE; i++) {
            StringBuilder sb = new StringBuilder(randomCandidate(r).toAttributeValue());
            int pos = r.nextInt(sb.length());
            if (r.nextBoolean()) {
                sb.deleteCharAt(pos);
            } else {
                sb.insert(pos, alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                Candidate c = Candidate.parse(sb.toString());
                assertEquals(c, Candidate.parse(c.toAttributeValue()), "seed " + seed + " candidate " + i);
            } catch (SdpParseException e) {
                // fine
            }
        }
    }
}
