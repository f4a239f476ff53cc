package org.jdatachannel.cli;

import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelState;

/** Small helpers over the data-channel API, kept in one place. Stateless; thread-safe. */
final class Channels {

    private Channels() {
    }

    /** Options for a reliable channel, ordered or unordered. */
    static DataChannelInit reliable(boolean ordered) {
        return DataChannelInit.builder().ordered(ordered).build();
    }

    static boolean isOpen(DataChannel ch) {
        return ch.readyState() == DataChannelState.OPEN;
    }
}
