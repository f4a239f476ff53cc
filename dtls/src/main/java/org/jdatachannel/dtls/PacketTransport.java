package org.jdatachannel.dtls;

import java.io.IOException;

/**
 * An unreliable datagram transport below DTLS, typically the ICE transport of the selected
 * candidate pair with STUN already removed. It has the same shape as
 * {@code org.jdatachannel.ice.IceTransport}, so an adapter is a one-liner per method.
 *
 * <p>{@link DtlsTransport} puts a demultiplexer in front of it (RFC 7983 §7): only datagrams whose
 * first byte is in 20..63 reach DTLS; everything else is dropped.
 *
 * <p>Thread-safety: implementations must allow one thread in {@link #receive} while another
 * thread calls {@link #send} or {@link #close}.
 */
public interface PacketTransport {

    /**
     * Sends one datagram.
     *
     * @param buf data
     * @param off offset of the datagram in {@code buf}
     * @param len datagram length in bytes (at most {@link DtlsTransport#MAX_DATAGRAM_SIZE} are sent by DTLS)
     * @throws IOException if the transport is closed or the send failed
     */
    void send(byte[] buf, int off, int len) throws IOException;

    /**
     * Receives one datagram, blocking at most {@code waitMillis}.
     *
     * @param buf destination
     * @param off offset in {@code buf}
     * @param len room in {@code buf}; a longer datagram may be truncated or dropped
     * @param waitMillis maximum wait in milliseconds, &gt;= 1 (DTLS never passes 0 or less)
     * @return the datagram length, or -1 if nothing arrived in time
     * @throws IOException if the transport is closed or failed
     */
    int receive(byte[] buf, int off, int len, int waitMillis) throws IOException;

    /** Closes the transport; a blocked {@link #receive} should return or throw soon after. Idempotent. */
    void close() throws IOException;
}
