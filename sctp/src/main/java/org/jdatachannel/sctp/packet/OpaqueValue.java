package org.jdatachannel.sctp.packet;

import java.nio.ByteBuffer;

/**
 * Mixin for wire elements whose value is an opaque byte string kept verbatim (unknown chunks,
 * parameters and causes, cookies, heartbeat info, quoted chunks or parameters, abort reasons).
 * Any content is valid at this layer; the bytes are not copied, so treat them as read-only.
 */
public interface OpaqueValue extends TlvElement {
    /** @return the value bytes (the same array the element holds; not copied) */
    byte[] value();

    @Override
    default int valueLength() {
        return value().length;
    }

    @Override
    default void serializeValueTo(ByteBuffer out) {
        out.put(value());
    }
}
