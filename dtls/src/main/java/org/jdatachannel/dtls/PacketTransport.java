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
 * <p>Two ways to receive: pull ({@link #receive}, the default) or push ({@link #setReceiver}, for
 * transports that support it): after the handshake a driver can have every datagram handed to a
 * callback on the transport's own reader thread, with no thread blocked in {@code receive}.
 *
 * <p>Thread-safety: implementations must allow one thread in {@link #receive} while another
 * thread calls {@link #send} or {@link #close}.
 */
public interface PacketTransport {

    /**
     * Takes the datagrams of a transport in push mode ({@link #setReceiver}).
     *
     * <p>Called on a reader thread of the transport (an implementation with several sockets may
     * call it from several threads at once, each in the arrival order of its socket), and, for
     * datagrams that were already queued when it was installed, on the thread that called
     * {@link #setReceiver}. It must not block and must be thread-safe.
     */
    @FunctionalInterface
    interface DatagramReceiver {
        /**
         * One received datagram.
         *
         * @param data the bytes; the receiver may keep the array: the transport never reuses it
         * @param off offset of the datagram in {@code data}
         * @param len datagram length in bytes, 1..65535
         */
        void onDatagram(byte[] data, int off, int len);

        /**
         * One received datagram in an array the transport reuses for the next one:
         * {@code data[off..off+len)} is valid only during the call, so a receiver that keeps the
         * bytes or hands them to another thread must copy them. Transports that read into a reused
         * buffer call this instead of {@link #onDatagram} (issue 6: no allocation per datagram).
         * The default copies and calls {@link #onDatagram}.
         *
         * @param data the bytes, valid only during the call
         * @param off offset of the datagram in {@code data}
         * @param len datagram length in bytes, 1..65535
         */
        default void onBorrowedDatagram(byte[] data, int off, int len) {
            onDatagram(java.util.Arrays.copyOfRange(data, off, off + len), 0, len);
        }
    }

    /**
     * Switches between pull and push receive. After {@code setReceiver(r)} every datagram is given
     * to {@code r} instead of being queued for {@link #receive}; datagrams already queued are
     * handed to {@code r} first, in arrival order, before any newer one (they are handed over
     * during this call, on the calling thread). {@code setReceiver(null)} returns to pull mode:
     * later datagrams are queued for {@link #receive} again. A datagram that {@code r} gets is not
     * also returned by {@link #receive}.
     *
     * @param r the receiver, or null for pull mode
     * @throws UnsupportedOperationException if this transport only supports pull (the default)
     */
    default void setReceiver(DatagramReceiver r) {
        throw new UnsupportedOperationException(getClass().getName() + " supports pull receive only");
    }

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
