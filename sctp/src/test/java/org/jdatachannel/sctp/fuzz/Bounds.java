package org.jdatachannel.sctp.fuzz;

import org.jdatachannel.sctp.SctpOptions;

/** The memory bounds the fuzz targets and the bound tests hold the association to. */
final class Bounds {
    private Bounds() {
    }

    /** Control chunks (HEARTBEAT ACK, ERROR, RE-CONFIG responses) queued at any time. */
    static final int MAX_CONTROL_CHUNKS = 256;

    /** @return the most bytes reassembly may account: twice the receive window (then ABORT) */
    static long maxReassemblyBytes(SctpOptions o) {
        return 2L * o.receiveWindow();
    }

    /** @return the most chunks and messages reassembly may hold */
    static long maxReassemblyEntries(SctpOptions o) {
        return 2L * o.receiveWindow();
    }
}
