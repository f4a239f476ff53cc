package org.jdatachannel.dtls;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.tls.DatagramTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bouncy Castle's view of the {@link PacketTransport}: drops non-DTLS datagrams (RFC 7983 §7) and
 * malformed handshake records ({@link DtlsRecordFilter}) before Bouncy Castle parses them, and
 * tells it how large datagrams may be.
 *
 * <p>It never closes the lower transport: that belongs to the caller (the ICE agent). Closing this
 * wrapper (Bouncy Castle does so on close_notify, fatal alerts and {@code close()}) only stops its
 * use. Blocking receive uses the JDK monotonic clock to keep the caller's wait bound while it drops
 * datagrams; this is the I/O adapter, not protocol state.
 *
 * <p>Thread-safety: one receiving thread plus any number of sending threads.
 */
final class DemuxTransport implements DatagramTransport {

    private static final Logger LOG = LoggerFactory.getLogger(DemuxTransport.class);

    /** A wait of 0 means "forever" to Bouncy Castle; we poll the lower transport in slices of this. */
    private static final int POLL_SLICE_MS = 500;

    /** Malformed datagrams logged at WARN per connection; the rest at DEBUG. */
    private static final int MAX_WARNINGS = 10;

    private final PacketTransport lower;
    private final String name;
    private final boolean server;
    private final boolean cveGuard;
    /** Receiving thread only: what accepted datagrams carried of the client's CertificateVerify. */
    private DtlsRecordFilter.CcsScan certificateVerify = DtlsRecordFilter.CcsScan.NONE;
    /** Receiving thread only. */
    private final DtlsRecordFilter.GuardState guardState = new DtlsRecordFilter.GuardState();
    private volatile boolean closed;
    private volatile boolean handshakeDone;
    private final AtomicLong droppedNonDtls = new AtomicLong();
    private final AtomicLong droppedMalformed = new AtomicLong();

    /**
     * @param server true for the DTLS server role, which also drops a ChangeCipherSpec that
     *     overtakes a lost CertificateVerify during the handshake
     */
    DemuxTransport(PacketTransport lower, String name, boolean server) {
        this(lower, name, server, true);
    }

    /**
     * @param cveGuard false only in tests ({@link PeerSupport.Knobs#cveGuard}): skip the
     *     handshake-record checks of {@link DtlsRecordFilter#check} and only demultiplex by the
     *     first byte
     */
    DemuxTransport(PacketTransport lower, String name, boolean server, boolean cveGuard) {
        this.lower = lower;
        this.name = name;
        this.server = server;
        this.cveGuard = cveGuard;
    }

    /**
     * Datagrams we accept: one DTLS record of up to 2^14 plaintext bytes plus header and AEAD
     * expansion, or several smaller records.
     */
    @Override
    public int getReceiveLimit() {
        int l = pushLimit;
        return l > 0 ? l : DtlsTransport.MAX_DATAGRAM_SIZE;
    }

    /**
     * During the handshake Bouncy Castle fragments handshake messages to this limit, so flights fit
     * a 1280-byte IPv6 path ({@link DtlsTransport#HANDSHAKE_MTU}); afterwards application records
     * may be as large as the caller makes them, up to the DTLS record limit.
     */
    @Override
    public int getSendLimit() {
        return handshakeDone ? DtlsTransport.MAX_DATAGRAM_SIZE : DtlsTransport.HANDSHAKE_MTU;
    }

    void handshakeDone() {
        handshakeDone = true;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (pushMode) {
            return takePushed(buf, off, len);
        }
        int wait = waitMillis <= 0 ? POLL_SLICE_MS : waitMillis;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
        while (true) {
            if (closed) {
                throw new IOException("DTLS transport closed");
            }
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs < 1) {
                return -1;
            }
            int n = lower.receive(buf, off, len, (int) Math.min(remainingMs, Integer.MAX_VALUE));
            if (n < 0) {
                return -1;
            }
            if (admit(buf, off, n)) {
                return n;
            }
        }
    }

    /**
     * Applies the RFC 7983 demux and the record guard to one received datagram, counts and logs a
     * drop, and records what a passing datagram carried in the guard state. Receiving thread only.
     *
     * @return whether the datagram may go to Bouncy Castle
     */
    boolean admit(byte[] buf, int off, int n) {
        // The guard state is updated only for datagrams handed to Bouncy Castle: one dropped
        // below for its ChangeCipherSpec must not count as having delivered a first fragment.
        String drop = cveGuard ? DtlsRecordFilter.check(buf, off, n, guardState, false)
                : !DtlsRecordFilter.isDtls(buf, off, n) ? "not DTLS (RFC 7983)"
                : DtlsRecordFilter.checkVersions(buf, off, n);
        if (drop == null && server && !handshakeDone) {
            DtlsRecordFilter.CcsScan scan = DtlsRecordFilter.scanForChangeCipherSpec(buf, off, n,
                    certificateVerify);
            if (scan.prematureChangeCipherSpec()) {
                // See DtlsRecordFilter.scanForChangeCipherSpec: the client retransmits it.
                LOG.debug("{}: dropped a datagram whose ChangeCipherSpec overtook the CertificateVerify", name);
                return false;
            }
            certificateVerify = scan;
        }
        if (drop == null) {
            if (cveGuard && DtlsRecordFilter.hasPlaintextHandshake(buf, off, n)) {
                DtlsRecordFilter.check(buf, off, n, guardState, true);
            }
            return true;
        }
        if (DtlsRecordFilter.isDtls(buf, off, n)) {
            // Warn for the first few only: an attacker could otherwise flood the log.
            if (droppedMalformed.incrementAndGet() <= MAX_WARNINGS) {
                LOG.warn("{}: dropped {}-byte datagram: {}", name, n, drop);
            } else {
                LOG.debug("{}: dropped {}-byte datagram: {}", name, n, drop);
            }
        } else {
            droppedNonDtls.incrementAndGet();
            LOG.debug("{}: dropped {}-byte datagram: {}", name, n, drop);
        }
        return false;
    }

    // ---- push mode (DtlsTransport.handleDatagram), owner thread only ----

    /**
     * Thrown to Bouncy Castle by {@link #receive} in push mode when the pushed datagram has been
     * taken: it ends {@code DTLSTransport.receive} at once, without failing the connection (Bouncy
     * Castle 1.84 passes an {@code InterruptedIOException} that is not a
     * {@code SocketTimeoutException} straight up, see DTLSRecordLayer.receiveDatagram and
     * DTLSTransport.receive), and only at the point where it asks for a new datagram, when its
     * record queue is empty. One instance per transport, without a stack trace.
     */
    static final class NoDatagram extends java.io.InterruptedIOException {
        private static final long serialVersionUID = 1L;

        NoDatagram() {
            super("no pushed datagram");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final NoDatagram noDatagram = new NoDatagram();
    /** Owner thread only: set once, when push mode starts. */
    private boolean pushMode;
    private byte[] pushed;
    private int pushedOff;
    private int pushedLen;
    /** Receive limit reported while a datagram is being handled in push mode, 0 for none. */
    private int pushLimit;

    /** Switches to push mode: from now on {@link #receive} never waits on the lower transport. */
    void startPush() {
        pushMode = true;
    }

    /**
     * Makes one admitted datagram the next (and only) one {@link #receive} returns, and the
     * receive limit its length, so that Bouncy Castle (which allocates {@code getReceiveLimit()}
     * bytes for every receive call) allocates about the datagram size rather than 16.9 KiB.
     */
    void push(byte[] buf, int off, int len) {
        pushed = buf;
        pushedOff = off;
        pushedLen = len;
        pushLimit = Math.max(len, RecordHeader.LENGTH);
    }

    /** @return whether a pushed datagram has not been taken by Bouncy Castle yet */
    boolean hasPushed() {
        return pushed != null;
    }

    /** Forgets a pushed datagram not taken and restores the full receive limit. */
    void endPush() {
        pushed = null;
        pushLimit = 0;
    }

    private int takePushed(byte[] buf, int off, int len) throws NoDatagram {
        byte[] d = pushed;
        if (d == null) {
            throw noDatagram;
        }
        pushed = null;
        if (pushedLen > len) {
            // Cannot happen: the limit Bouncy Castle sized its buffer by is the datagram length.
            LOG.debug("{}: dropped a {}-byte datagram: room for {}", name, pushedLen, len);
            throw noDatagram;
        }
        System.arraycopy(d, pushedOff, buf, off, pushedLen);
        return pushedLen;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        lower.send(buf, off, len);
    }

    @Override
    public void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }

    long droppedNonDtls() {
        return droppedNonDtls.get();
    }

    long droppedMalformed() {
        return droppedMalformed.get();
    }
}
