package org.jdatachannel.ice;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.ice4j.socket.IceSocketWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket bound to one allowed host address, with its own daemon reader thread that
 * splits incoming datagrams between ice4j (STUN) and the application.
 *
 * <p>Why not ice4j's own sockets: its {@code MultiplexingDatagramSocket} reads into 1500-byte
 * buffers (larger datagrams are truncated) and its host harvester gathers every interface except
 * loopback. This class reads whole datagrams (up to 65535 bytes) and is handed to ice4j as the
 * host candidate's {@link IceSocketWrapper}: ice4j's STUN {@code Connector} thread calls
 * {@link #receive} and gets only STUN; {@link #send} goes straight to the socket.
 *
 * <p>Demultiplexing follows RFC 7983 §7 (first byte 0..3 is STUN, 20..63 DTLS, 64..79 TURN
 * ChannelData, ...): STUN goes to ice4j, DTLS and TURN ChannelData to the {@link Sink}, and every
 * other first byte (ZRTP, RTP/RTCP, QUIC, unassigned: nothing a data channel uses) is dropped
 * here and counted ({@link #droppedNotDemultiplexed()}), so junk never reaches the receive queue.
 *
 * <p>I/O: a {@link DatagramSocket}, not a {@code DatagramChannel}: an interruptible channel is
 * closed for good when a thread is interrupted while (or before) it sends on it, and ice4j sends
 * STUN from pool threads it may interrupt (a probe saw ICE and DTLS handshakes fail with
 * AsynchronousCloseException on a channel); the JDK's DatagramSocket runs on a channel that
 * ignores interrupts. The reader copies each datagram once, into the exact-size array handed on.
 * ice4j's STUN reader blocks until a STUN datagram arrives or the socket closes (no polling).
 */
final class HostSocket extends IceSocketWrapper {
    private static final Logger LOG = LoggerFactory.getLogger(HostSocket.class);

    /** Bound on STUN datagrams waiting for ice4j's reader; more are dropped (UDP semantics). */
    static final int STUN_QUEUE_CAPACITY = 256;
    /**
     * STUN-range datagrams longer than this are dropped: ICE's Binding messages are a few hundred
     * bytes, and ice4j's STUN reader reads at most 1500 bytes anyway (RFC 8489 §6.1 keeps STUN
     * below the path MTU when no fragmentation is wanted).
     */
    static final int MAX_STUN_DATAGRAM = 1500;
    /** Receive buffer: the largest possible UDP payload plus one byte. */
    private static final int RECEIVE_BUFFER = 65536;
    /** Default kernel socket buffer sizes requested, bytes (the kernel doubles and caps them). */
    static final int DEFAULT_SOCKET_BUFFER = IceConfig.DEFAULT_SOCKET_BUFFER;

    /** Where application datagrams go. Called on this socket's reader thread. */
    interface Sink {
        void deliver(HostSocket via, byte[] data, InetSocketAddress from);
    }

    private record Stun(byte[] data, SocketAddress from) {
    }

    /** Put in the STUN queue on close, to wake ice4j's reader. */
    private static final Stun CLOSED = new Stun(new byte[0], null);

    private final DatagramSocket udp;
    private final InetSocketAddress local;
    private final BlockingQueue<Stun> stunQueue = new ArrayBlockingQueue<>(STUN_QUEUE_CAPACITY);
    private final Sink sink;
    private final Thread reader;
    private volatile boolean closed;
    /** When set, datagrams from other sources are dropped on arrival (relay-only policy). */
    private volatile java.util.function.Predicate<InetSocketAddress> acceptFrom;
    /** Test hook: drop every arriving datagram (a peer that vanished, or a path that broke). */
    private volatile boolean dropAll;
    // Drop counters, written by the reader thread only, read by anyone (diagnostics, tests).
    private final java.util.concurrent.atomic.AtomicLong droppedNotDemultiplexed = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong droppedStun = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong droppedUnauthenticated = new java.util.concurrent.atomic.AtomicLong();
    /** Authenticates Binding requests/responses before ice4j sees them; null = pass everything. */
    private volatile StunGuard guard;

    private HostSocket(DatagramSocket udp, Sink sink) {
        this.udp = udp;
        this.local = (InetSocketAddress) udp.getLocalSocketAddress();
        this.sink = sink;
        this.reader = new Thread(this::readLoop, "jdc-ice-rx-" + local);
        this.reader.setDaemon(true);
    }

    /**
     * Binds a socket on {@code address}, on an ephemeral port when {@code minPort == 0}, else on
     * the first free port of {@code minPort..maxPort}, with {@link #DEFAULT_SOCKET_BUFFER}-byte
     * kernel buffers.
     *
     * @throws IOException if no port could be bound
     */
    static HostSocket bind(InetAddress address, int minPort, int maxPort, Sink sink) throws IOException {
        return bind(address, minPort, maxPort, DEFAULT_SOCKET_BUFFER, DEFAULT_SOCKET_BUFFER, sink);
    }

    /**
     * As {@link #bind(InetAddress, int, int, Sink)}, with the kernel socket buffer sizes to request.
     *
     * @param receiveBuffer SO_RCVBUF in bytes, or 0 to keep the OS default
     * @param sendBuffer SO_SNDBUF in bytes, or 0 to keep the OS default
     * @throws IOException if no port could be bound
     */
    static HostSocket bind(InetAddress address, int minPort, int maxPort, int receiveBuffer, int sendBuffer,
            Sink sink) throws IOException {
        DatagramSocket s = null;
        if (minPort == 0) {
            s = new DatagramSocket(new InetSocketAddress(address, 0));
        } else {
            BindException last = null;
            for (int port = minPort; port <= maxPort && s == null; port++) {
                try {
                    s = new DatagramSocket(new InetSocketAddress(address, port));
                } catch (BindException e) {
                    last = e;
                }
            }
            if (s == null) {
                throw new BindException("no free UDP port on " + address.getHostAddress() + " in "
                        + minPort + ".." + maxPort + (last == null ? "" : ": " + last.getMessage()));
            }
        }
        try {
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            if (sendBuffer > 0) {
                s.setSendBufferSize(sendBuffer);
            }
        } catch (SocketException e) {
            LOG.debug("could not set socket buffers of {}: {}", s.getLocalSocketAddress(), e.toString());
        }
        return new HostSocket(s, sink);
    }

    /**
     * Drops every datagram whose source {@code filter} rejects, before any parsing (used under
     * the relay-only policy: the host socket then talks to STUN/TURN servers only).
     *
     * @param filter the accepted sources
     */
    void acceptOnlyFrom(java.util.function.Predicate<InetSocketAddress> filter) {
        this.acceptFrom = filter;
    }

    /** @param guard checks STUN Binding messages before they reach ice4j (see {@link StunGuard}) */
    void guard(StunGuard guard) {
        this.guard = guard;
    }

    /** @param drop whether to drop every arriving datagram (tests: simulate a broken path) */
    void dropAll(boolean drop) {
        this.dropAll = drop;
    }

    /** Starts the reader thread. */
    void start() {
        reader.start();
    }

    /** @return the bound local address and port */
    InetSocketAddress local() {
        return local;
    }

    /** @return the reader thread (for tests and for joining on close) */
    Thread readerThread() {
        return reader;
    }

    /**
     * Sends application data (not through ice4j): one datagram, one {@code sendto} (blocking if the
     * kernel send buffer is full). Any thread.
     */
    void sendData(byte[] buf, int off, int len, SocketAddress to) throws IOException {
        if (closed) {
            throw new SocketException("socket closed");
        }
        udp.send(new DatagramPacket(buf, off, len, to));
    }

    private void readLoop() {
        byte[] buf = new byte[RECEIVE_BUFFER];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        int consecutiveErrors = 0;
        while (!closed) {
            p.setData(buf, 0, buf.length);
            try {
                udp.receive(p);
                consecutiveErrors = 0;
            } catch (IOException e) {
                if (closed || udp.isClosed()) {
                    break;
                }
                // A receive error on an unconnected UDP socket is transient (e.g. an ICMP error);
                // give up only if it keeps failing, so a broken socket cannot spin forever.
                if (++consecutiveErrors > 100) {
                    LOG.warn("{}: giving up after repeated receive errors: {}", local, e.toString());
                    break;
                }
                LOG.debug("{}: receive error: {}", local, e.toString());
                continue;
            }
            int len = p.getLength();
            if (len == 0 || dropAll) {
                continue;
            }
            InetSocketAddress from = (InetSocketAddress) p.getSocketAddress(); // a new object per call
            java.util.function.Predicate<InetSocketAddress> filter = acceptFrom;
            if (filter != null && !filter.test(from)) {
                LOG.debug("{}: dropping {} bytes from {} (not a STUN/TURN server)", local, len, from);
                continue;
            }
            int first = buf[0] & 0xFF;
            if (!isDemultiplexed(first)) {
                droppedNotDemultiplexed.incrementAndGet();
                LOG.debug("{}: dropping a {}-byte datagram with first byte {} from {} (RFC 7983 §7)", local, len,
                        first, from);
                continue;
            }
            if (first <= 3 && len > MAX_STUN_DATAGRAM) {
                droppedStun.incrementAndGet();
                LOG.debug("{}: dropping a {}-byte STUN-range datagram from {}", local, len, from);
                continue;
            }
            // The one copy: the array is handed on and may be kept by whoever receives it.
            byte[] data = java.util.Arrays.copyOf(buf, len);
            if (first <= 3) {
                StunGuard g = guard;
                StunGuard.Verdict v = g == null ? StunGuard.Verdict.PASS : g.check(data, from);
                if (v != StunGuard.Verdict.PASS) {
                    droppedUnauthenticated.incrementAndGet();
                    LOG.debug("{}: dropping a {}-byte STUN message from {}: {}", local, len, from, v);
                    continue;
                }
                // RFC 7983 §7: 0..3 is STUN; hand it to ice4j's Connector via receive().
                if (!stunQueue.offer(new Stun(data, from))) {
                    droppedStun.incrementAndGet();
                    LOG.debug("{}: STUN queue full, dropped {} bytes from {}", local, len, from);
                }
            } else {
                try {
                    sink.deliver(this, data, from);
                } catch (RuntimeException e) {
                    LOG.warn("{}: delivering a datagram failed", local, e);
                }
            }
        }
        LOG.debug("{}: reader stopped", local);
    }

    /**
     * RFC 7983 §7 (paraphrased): a first byte of 0..3 is STUN, 16..19 ZRTP, 20..63 DTLS, 64..79
     * TURN Channel, 128..191 RTP/RTCP, and a packet whose first byte is in none of the ranges is
     * dropped (RFC 9443 §5 gives 64..127 and 192..255 partly to QUIC). A data channel uses STUN,
     * DTLS and, through a TURN server, ChannelData; nothing else is of use to anyone above us.
     *
     * @param first the first byte of a datagram, 0..255
     * @return whether a datagram starting with it is passed on (to ice4j or to the sink)
     */
    static boolean isDemultiplexed(int first) {
        return first <= 3 || (first >= 20 && first <= 79);
    }

    /** @return datagrams dropped so far because their first byte is no STUN, DTLS or TURN ChannelData */
    long droppedNotDemultiplexed() {
        return droppedNotDemultiplexed.get();
    }

    /** @return STUN Binding messages dropped so far by the {@link StunGuard} */
    long droppedUnauthenticated() {
        return droppedUnauthenticated.get();
    }

    /** @return STUN-range datagrams dropped so far (longer than {@link #MAX_STUN_DATAGRAM}, or queue full) */
    long droppedStun() {
        return droppedStun.get();
    }

    // ---- IceSocketWrapper, used by ice4j for STUN only ----

    /**
     * Called by ice4j's STUN reader: blocks until a STUN datagram arrives; throws once closed
     * ({@link #close} wakes it).
     */
    @Override
    public void receive(DatagramPacket p) throws IOException {
        if (closed) {
            throw new SocketException("socket closed");
        }
        Stun s;
        try {
            s = stunQueue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        }
        if (s == CLOSED) {
            stunQueue.offer(CLOSED); // wake any other reader too
            throw new SocketException("socket closed");
        }
        int n = Math.min(s.data.length, p.getData().length - p.getOffset());
        System.arraycopy(s.data, 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setSocketAddress(s.from);
    }

    /** ice4j's STUN sends. */
    @Override
    public void send(DatagramPacket p) throws IOException {
        udp.send(p);
    }

    /** Closes the socket and stops the reader. Idempotent; ice4j calls it when freeing the candidate. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.close();
        stunQueue.clear();
        stunQueue.offer(CLOSED);
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public InetAddress getLocalAddress() {
        return local.getAddress();
    }

    @Override
    public int getLocalPort() {
        return local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local;
    }

    @Override
    public Socket getTCPSocket() {
        return null;
    }

    /**
     * Non-null so ice4j treats this wrapper as UDP; ice4j never reads from it directly. It is not
     * ice4j's {@code MultiplexingDatagramSocket}, so the candidate on this socket must be a
     * {@link HostSocketCandidate} (ice4j's own {@code getStunSocket} would throw).
     */
    @Override
    public DatagramSocket getUDPSocket() {
        return udp;
    }

    @Override
    public String toString() {
        return "HostSocket[" + local + "]";
    }
}
