package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jdatachannel.IceCandidateInit;
import org.junit.jupiter.api.Test;

/** The per-generation bound of {@link TrickleOut} and the re-offer limits of {@link ReofferLimit}. */
class TrickleLimitsTest {

    private static IceCandidateInit cand(int i, String ufrag) {
        return new IceCandidateInit("candidate:" + i + " 1 udp 1 127.0.0.1 " + (10000 + i) + " typ host", "0", 0, ufrag);
    }

    @Test
    void everyIceGenerationGetsItsOwnCandidateBound() throws Exception {
        TrickleOut out = new TrickleOut();
        int index = 0;
        for (int gen = 0; gen < 12; gen++) {
            String ufrag = "gen" + gen;
            for (int i = 0; i < TrickleOut.MAX_CANDIDATES - 1; i++) {
                out.add(cand(i, ufrag));
            }
            out.add(new IceCandidateInit("", "0", 0, ufrag));
            // A client that read the previous generation to its end gets all of this one.
            TrickleOut.Batch b = out.since(index, 0);
            assertEquals(TrickleOut.MAX_CANDIDATES, b.candidates().size(), "generation " + gen);
            assertTrue(b.candidates().stream().allMatch(c -> ufrag.equals(c.usernameFragment())));
            assertEquals("", b.candidates().get(b.candidates().size() - 1).candidate());
            index = b.next();
        }
        assertEquals(0, out.dropped());
        assertEquals(12 * TrickleOut.MAX_CANDIDATES, index, "indexes stay absolute");
        // Above the bound within one generation: dropped and counted.
        out.add(cand(99, "gen11"));
        assertEquals(1, out.dropped());
        // Reading from an index of a dropped generation starts at the kept one.
        out.add(cand(1, "gen12"));
        TrickleOut.Batch b = out.since(3, 0);
        assertEquals(List.of(cand(1, "gen12")), b.candidates());
        assertEquals(index + 1, b.next());
        assertEquals(0, out.since(index + 1, 0).candidates().size());
        assertEquals(index + 1, out.since(index + 1, 0).next());
    }

    @Test
    void reoffersAreRateLimitedAndRestartsCapped() {
        long s = 1_000_000_000L;
        long t = 5 * s;
        ReofferLimit limit = new ReofferLimit(1, 3, 4, t);
        for (int i = 0; i < 3; i++) {
            assertNull(limit.admit(false, t), "burst " + i);
        }
        String refused = limit.admit(false, t);
        assertNotNull(refused);
        assertTrue(refused.contains("re-offers"), refused);
        t += s; // one token back after a second
        assertNull(limit.admit(true, t));
        assertNotNull(limit.admit(true, t));
        // Restarts: 4 in all, however slowly they come.
        for (int i = 1; i < 4; i++) {
            t += 10 * s;
            assertNull(limit.admit(true, t), "restart " + i);
        }
        t += 10 * s;
        refused = limit.admit(true, t);
        assertNotNull(refused);
        assertTrue(refused.contains("restarts"), refused);
        assertNull(limit.admit(false, t), "a re-offer without restart still goes");
    }
}
