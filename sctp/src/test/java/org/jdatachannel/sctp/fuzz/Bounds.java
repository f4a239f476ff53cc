package org.jdatachannel.sctp.fuzz;

import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.rx.ReassemblyQueue;

/** The memory bounds the fuzz targets and the bound tests hold the association to. */
final class Bounds {
    private Bounds() {
    }

    /** Control chunks (HEARTBEAT ACK, ERROR, RE-CONFIG responses) queued at any time. */
    static final int MAX_CONTROL_CHUNKS = 256;

    /**
     * @return the most bytes reassembly may account (payload plus the per-entry overhead): twice the
     *     receive window, beyond which the association aborts
     */
    static long maxReassemblyBytes(SctpOptions o) {
        return 2L * o.receiveWindow();
    }

    /** @return the most chunks and messages reassembly may hold: the accounted maximum over the overhead */
    static long maxReassemblyEntries(SctpOptions o) {
        return maxReassemblyBytes(o) / ReassemblyQueue.ENTRY_OVERHEAD;
    }
}
