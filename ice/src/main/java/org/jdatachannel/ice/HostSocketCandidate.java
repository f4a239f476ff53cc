package org.jdatachannel.ice;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.socket.IceSocketWrapper;

/**
 * ice4j's {@link HostCandidate} on one of our {@link HostSocket}s.
 *
 * <p>Why the override: when ice4j cannot send a connectivity check (the first {@code send} of
 * the STUN transaction throws, e.g. "Network is unreachable" for a remote candidate without a
 * route), its error
 * handler asks the pair's local candidate for {@link #getStunSocket(TransportAddress)}, only to
 * name the socket in a log line, and then fails the pair. ice4j's default implementation insists
 * on its own {@code MultiplexingDatagramSocket} and throws {@code IllegalStateException} for any
 * other socket; that exception escaped the check, the pair stayed Waiting and was retried every
 * pacing interval (about 50 times a second) with a WARN stack trace each time, and ICE never
 * failed. Returning our socket lets ice4j take its normal path: the check returns no transaction
 * and ice4j sets the pair to Failed at once (a local send error treated like RFC 8445 §7.2.5.2.2:
 * "if a Binding request generates a hard ICMP error, the agent SHOULD set the state of the
 * candidate pair to Failed"); once every pair has failed, ice4j waits about 5 s for late
 * successes and then fails the check list and the agent.
 *
 * <p>STUN traffic of a {@link HostSocket} is already demultiplexed by the socket itself (RFC 7983
 * §7), so the socket is its own STUN socket whatever {@code serverAddress} is.
 *
 * <p>Thread-safety: immutable after construction as far as this class is concerned; ice4j
 * synchronizes its own candidate state.
 */
final class HostSocketCandidate extends HostCandidate {

    private final boolean relayOnly;

    /**
     * @param socket    the bound, not yet closed socket of this candidate
     * @param component the ice4j component the candidate belongs to
     * @param relayOnly whether this candidate is only the base of TURN allocations (W3C
     *                  {@code iceTransportPolicy "relay"}) and must never be paired
     */
    HostSocketCandidate(HostSocket socket, Component component, boolean relayOnly) {
        super(socket, component, Transport.UDP);
        this.relayOnly = relayOnly;
    }

    /**
     * ice4j pairs a local candidate with a remote one when this returns true (check list
     * formation, RFC 8445 §6.1.2.2, and trickled remote candidates). Under relay-only a host
     * candidate is never paired: W3C webrtc-pc {@code RTCIceTransportPolicy "relay"}: "The ICE
     * Agent uses only media relay candidates".
     */
    @Override
    public boolean canReach(org.ice4j.ice.Candidate<?> dst) {
        return !relayOnly && super.canReach(dst);
    }

    /**
     * Returns this candidate's {@link HostSocket}, never throws.
     *
     * @param serverAddress ignored (STUN is already split from other traffic by the socket)
     * @return the candidate's socket
     */
    @Override
    public IceSocketWrapper getStunSocket(TransportAddress serverAddress) {
        return getCandidateIceSocketWrapper();
    }
}
