package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.Inet4Address;
import org.ice4j.ice.Agent;
import org.ice4j.stack.StunStack;
import org.junit.jupiter.api.Test;

/**
 * The ice4j agent behind {@link IceAgent} tolerates {@code cancelTransaction(null)}: ice4j's
 * {@code Agent.triggerCheck} can read a pair as In-Progress while its transaction id is already
 * null (a concurrent response set it Succeeded); plain ice4j then throws NullPointerException
 * inside the STUN stack, answers the peer's check with a 500 error, and the peer fails its pair
 * (seen as a loopback connection whose controlling side goes ICE FAILED after 5 quiet seconds).
 */
class Ice4jStunStackWorkaroundTest {

    @Test
    void cancellingANullTransactionIsIgnoredAndTheAgentKeepsOneStunStack() throws Exception {
        IceConfig cfg = IceConfig.builder().addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress())
                .controlling(true).build();
        try (IceAgent a = new IceAgent(cfg)) {
            a.gather();
            Agent agent = a.ice4jComponent().getParentStream().getParentAgent();
            StunStack stack = agent.getStunStack();
            assertDoesNotThrow(() -> stack.cancelTransaction(null));
            // Every user of the agent's stack (its check server, checks, shutdown) sees this one.
            assertSame(stack, agent.getStunStack());
        }
    }
}
