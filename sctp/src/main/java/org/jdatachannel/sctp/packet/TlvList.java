package org.jdatachannel.sctp.packet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one codec for a list of parameters or error causes filling a region: the value of INIT, INIT
 * ACK, HEARTBEAT, HEARTBEAT ACK and RE-CONFIG (parameters), ABORT and ERROR (error causes).
 *
 * <p>RFC 9260 §3.2: "The Chunk Length field does not count any chunk padding. However, it does
 * include padding of any variable-length parameter except the last parameter in the chunk." So
 * every element but the last is written padded, the last one unpadded, and the chunk's own padding
 * completes it.
 *
 * <p>Stateless; thread-safe.
 */
public final class TlvList {
    private TlvList() {
    }

    /**
     * Parses one element from its type and exactly-sized value.
     *
     * @param <T> the element type
     */
    @FunctionalInterface
    public interface ElementParser<T> {
        /** @throws PacketParseException if the value does not fit the type's format */
        T parse(int type, ByteBuffer value) throws PacketParseException;
    }

    /**
     * Parses consecutive 16-bit-type TLVs filling {@code region} (position to limit, not modified).
     *
     * @param what "parameter" or "error cause", used in messages
     * @return an unmodifiable list, in wire order
     * @throws PacketParseException if any TLV ({@link Tlv#next}) or typed value is malformed
     */
    public static <T> List<T> parseAll(ByteBuffer region, String what, ElementParser<T> parser)
            throws PacketParseException {
        Tlv tlv = new Tlv(region, what);
        List<T> out = new ArrayList<>();
        while (tlv.hasNext()) {
            tlv.next(false);
            out.add(parser.parse(tlv.type(), tlv.value()));
        }
        return Collections.unmodifiableList(out);
    }

    /** @return the bytes {@code elements} take when serialized one after another, each padded */
    public static int serializedSize(List<? extends TlvElement> elements) {
        int n = 0;
        for (TlvElement e : elements) {
            n += Tlv.padded(e.serializedLength());
        }
        return n;
    }

    /** @return the bytes {@link #serializeTo} writes: all padded except the last element (0 if empty) */
    public static int valueLength(List<? extends TlvElement> elements) {
        if (elements.isEmpty()) {
            return 0;
        }
        TlvElement last = elements.get(elements.size() - 1);
        return serializedSize(elements) - Tlv.padded(last.serializedLength()) + last.serializedLength();
    }

    /** Writes {@code elements} in order, each padded except the last, {@link #valueLength} bytes. */
    public static void serializeTo(ByteBuffer out, List<? extends TlvElement> elements) {
        for (int i = 0; i < elements.size(); i++) {
            TlvElement e = elements.get(i);
            if (i == elements.size() - 1) {
                e.serializeUnpaddedTo(out);
            } else {
                e.serializeTo(out);
            }
        }
    }
}
