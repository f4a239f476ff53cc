package org.jdatachannel.ice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A thread that waits for UDP channels to become readable and reads them itself (a selector
 * loop), so a received datagram is handled on the thread that read it. The peer connection's
 * event loop implements it (datachannel's {@code EventLoop}): a host socket of an {@link IceAgent}
 * configured with {@link IceConfig#datagramIo()} is then read by the thread that owns the
 * connection, with no reader thread of its own and no hand-off per datagram. Without one, ice
 * falls back to one JVM-wide daemon I/O thread shared by all sockets ({@link SharedDatagramIo}).
 *
 * <p>Thread-safety: {@link #register} and {@link Registration#cancel()} may be called from any
 * thread; {@link Handler#onReadable} runs on the I/O thread only.
 */
public interface DatagramIo {

    /** Reads a readable channel; runs on the I/O thread. */
    @FunctionalInterface
    interface Handler {
        /**
         * The channel may have datagrams. Read (non-blocking) until it has none left or until
         * {@link IoSelector#MAX_DATAGRAMS_PER_ROUND} datagrams were read (the channel stays ready
         * and is served again in the next round, after the other channels and the loop's tasks).
         * Must not block. Exceptions are logged and ignored.
         *
         * @param scratch a direct buffer of {@link IoSelector#SCRATCH_BYTES} bytes owned by the I/O
         *                thread, for reading into; its contents are valid only during the call
         */
        void onReadable(ByteBuffer scratch);
    }

    /** A channel's registration; see {@link #register}. */
    interface Registration {
        /**
         * Stops the read callbacks (one running on the I/O thread may finish) and releases the
         * selection key; the channel's file descriptor is released when the channel is closed
         * (the I/O thread is woken so that this happens at once). Idempotent, any thread.
         */
        void cancel();

        /** @return the I/O thread serving the channel, or null if it has not started yet */
        Thread thread();

        /**
         * @return true once the I/O thread no longer holds the channel after {@link #cancel()}: a
         *         selection round that began after the cancel has completed (or the selector was
         *         closed), so a closed channel's descriptor and port are released. Any thread.
         */
        boolean released();
    }

    /**
     * Registers {@code channel} for reading; {@code handler} runs on the I/O thread whenever the
     * channel is readable, from the next selection round on.
     *
     * @param channel a bound, open, non-blocking channel
     * @param handler reads the channel
     * @return the registration, to cancel it
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws IOException if the I/O thread is gone (shut down)
     */
    Registration register(DatagramChannel channel, Handler handler) throws IOException;
}
