package org.jdatachannel.dtls;

import java.io.IOException;

import org.bouncycastle.tls.DatagramTransport;

/**
 * During the handshake, packs the records of one flight into as few datagrams as fit
 * {@link DtlsTransport#HANDSHAKE_MTU}, as browsers do; afterwards sends pass through unchanged.
 *
 * <p>RFC 6347 §4.1.1: "Multiple DTLS records may be placed in a single datagram." Bouncy Castle
 * 1.84 writes every handshake record into its own datagram, so our full handshake took 13
 * datagrams in 4 flights, and a flight only counts as delivered when all of its datagrams arrive:
 * at 20 % loss a 5-datagram flight gets through a third of the time, a 1-datagram flight 80 %.
 * {@code HandshakeUnderLossTest} measured handshakes of up to 26 s at 20 % loss before.
 *
 * <p>How: Bouncy Castle writes a flight's records one after another and then waits for the
 * peer in {@link #receive}; so records are collected and written out when Bouncy Castle next
 * receives, when the next record would not fit in the datagram, when the handshake ends
 * ({@link #handshakeDone()}, which flushes the final flight) and on {@link #close()} (a fatal
 * alert). Records are never split or reordered.
 *
 * <p>Thread-safety: during the handshake only Bouncy Castle's handshake thread uses this;
 * after {@link #handshakeDone()} (called by that thread) any thread may send and one receive.
 */
final class FlightPacker implements DatagramTransport {

    private final DatagramTransport lower;
    private final boolean enabled;
    /** Handshake thread only. */
    private final byte[] pending = new byte[DtlsTransport.HANDSHAKE_MTU];
    /** Handshake thread only. */
    private int pendingLength;
    private volatile boolean handshakeDone;

    /**
     * @param enabled false to send every record in its own datagram as Bouncy Castle does (tests
     *     that drop single records)
     */
    FlightPacker(DatagramTransport lower, boolean enabled) {
        this.lower = lower;
        this.enabled = enabled;
    }

    @Override
    public int getReceiveLimit() throws IOException {
        return lower.getReceiveLimit();
    }

    @Override
    public int getSendLimit() throws IOException {
        return lower.getSendLimit();
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (!enabled || handshakeDone || len > pending.length) {
            flush();
            lower.send(buf, off, len);
            return;
        }
        if (pendingLength + len > pending.length) {
            flush();
        }
        System.arraycopy(buf, off, pending, pendingLength, len);
        pendingLength += len;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (!handshakeDone) {
            flush();
        }
        return lower.receive(buf, off, len, waitMillis);
    }

    /** Writes the final flight and lets all later sends pass through. Handshake thread. */
    void handshakeDone() throws IOException {
        try {
            flush();
        } finally {
            handshakeDone = true;
        }
    }

    private void flush() throws IOException {
        if (pendingLength > 0) {
            int n = pendingLength;
            pendingLength = 0;
            // A copy: the lower transport may keep the array (it is reused for the next flight).
            lower.send(java.util.Arrays.copyOf(pending, n), 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (!handshakeDone) {
                flush();
            }
        } catch (IOException e) {
            // The lower transport failed or was closed; the alert is lost like any datagram.
        } finally {
            lower.close();
        }
    }
}
