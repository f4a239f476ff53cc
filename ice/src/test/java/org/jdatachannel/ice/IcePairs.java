package org.jdatachannel.ice;

import java.io.IOException;
import java.util.List;

/** Test support: wiring two agents to each other in one JVM. */
final class IcePairs {
    private IcePairs() {
    }

    /**
     * Gathers on both agents, gives each the other's credentials and every candidate, and starts
     * both (what signaling does for two peers).
     */
    static void exchangeAndStart(IceAgent a, IceAgent b) throws IOException {
        exchange(a, b);
        a.start();
        b.start();
    }

    /** Gathers on both agents and gives each the other's credentials and candidates; starts nothing. */
    static void exchange(IceAgent a, IceAgent b) throws IOException {
        List<IceCandidate> la = a.gather();
        List<IceCandidate> lb = b.gather();
        a.setRemoteCredentials(b.localUfrag(), b.localPassword());
        b.setRemoteCredentials(a.localUfrag(), a.localPassword());
        lb.forEach(a::addRemoteCandidate);
        la.forEach(b::addRemoteCandidate);
    }
}
