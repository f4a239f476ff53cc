package org.jdatachannel.sctp.packet.chunk;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdatachannel.sctp.packet.PacketParseException;
import org.jdatachannel.sctp.packet.Tlv;
import org.jdatachannel.sctp.packet.Tsn;

/**
 * Selective Acknowledgement (SACK, type 3), RFC 9260 §3.3.4. Gap Ack Block offsets are relative to
 * the Cumulative TSN Ack.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 3    |  Chunk Flags  |        Chunk Length           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Cumulative TSN Ack                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Advertised Receiver Window Credit (a_rwnd)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of Gap Ack Blocks = N  |  Number of Duplicate TSNs = M |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Gap Ack Block #1 Start     |      Gap Ack Block #1 End     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                                                               /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Duplicate TSN 1                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                                                               /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param cumulativeTsnAck the last TSN received in sequence
 * @param aRwnd advertised receiver window, bytes (unsigned 32-bit)
 * @param gapAckBlocks gap ack blocks in order
 * @param duplicateTsns duplicate TSNs received since the last SACK (not copied; treat as read-only)
 */
public record SackChunk(Tsn cumulativeTsnAck, int aRwnd, List<GapAckBlock> gapAckBlocks, int[] duplicateTsns)
        implements Chunk {
    /** Chunk type. */
    public static final int TYPE = 3;

    /**
     * One Gap Ack Block: TSNs cumulativeTsnAck+start .. cumulativeTsnAck+end were received.
     *
     * @param start offset 1..65535
     * @param end offset, &gt;= start
     */
    public record GapAckBlock(int start, int end) {
    }

    /** Copies the block list. */
    public SackChunk {
        gapAckBlocks = List.copyOf(gapAckBlocks);
    }

    /** Convenience constructor from a raw cumulative TSN. */
    public SackChunk(int cumulativeTsnAck, int aRwnd, List<GapAckBlock> gapAckBlocks, int[] duplicateTsns) {
        this(new Tsn(cumulativeTsnAck), aRwnd, gapAckBlocks, duplicateTsns);
    }

    /**
     * Parses from an exactly-sized value slice.
     *
     * @throws PacketParseException if the counts do not match the value length
     */
    public static SackChunk parse(int flags, ByteBuffer v) throws PacketParseException {
        Tlv.expectAtLeast("SACK", v, 12);
        int p = v.position();
        int nGaps = v.getShort(p + 8) & 0xffff;
        int nDups = v.getShort(p + 10) & 0xffff;
        if (v.remaining() != 12 + 4 * nGaps + 4 * nDups) {
            throw new PacketParseException("SACK: " + nGaps + " gap blocks and " + nDups
                    + " duplicate TSNs do not fit value length " + v.remaining());
        }
        List<GapAckBlock> gaps = new ArrayList<>(nGaps);
        for (int i = 0; i < nGaps; i++) {
            gaps.add(new GapAckBlock(v.getShort(p + 12 + 4 * i) & 0xffff, v.getShort(p + 14 + 4 * i) & 0xffff));
        }
        int[] dups = new int[nDups];
        for (int i = 0; i < nDups; i++) {
            dups[i] = v.getInt(p + 12 + 4 * nGaps + 4 * i);
        }
        return new SackChunk(v.getInt(p), v.getInt(p + 4), gaps, dups);
    }

    @Override
    public int type() {
        return TYPE;
    }

    @Override
    public int valueLength() {
        return 12 + 4 * gapAckBlocks.size() + 4 * duplicateTsns.length;
    }

    @Override
    public void serializeValueTo(ByteBuffer out) {
        out.putInt(cumulativeTsnAck.value()).putInt(aRwnd).putShort((short) gapAckBlocks.size())
                .putShort((short) duplicateTsns.length);
        for (GapAckBlock g : gapAckBlocks) {
            out.putShort((short) g.start()).putShort((short) g.end());
        }
        for (int d : duplicateTsns) {
            out.putInt(d);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SackChunk s && s.cumulativeTsnAck.equals(cumulativeTsnAck) && s.aRwnd == aRwnd
                && s.gapAckBlocks.equals(gapAckBlocks) && Arrays.equals(s.duplicateTsns, duplicateTsns);
    }

    @Override
    public int hashCode() {
        return cumulativeTsnAck.hashCode() * 31 + gapAckBlocks.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SACK(cum=").append(cumulativeTsnAck)
                .append(", a_rwnd=").append(Integer.toUnsignedString(aRwnd));
        for (GapAckBlock g : gapAckBlocks) {
            sb.append(", gap ").append(g.start()).append('-').append(g.end());
        }
        if (duplicateTsns.length > 0) {
            sb.append(", dups=").append(duplicateTsns.length);
        }
        return sb.append(')').toString();
    }
}
