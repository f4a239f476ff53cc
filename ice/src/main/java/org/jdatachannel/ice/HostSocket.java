package org.jdatachannel.ice;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
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
 * One UDP socket bound to one allowed host address, read by a {@link DatagramIo} thread (the
 * connection's event loop, or the JVM-wide fallback I/O thread), which splits incoming datagrams
 * between ice4j (STUN) and the application.
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
 * <p>I/O (issue 6): a NON-BLOCKING {@link DatagramChannel} registered with the selector of a
 * {@link DatagramIo} thread; there is no reader thread per socket. Why non-blocking matters: a
 * blocking interruptible channel is closed for good when a thread is interrupted while (or
 * before) it does I/O on it, and ice4j sends STUN from pool threads it may interrupt; in JDK 17 a
 * non-blocking channel's send and receive do not install the interrupt hook (DatagramChannelImpl
 * calls {@code begin()} only when blocking), so an interrupt leaves it open
 * (HostSocketChannelTest.interruptedSenderLeavesTheSocketWorking). A send the kernel refuses
 * because the send buffer is full is dropped and counted ({@link #droppedSendBufferFull()}): UDP
 * semantics; SCTP retransmits and the DTLS handshake retransmits its flight on its timer (RFC 6347
 * §4.2.4). The reader copies each datagram once, from the I/O thread's direct buffer into the
 * exact-size array handed on. ice4j's STUN reader blocks until a STUN datagram arrives or the
 * socket closes (no polling).
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
    /** Smallest receive array, bytes: a full 1500-byte Ethernet payload. */
    private static final int RX_ARRAY_MIN = 1500;
    /** Default kernel socket buffer sizes requested, bytes (the kernel doubles and caps them). */
    static final int DEFAULT_SOCKET_BUFFER = IceConfig.DEFAULT_SOCKET_BUFFER;
    /** Consecutive receive errors after which the socket stops reading (a broken socket must not spin). */
    private static final int MAX_CONSECUTIVE_ERRORS = 100;

    /** Where application datagrams go. Called on the socket's I/O thread. */
    interface Sink {
        /**
         * @param via the socket the datagram arrived on
         * @param data the datagram, exactly sized; the sink may keep the array
         * @param from its source
         */
        void deliver(HostSocket via, byte[] data, InetSocketAddress from);

        /**
         * A datagram in an array the socket reuses for the next one (issue 6: no allocation per
         * datagram when the receiver handles it at once): {@code data[0..len)} is valid only during
         * the call, so a sink that keeps it must copy it. The default copies and calls
         * {@link #deliver}.
         *
         * @param via the socket the datagram arrived on
         * @param data the datagram's bytes from index 0; the array may be longer
         * @param len datagram length in bytes, 1..65535
         * @param from its source
         */
        default void deliverBorrowed(HostSocket via, byte[] data, int len, InetSocketAddress from) {
            deliver(via, java.util.Arrays.copyOf(data, len), from);
        }
    }

    private record Stun(byte[] data, SocketAddress from) {
    }

    /** Put in the STUN queue on close, to wake ice4j's reader. */
    private static final Stun CLOSED = new Stun(new byte[0], null);

    private final DatagramChannel channel;
    private final DatagramSocket adaptor;
    private final InetSocketAddress local;
    private final BlockingQueue<Stun> stunQueue = new ArrayBlockingQueue<>(STUN_QUEUE_CAPACITY);
    private final Sink sink;
    /**
     * The array application datagrams are copied into and lent to {@link Sink#deliverBorrowed};
     * grown to the largest datagram seen. Touched only by the thread that reads the socket.
     */
    private byte[] rxArray = new byte[0];
    private volatile DatagramIo.Registration registration;
    private volatile boolean closed;
    /** When set, datagrams from other sources are dropped on arrival (relay-only policy). */
    private volatile java.util.function.Predicate<InetSocketAddress> acceptFrom;
    /** Test hook: drop every arriving datagram (a peer that vanished, or a path that broke). */
    private volatile boolean dropAll;
    /** I/O thread only. */
    private int consecutiveErrors;
    // Drop counters, written by the I/O thread (sends: any thread), read by anyone (diagnostics, tests).
    private final java.util.concurrent.atomic.AtomicLong droppedNotDemultiplexed = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong droppedStun = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong droppedUnauthenticated = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong droppedSendBufferFull = new java.util.concurrent.atomic.AtomicLong();
    /** Authenticates Binding requests/responses before ice4j sees them; null = pass everything. */
    private volatile StunGuard guard;

    private HostSocket(DatagramChannel channel, Sink sink) throws IOException {
        this.channel = channel;
        this.adaptor = channel.socket();
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.sink = sink;
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
        DatagramChannel ch = null;
        if (minPort == 0) {
            ch = open(new InetSocketAddress(address, 0));
        } else {
            BindException last = null;
            for (int port = minPort; port <= maxPort && ch == null; port++) {
                try {
                    ch = open(new InetSocketAddress(address, port));
                } catch (BindException e) {
                    last = e;
                }
            }
            if (ch == null) {
                throw new BindException("no free UDP port on " + address.getHostAddress() + " in "
                        + minPort + ".." + maxPort + (last == null ? "" : ": " + last.getMessage()));
            }
        }
        try {
            if (receiveBuffer > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
            }
            if (sendBuffer > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
            }
        } catch (IOException e) {
            LOG.debug("could not set socket buffers of {}: {}", ch.getLocalAddress(), e.toString());
        }
        try {
            return new HostSocket(ch, sink);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Opens a non-blocking channel bound to {@code at}; closes it again if binding fails. */
    private static DatagramChannel open(InetSocketAddress at) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.configureBlocking(false);
            ch.bind(at);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
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

    /** Starts reading on the JVM-wide fallback I/O thread ({@link SharedDatagramIo}). */
    void start() {
        start(null);
    }

    /**
     * Starts reading: registers the socket with {@code io}'s selector, or with the JVM-wide
     * fallback I/O thread when {@code io} is null or refuses (shut down). Once.
     *
     * @param io the I/O thread that reads this socket, or null for the shared fallback
     */
    void start(DatagramIo io) {
        if (closed || registration != null) {
            return;
        }
        DatagramIo.Registration r = null;
        if (io != null) {
            try {
                r = io.register(channel, this::onReadable);
            } catch (IOException | RuntimeException e) {
                LOG.debug("{}: the given I/O thread refused the socket ({}); using the shared one", local,
                        e.toString());
            }
        }
        if (r == null) {
            try {
                r = SharedDatagramIo.INSTANCE.register(channel, this::onReadable);
            } catch (IOException e) {
                LOG.warn("{}: cannot register with the shared I/O thread: {}", local, e.toString());
                return;
            }
        }
        registration = r;
        if (closed) {
            r.cancel();
        }
    }

    /** @return the bound local address and port */
    InetSocketAddress local() {
        return local;
    }

    /** @return whether the channel's selection key is in place (tests: the I/O thread applied the registration) */
    boolean channelRegistered() {
        return channel.isRegistered();
    }

    /** @return the thread that reads this socket, or null before {@link #start} (tests, diagnostics) */
    Thread ioThread() {
        DatagramIo.Registration r = registration;
        return r == null ? null : r.thread();
    }

    /**
     * Sends application data (not through ice4j): one datagram, one {@code sendto}, never
     * blocking. Any thread. A datagram the kernel refuses because the send buffer is full is
     * dropped and counted ({@link #droppedSendBufferFull()}), as a full queue drops UDP anywhere.
     */
    void sendData(byte[] buf, int off, int len, SocketAddress to) throws IOException {
        if (closed) {
            throw new SocketException("socket closed");
        }
        send(ByteBuffer.wrap(buf, off, len), to);
    }

    private void send(ByteBuffer b, SocketAddress to) throws IOException {
        int want = b.remaining();
        if (channel.send(b, to) == 0 && want > 0) {
            long n = droppedSendBufferFull.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.debug("{}: send buffer full, dropped a {}-byte datagram to {} ({} so far)", local, want, to, n);
            }
        }
    }

    /** I/O thread: reads up to {@link IoSelector#MAX_DATAGRAMS_PER_ROUND} datagrams. */
    private void onReadable(ByteBuffer buf) {
        for (int i = 0; i < IoSelector.MAX_DATAGRAMS_PER_ROUND && !closed; i++) {
            buf.clear();
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) channel.receive(buf);
            } catch (IOException e) {
                if (closed || !channel.isOpen()) {
                    return;
                }
                // A receive error on an unconnected UDP socket is transient (e.g. an ICMP error);
                // give up only if it keeps failing, so a broken socket cannot spin forever.
                if (++consecutiveErrors > MAX_CONSECUTIVE_ERRORS) {
                    LOG.warn("{}: giving up after repeated receive errors: {}", local, e.toString());
                    DatagramIo.Registration r = registration;
                    if (r != null) {
                        r.cancel();
                    }
                    return;
                }
                LOG.debug("{}: receive error: {}", local, e.toString());
                continue;
            }
            if (from == null) {
                return; // nothing more for now
            }
            consecutiveErrors = 0;
            handle(buf, buf.position(), from);
        }
    }

    private void handle(ByteBuffer buf, int len, InetSocketAddress from) {
        if (len == 0 || dropAll) {
            return;
        }
        java.util.function.Predicate<InetSocketAddress> filter = acceptFrom;
        if (filter != null && !filter.test(from)) {
            LOG.debug("{}: dropping {} bytes from {} (not a STUN/TURN server)", local, len, from);
            return;
        }
        int first = buf.get(0) & 0xFF;
        if (!isDemultiplexed(first)) {
            droppedNotDemultiplexed.incrementAndGet();
            LOG.debug("{}: dropping a {}-byte datagram with first byte {} from {} (RFC 7983 §7)", local, len,
                    first, from);
            return;
        }
        if (first <= 3 && len > MAX_STUN_DATAGRAM) {
            droppedStun.incrementAndGet();
            LOG.debug("{}: dropping a {}-byte STUN-range datagram from {}", local, len, from);
            return;
        }
        if (first <= 3) {
            // A copy of its own: the STUN queue keeps it until ice4j's reader takes it.
            byte[] data = new byte[len];
            buf.get(0, data, 0, len);
            StunGuard g = guard;
            StunGuard.Verdict v = g == null ? StunGuard.Verdict.PASS : g.check(data, from);
            if (v != StunGuard.Verdict.PASS) {
                droppedUnauthenticated.incrementAndGet();
                LOG.debug("{}: dropping a {}-byte STUN message from {}: {}", local, len, from, v);
                return;
            }
            // RFC 7983 §7: 0..3 is STUN; hand it to ice4j's Connector via receive().
            if (!stunQueue.offer(new Stun(data, from))) {
                droppedStun.incrementAndGet();
                LOG.debug("{}: STUN queue full, dropped {} bytes from {}", local, len, from);
            }
        } else {
            // Into the socket's reused array (I/O thread only): the sink copies what it keeps.
            byte[] data = rxArray;
            if (data.length < len) {
                data = new byte[Math.max(len, RX_ARRAY_MIN)];
                rxArray = data;
            }
            buf.get(0, data, 0, len);
            try {
                sink.deliverBorrowed(this, data, len, from);
            } catch (RuntimeException e) {
                LOG.warn("{}: delivering a datagram failed", local, e);
            }
        }
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

    /** @return sends dropped so far because the kernel send buffer was full */
    long droppedSendBufferFull() {
        return droppedSendBufferFull.get();
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

    /** ice4j's STUN sends (any thread, also pool threads ice4j may interrupt: see the class comment). */
    @Override
    public void send(DatagramPacket p) throws IOException {
        if (closed) {
            throw new SocketException("socket closed");
        }
        send(ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength()), p.getSocketAddress());
    }

    /**
     * Closes the socket: cancels its selector registration and closes the channel (its file
     * descriptor is released once the I/O thread has flushed the key: it is woken, and a caller
     * other than the I/O thread waits for that, at most {@value #RELEASE_WAIT_MS} ms), and wakes
     * ice4j's STUN reader. Idempotent; ice4j calls it when freeing the candidate.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        DatagramIo.Registration r = registration;
        if (r != null) {
            r.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("{}: close failed: {}", local, e.toString());
        }
        stunQueue.clear();
        stunQueue.offer(CLOSED);
        awaitReleased(r);
    }

    /** Most time {@link #close()} waits for the I/O thread to release the port, ms. */
    private static final long RELEASE_WAIT_MS = 1000;

    /**
     * A channel registered with a selector keeps its file descriptor (and port) until the
     * selector's thread has flushed the cancelled key (JDK: DatagramChannelImpl closes it then);
     * the cancel woke that thread, so this is a matter of microseconds. Off the I/O thread,
     * close() waits for it (bounded), so the port is free when close returns, as it was with a
     * reader thread joined on close. On the I/O thread itself it happens after the current task.
     */
    private void awaitReleased(DatagramIo.Registration r) {
        if (r == null || r.thread() == Thread.currentThread()) {
            return;
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(RELEASE_WAIT_MS);
        // Not channel.isRegistered(): the JDK clears it before it closes the descriptor.
        while (!r.released()) {
            if (System.nanoTime() - deadline > 0) {
                LOG.debug("{}: the I/O thread has not released the socket within {} ms", local, RELEASE_WAIT_MS);
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
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
     * Non-null so ice4j treats this wrapper as UDP; ice4j never reads from it directly (it is the
     * channel's adaptor, in non-blocking mode: its send and receive throw; socket options work). It is not
     * ice4j's {@code MultiplexingDatagramSocket}, so the candidate on this socket must be a
     * {@link HostSocketCandidate} (ice4j's own {@code getStunSocket} would throw).
     */
    @Override
    public DatagramSocket getUDPSocket() {
        return adaptor;
    }

    @Override
    public String toString() {
        return "HostSocket[" + local + "]";
    }
}
