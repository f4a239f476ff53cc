package org.jdatachannel.internal;

import java.io.IOException;
import org.jdatachannel.dtls.PacketTransport;

/**
 * The datagram transport DTLS runs over, whose ICE transport can be replaced under a live DTLS
 * association (ICE restart, RFC 8445 §9: "the agent MUST ... continue to use the previously
 * selected pair ... until ICE processing of the restart completes"): sends go to the current
 * transport; {@link #receive} waits on the current transport in short slices, so a DTLS reader
 * blocked in it moves to a new transport within {@value #SLICE_MS} ms of {@link #switchTo}.
 * Whoever switches closes the old transport afterwards; a receive or send that fails because the
 * transport it used was replaced meanwhile is retried on the new one. DTLS and SCTP state are
 * untouched: a datagram lost in the switch is recovered like any lost datagram.
 *
 * <p>Push mode: {@link #setReceiver} installs the receiver on the current transport, and
 * {@link #switchTo} moves it to the new transport (installed there first, then removed from the
 * old one, which goes back to queueing until it is closed); {@link #receive} is then not used.
 *
 * <p>Thread-safety: one receiving thread, any number of sending threads, and a switching thread may
 * run at once (the current transport is a volatile reference); {@link #setReceiver} and
 * {@link #switchTo} are serialized with each other. Not part of the public API.
 */
final class SwitchableTransport implements PacketTransport {
    /**
     * Longest single wait on one transport, in milliseconds: an idle connection's DTLS reader wakes
     * about 20 times a second. Kept on purpose: blocking on the current transport until a switch
     * would need the switcher to wake the receiver, but nothing can interrupt an ICE transport's
     * receive except closing it, and IceAgent.close() shuts the transport only at its very end
     * (after joining reader threads, now done off the loop), so the new path would go unread for
     * that long; interrupting the DTLS thread is not safe inside Bouncy Castle's record layer.
     */
    static final int SLICE_MS = 50;

    private volatile PacketTransport current;
    private volatile boolean closed;
    /** The push receiver, or null in pull mode; guarded by {@code this}. */
    private DatagramReceiver receiver;

    /** @param first the transport to use until the first switch */
    SwitchableTransport(PacketTransport first) {
        this.current = first;
    }

    /**
     * Makes {@code next} the transport for every later send and receive. Does not close the old one.
     *
     * @return the transport used before
     */
    synchronized PacketTransport switchTo(PacketTransport next) {
        PacketTransport old = current;
        DatagramReceiver r = receiver;
        if (r != null && next != old) {
            next.setReceiver(r); // datagrams it already queued first
        }
        current = next;
        if (r != null && next != old) {
            old.setReceiver(null);
        }
        return old;
    }

    /**
     * Push mode on the current transport (and on every later one, see {@link #switchTo}); null
     * returns to pull mode. Same contract as {@link PacketTransport#setReceiver}.
     *
     * @throws UnsupportedOperationException if the current transport has no push mode
     */
    @Override
    public synchronized void setReceiver(DatagramReceiver r) {
        current.setReceiver(r);
        receiver = r;
    }

    /**
     * The {@link PacketTransport} view of an ICE transport: send, receive, close and push mode
     * ({@link #setReceiver}) forwarded one to one.
     *
     * @param ice the ICE transport; closing the view closes it (and its agent)
     * @return the view
     */
    static PacketTransport ice(org.jdatachannel.ice.IceTransport ice) {
        return new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                ice.send(buf, off, len);
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                return ice.receive(buf, off, len, waitMillis);
            }

            @Override
            public void setReceiver(DatagramReceiver r) {
                ice.setReceiver(r == null ? null : new org.jdatachannel.ice.IceTransport.Receiver() {
                    @Override
                    public void onDatagram(byte[] data, int off, int len) {
                        r.onDatagram(data, off, len);
                    }

                    @Override
                    public void onBorrowedDatagram(byte[] data, int off, int len) {
                        r.onBorrowedDatagram(data, off, len);
                    }
                });
            }

            @Override
            public void close() {
                ice.close();
            }

            @Override
            public String toString() {
                return "PacketTransport[" + ice + "]";
            }
        };
    }

    /** @return the transport in use */
    PacketTransport current() {
        return current;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        PacketTransport t = current;
        try {
            t.send(buf, off, len);
        } catch (IOException e) {
            PacketTransport now = current;
            if (now == t || closed) {
                throw e;
            }
            now.send(buf, off, len);
        }
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        long deadline = System.nanoTime() + Math.max(0, waitMillis) * 1_000_000L;
        while (true) {
            if (closed) {
                throw new IOException("transport closed");
            }
            PacketTransport t = current;
            long leftMs = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            int slice = (int) Math.max(1, Math.min(leftMs, SLICE_MS));
            int n;
            try {
                n = t.receive(buf, off, len, slice);
            } catch (IOException e) {
                if (current != t && !closed) {
                    continue; // replaced while we waited on it: go on with the new one
                }
                throw e;
            }
            if (n >= 0) {
                return n;
            }
            if (System.nanoTime() - deadline >= 0) {
                return -1;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        current.close();
    }
}
