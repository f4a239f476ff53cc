package org.jdatachannel.ice;

import java.io.Closeable;
import java.io.IOException;

/**
 * Datagrams over the ICE-selected candidate pair (before a pair is selected, over a valid pair
 * once {@link IceAgent#dataReady()} completed; see {@link #send}), with STUN removed (RFC 7983
 * §7: a first byte of 0..3 is STUN and stays inside ICE; everything else is delivered here).
 *
 * <p>Only datagrams from a remote address that belongs to a candidate pair of this agent
 * (signalled, or peer-reflexive learned from an authenticated check) are delivered; others are
 * dropped. Received datagrams wait in a bounded queue ({@link IceConfig#receiveQueueCapacity()}
 * datagrams and at most 4 MiB); when it is full, newly arriving datagrams are dropped, as UDP
 * would.
 *
 * <p>Push mode ({@link #setReceiver}): instead of queueing, every delivered datagram is handed to a
 * {@link Receiver} on the socket reader thread it arrived on, with no queue and no thread hand-off.
 *
 * <p>Thread-safety: all methods may be called from any thread; concurrent {@code receive}
 * callers each get distinct datagrams.
 */
public interface IceTransport extends Closeable {

    /**
     * Takes datagrams in push mode. Called on the reader thread of the local socket (host or TURN
     * relayed) the datagram arrived on, in that socket's arrival order; with several local sockets
     * (several host addresses, a relay), calls from different sockets may run at the same time.
     * Datagrams that were queued when the receiver was installed are handed over on the thread
     * calling {@link #setReceiver}. Implementations must be thread-safe and must not block (a
     * blocked receiver stalls the socket, and STUN on it: consent checks would fail).
     */
    @FunctionalInterface
    interface Receiver {
        /**
         * @param data the datagram's bytes; the receiver may keep the array, never reused
         * @param off offset of the datagram in {@code data}
         * @param len length in bytes, 1..{@link #MAX_DATAGRAM} (65535)
         */
        void onDatagram(byte[] data, int off, int len);

        /**
         * A datagram in an array the transport reuses for the next one (issue 6: a host socket's
         * reader then allocates nothing per datagram): {@code data[off..off+len)} is valid only
         * during the call, so a receiver that keeps the bytes, or hands them to another thread,
         * must copy them. The default copies and calls {@link #onDatagram}.
         *
         * @param data the datagram's bytes, valid only during the call
         * @param off offset of the datagram in {@code data}
         * @param len length in bytes, 1..{@link #MAX_DATAGRAM} (65535)
         */
        default void onBorrowedDatagram(byte[] data, int off, int len) {
            onDatagram(java.util.Arrays.copyOfRange(data, off, off + len), 0, len);
        }
    }

    /**
     * Switches between pull ({@link #receive}) and push. After {@code setReceiver(r)} every
     * datagram that passes the source check is given to {@code r} instead of the receive queue;
     * the datagrams already in the queue are handed to {@code r} first, during this call and in
     * arrival order, before any newer one. {@code setReceiver(null)} returns to pull mode: later
     * datagrams are queued again. A thread blocked in {@link #receive} keeps waiting (it gets
     * nothing while a receiver is set). A reader thread that was already handing a datagram to
     * the previous receiver when this is called may finish doing so after it returns. After
     * {@link #close()} no new datagram is delivered, but one a reader thread was already handing
     * over may still arrive (receivers check their own closed state).
     *
     * @param r the receiver, or null for pull mode
     */
    void setReceiver(Receiver r);

    /** Largest datagram payload accepted by {@link #send} and delivered by {@link #receive}. */
    int MAX_DATAGRAM = 65535;

    /**
     * Sends one datagram to the remote address of the selected pair, through the socket of its
     * local candidate; follows the selected pair if ICE changes it. Before a pair is selected,
     * once {@link IceAgent#dataReady()} has completed, sends on the highest-priority valid pair
     * (RFC 8445 §12.1: "An ICE agent MAY send data on any valid pair before selected pairs have
     * been produced for the data stream"), and moves to the selected pair as soon as there is one.
     *
     * @param buf bytes to send
     * @param off offset of the first byte
     * @param len number of bytes, 0 to {@link #MAX_DATAGRAM} (the OS limits UDP over IPv4 to
     *            65507 and over IPv6 to 65527; larger sends fail with an {@code IOException})
     * @throws IOException if no pair is selected and {@link IceAgent#dataReady()} has not
     *                     completed, consent was lost (RFC 7675; also when no pair is selected
     *                     within {@link IceConfig#consentTimeoutMs()} of the valid pair's check),
     *                     the transport is closed, or the socket fails
     * @throws IllegalArgumentException if {@code off}/{@code len} are out of range for {@code buf}
     */
    void send(byte[] buf, int off, int len) throws IOException;

    /**
     * Receives one datagram, waiting up to {@code waitMillis}.
     *
     * @param buf        destination
     * @param off        offset in {@code buf}
     * @param len        capacity; a longer datagram is truncated to {@code len} bytes (logged)
     * @param waitMillis maximum wait in milliseconds, 0 for no wait; must not be negative
     * @return the number of bytes stored, or -1 if nothing arrived in time
     * @throws IOException if the transport is closed (also when closed while waiting)
     * @throws IllegalArgumentException for a bad range or a negative wait
     */
    int receive(byte[] buf, int off, int len, int waitMillis) throws IOException;

    /** Closes this transport and the whole {@link IceAgent}. Idempotent. */
    @Override
    void close();
}
