package org.jdatachannel.sctp;

/**
 * The states of Datagram PLPMTUD, RFC 8899 §5.2 (Figure 5), as {@link Association#plpmtudState()}
 * reports them.
 */
public enum PlpmtudState {
    /**
     * "the initial state before probing has started": PLPMTUD is off ({@link SctpOptions#maxPlpmtu()}
     * 0 or not above {@link SctpOptions#mtu()}), the association is not established yet, or it ended.
     */
    DISABLED,
    /** Confirming that BASE_PLPMTU ({@link SctpOptions#mtu()}) is supported: a probe of that size is out. */
    BASE,
    /** "the main probing state": probes of larger sizes search for the largest that gets through. */
    SEARCHING,
    /** "the normal maintenance state": no probing until PMTU_RAISE_TIMER expires or a black hole is detected. */
    SEARCH_COMPLETE,
    /**
     * BASE_PLPMTU probes went unacknowledged MAX_PROBES times: the path is not known to carry
     * BASE_PLPMTU; packets stay at BASE_PLPMTU (MIN_PLPMTU is BASE_PLPMTU here) and a BASE_PLPMTU probe
     * is tried again every PROBE_TIMER.
     */
    ERROR
}
