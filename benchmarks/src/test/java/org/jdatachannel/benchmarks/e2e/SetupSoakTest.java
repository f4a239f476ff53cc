package org.jdatachannel.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SetupSoakTest {

    @Test
    void aShortSoakConnectsPairsAndNoneFails() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long[] r = SetupSoak.run(0, E2eHarness.loopbackConfig(), new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(1, r[0], "one set-up when the time is already up");
        assertEquals(0, r[1]);
        assertEquals("", buf.toString(StandardCharsets.UTF_8), "no progress line before 2,000 set-ups");
    }

    @Test
    void theArgumentIsChecked() {
        for (String[] bad : new String[][] {{}, {"0"}, {"-1"}, {"x"}, {"1", "2"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SetupSoak.main(bad));
            assertTrue(e.getMessage().contains("SECONDS"), e.getMessage());
        }
    }
}
