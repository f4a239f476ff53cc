package org.jdatachannel.dtls.fuzz;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdatachannel.dtls.DtlsTransport;
import org.jdatachannel.dtls.PacketTransport;

/**
 * The fuzz targets' input format and a {@link PacketTransport} that plays it back.
 *
 * <p>Format: one flags byte, then datagrams, each a big-endian uint16 length followed by that many
 * bytes (a length running past the end takes what is left); at most {@link #MAX_DATAGRAMS}
 * datagrams, each cut to {@link DtlsTransport#MAX_DATAGRAM_SIZE} bytes.
 */
final class Script {

    static final int MAX_DATAGRAMS = 64;

    final int flags;
    final List<byte[]> datagrams;

    private Script(int flags, List<byte[]> datagrams) {
        this.flags = flags;
        this.datagrams = datagrams;
    }

    static Script parse(byte[] data) {
        if (data.length == 0) {
            return new Script(0, List.of());
        }
        List<byte[]> out = new ArrayList<>();
        int pos = 1;
        while (pos < data.length && out.size() < MAX_DATAGRAMS) {
            int len = pos + 1 < data.length ? ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF) : 0;
            pos += 2;
            int end = (int) Math.min((long) pos + len, data.length);
            end = Math.min(end, pos + DtlsTransport.MAX_DATAGRAM_SIZE);
            out.add(pos < end ? Arrays.copyOfRange(data, pos, end) : new byte[0]);
            pos = Math.max(pos, end);
        }
        return new Script(data[0] & 0xFF, out);
    }

    /** Encodes flags and datagrams in the format {@link #parse} reads (for seeds). */
    static byte[] encode(int flags, List<byte[]> datagrams) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(flags);
        for (byte[] d : datagrams) {
            b.write(d.length >> 8);
            b.write(d.length);
            b.writeBytes(d);
        }
        return b.toByteArray();
    }

    /**
     * Plays the datagrams back one per receive call, in order, then returns -1 (or throws, if
     * {@code endWithIOException}); records what is sent.
     */
    static final class Playback implements PacketTransport {
        private final List<byte[]> script;
        private final boolean endWithIOException;
        private int next;
        final List<byte[]> sent = new ArrayList<>();
        volatile boolean closed;

        Playback(List<byte[]> script, boolean endWithIOException) {
            this.script = script;
            this.endWithIOException = endWithIOException;
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("closed");
            }
            sent.add(Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            if (closed) {
                throw new IOException("closed");
            }
            if (next == script.size()) {
                if (endWithIOException) {
                    throw new IOException("end of the fuzz input");
                }
                return -1;
            }
            byte[] d = script.get(next++);
            int n = Math.min(len, d.length);
            System.arraycopy(d, 0, buf, off, n);
            return n;
        }

        int delivered() {
            return next;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
