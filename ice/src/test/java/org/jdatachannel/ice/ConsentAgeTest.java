package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link ConsentAge}: consent age on an injected monotonic clock, whatever ice4j's wall-clock stamp says. */
class ConsentAgeTest {
    private static final long MS = 1_000_000L;

    @Test
    void ageCountsFromWhenTheStampChangedNotFromItsValue() {
        Object pair = new Object();
        ConsentAge age = new ConsentAge(1000 * MS);
        assertEquals(0, age.observe(pair, 5_000, 1000 * MS), "a new pair counts from its selection");
        assertEquals(700, age.observe(pair, 5_000, 1700 * MS), "unchanged stamp: age grows");
        // An answered check, stamped by a wall clock stepped an hour back: still "just now".
        assertEquals(0, age.observe(pair, 5_000 - 3_600_000, 1800 * MS));
        assertEquals(200, age.observe(pair, 5_000 - 3_600_000, 2000 * MS));
        // A stamp an hour in the future (clock stepped forward) does not make consent look older or fresher.
        assertEquals(0, age.observe(pair, 5_000 + 3_600_000, 2100 * MS));
        assertEquals(9_000, age.observe(pair, 5_000 + 3_600_000, 11_100 * MS));
    }

    @Test
    void aNewlySelectedPairRestartsTheAge() {
        ConsentAge age = new ConsentAge(0);
        Object first = new Object();
        age.observe(first, 1, 0);
        assertEquals(3_000, age.observe(first, 1, 3_000 * MS));
        assertEquals(0, age.observe(new Object(), 1, 3_000 * MS));
    }

    @Test
    void nanoTimeMayBeNegative() {
        Object pair = new Object();
        ConsentAge age = new ConsentAge(Long.MIN_VALUE + 10);
        age.observe(pair, 0, Long.MIN_VALUE + 10);
        assertEquals(1, age.observe(pair, 0, Long.MIN_VALUE + 10 + MS));
    }
}
