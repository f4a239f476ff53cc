package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import org.junit.jupiter.api.Test;

/**
 * {@link ConsentTiming}: per-agent consent timeouts shorter than ice4j's JVM-wide check interval
 * allows are refused. Runs in its own JVM (surefire {@code reuseForks=false}), so ice4j has the
 * interval {@link Ice4jGlobals} sets: 5 s, randomized, 500 ms first retransmission.
 */
class ConsentTimingTest {
    private static IceConfig.Builder loopback() {
        return IceConfig.builder().addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress());
    }

    @Test
    void minimumFollowsTheInterval() {
        assertEquals(6000, new ConsentTiming(5000, true, 500).maxCheckGapMs());
        assertEquals(7500, new ConsentTiming(5000, true, 500).minDisconnectedTimeoutMs());
        assertEquals(1000, new ConsentTiming(300, false, 100).minDisconnectedTimeoutMs());
        assertTrue(FastConsent.DISCONNECTED_TIMEOUT_MS >= new ConsentTiming(300, false, 100).minDisconnectedTimeoutMs(),
                "the FAST test timeouts stay valid");
    }

    @Test
    void theEffectiveTimingIsWhatIce4jGlobalsSets() {
        assertEquals(new ConsentTiming(5000, true, 500), ConsentTiming.effective());
    }

    @Test
    void defaultsAreAccepted() {
        new IceAgent(loopback().build()).close();
    }

    @Test
    void aDisconnectedTimeoutShorterThanTheCheckGapIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IceAgent(loopback().consentTimeoutMs(1000).disconnectedTimeoutMs(100).build()));
        assertTrue(e.getMessage().contains("at least 7500 ms"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new IceAgent(loopback().consentTimeoutMs(30_000).disconnectedTimeoutMs(7499).build()));
        new IceAgent(loopback().consentTimeoutMs(30_000).disconnectedTimeoutMs(7500).build()).close();
    }

    @Test
    void consentTimeoutMustExceedTheDisconnectedTimeout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IceAgent(loopback().consentTimeoutMs(8000).disconnectedTimeoutMs(8000).build()));
        assertTrue(e.getMessage().contains("must exceed disconnectedTimeoutMs"), e.getMessage());
    }

    @Test
    void withoutConsentFreshnessNothingIsChecked() {
        new IceAgent(loopback().consentFreshness(false).consentTimeoutMs(1000).disconnectedTimeoutMs(100).build())
                .close();
    }
}
