package org.jdatachannel.internal;

import java.util.List;
import org.jdatachannel.ice.IceCandidate;
import org.jdatachannel.sdp.Candidate;

/** Maps ICE candidates to and from their SDP form. Not part of the public API. */
public final class Candidates {
    private Candidates() {
    }

    /** @return the SDP form of a local candidate */
    public static Candidate toSdp(IceCandidate c) {
        return new Candidate(c.foundation(), c.component(), c.transport(), c.priority(), c.address(), c.port(),
                c.type(), c.relatedAddress(), c.relatedAddress() == null ? -1 : c.relatedPort(), List.of());
    }

    /**
     * @return the ICE form of a remote candidate
     * @throws IllegalArgumentException if ICE cannot represent it (e.g. an unknown candidate type)
     */
    public static IceCandidate fromSdp(Candidate c) {
        return new IceCandidate(c.foundation(), c.component(), c.transport(), c.priority(), c.address(), c.port(),
                c.type(), c.relatedAddress(), c.relatedAddress() == null ? -1 : c.relatedPort());
    }
}
