package org.jdatachannel.ice;

/**
 * Reaches {@link IceAgent}'s package-private test hooks from datachannel tests (same package on
 * the test class path).
 */
public final class IceAgentTestAccess {
    private IceAgentTestAccess() {
    }

    /** The (controlling) agent never nominates a pair, so ICE never connects; see {@link IceAgent}. */
    public static void nominationOff(IceAgent agent) {
        agent.nominationOffForTests();
    }
}
