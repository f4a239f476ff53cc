package org.jdatachannel.sctp.packet;

import java.nio.ByteBuffer;

/**
 * Mixin for wire elements whose value is empty (Length = 4): COOKIE ACK, SHUTDOWN ACK, SHUTDOWN
 * COMPLETE, Forward-TSN-Supported, Out of Resource, Invalid Mandatory Parameter, Cookie Received
 * While Shutting Down. Their parsers check the empty value with {@link Tlv#expectLength}.
 */
public interface EmptyValue extends TlvElement {
    /** @return 0 */
    @Override
    default int valueLength() {
        return 0;
    }

    /** Writes nothing. */
    @Override
    default void serializeValueTo(ByteBuffer out) {
    }
}
