package org.jdatachannel.sctp.packet.errorcause;

import java.nio.charset.StandardCharsets;
import org.jdatachannel.sctp.packet.OpaqueValue;

/**
 * What the error causes whose value is free-form bytes share (Unrecognized Chunk Type, Unrecognized
 * Parameters, User-Initiated Abort, Protocol Violation; RFC 9260 §3.3.10): a UTF-8 reading of the
 * value for logs and reasons. Each cause stays its own record.
 */
interface TextCause extends OpaqueValue {
    /** @return the value bytes decoded as UTF-8 (lossy for binary content) */
    default String text() {
        return new String(value(), StandardCharsets.UTF_8);
    }

    /** @return {@code text} encoded as UTF-8, the value of a cause built from a human-readable reason */
    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
