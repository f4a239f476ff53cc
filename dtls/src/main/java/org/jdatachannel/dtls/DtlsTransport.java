package org.jdatachannel.dtls;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DTLS 1.2 connection for WebRTC data channels (RFC 8842, RFC 8261), on Bouncy Castle's
 * {@code DTLSClientProtocol}/{@code DTLSServerProtocol} with JCA crypto (the JDK's AES-GCM,
 * ChaCha20-Poly1305, X25519/ECDH and ECDSA; Bouncy Castle's pure-Java ciphers are not used).
 *
 * <p>Profile: DTLS 1.2 only; cipher suites ECDHE_ECDSA (and, for RSA identities, ECDHE_RSA) with
 * AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305 (the JDK's cipher, see {@link JdkTlsCrypto});
 * groups x25519, secp256r1, secp384r1; extended
 * master secret (RFC 7627) offered and required from the peer; secure renegotiation signalled and
 * required from the peer (RFC 5746), renegotiation never performed (a ClientHello or HelloRequest
 * after the handshake is ignored); use_srtp always offered by the client and negotiated by the server when offered
 * (RFC 5764). Both sides present certificates, and each accepts the peer only if the peer
 * certificate matches a fingerprint from the remote description (RFC 8122 §5); certificate chains
 * and CAs are not checked.
 *
 * <p>Threading: {@link #connect} blocks the calling thread until the handshake ends. Afterwards
 * received datagrams are processed either by pull or by push, not both:
 * <ul>
 * <li>pull: one thread at a time may be in {@link #receive} (calls are serialized), which waits on
 *     the lower transport;</li>
 * <li>push: one owner thread (a driver's event loop) calls {@link #drainPending} once and then
 *     {@link #handleDatagram} for every datagram the lower transport delivers (for example through
 *     {@link PacketTransport#setReceiver}); nothing waits, and {@link #receive} is refused.</li>
 * </ul>
 * Other threads may call {@link #send} (sends are serialized by Bouncy Castle) and {@link #close}.
 *
 * <p>Ownership: the {@link PacketTransport} stays owned by the caller; this class never closes it.
 */
public final class DtlsTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DtlsTransport.class);

    /**
     * Largest handshake datagram we send (bytes): 1280 (IPv6 minimum MTU) - 40 (IPv6) - 8 (UDP).
     * Bouncy Castle fragments handshake messages to fit (RFC 6347 §4.2.3).
     */
    public static final int HANDSHAKE_MTU = 1232;

    /**
     * Largest datagram we receive or (after the handshake) send, in bytes: a full 2^14-byte DTLS
     * record plus header and cipher expansion. Keep SCTP packets at about 1191 bytes so datagrams
     * stay within {@link #HANDSHAKE_MTU}; larger ones rely on IP fragmentation.
     */
    public static final int MAX_DATAGRAM_SIZE = (1 << 14) + 512;

    /** Initial handshake retransmission timeout (RFC 6347 §4.2.4.1: "1 second"), doubled per retransmit. */
    static final int DEFAULT_RETRANSMIT_MS = 1000;

    private final DTLSTransport bc;
    private final DemuxTransport demux;
    private final PeerSupport support;
    private final DtlsRole role;
    private final Object receiveLock = new Object();
    private final byte[] receiveBuffer;
    private volatile boolean closed;
    /** Set by the push owner thread at its first {@link #drainPending} or {@link #handleDatagram}. */
    private volatile boolean push;
    /** Push owner thread only: whether {@link #drainPending} has run. */
    private boolean drained;

    private DtlsTransport(DTLSTransport bc, DemuxTransport demux, PeerSupport support, DtlsRole role)
            throws IOException {
        this.bc = bc;
        this.demux = demux;
        this.support = support;
        this.role = role;
        this.receiveBuffer = new byte[Math.max(bc.getReceiveLimit(), 1)];
    }

    /**
     * Runs a DTLS 1.2 handshake over {@code lower} and returns the established connection.
     *
     * <p>Blocks the calling thread for at most about {@code handshakeTimeoutMs}. To abort earlier,
     * close {@code lower} from another thread (the handshake then fails with a DtlsException).
     * Handshake flights are retransmitted from 1 s, doubling (RFC 6347 §4.2.4). Once this returns,
     * keep a thread in {@link #receive}: the peer may still retransmit its last flight if ours was
     * lost, and only a receiving transport answers it (RFC 6347 §4.2.4, final flight).
     *
     * @param role {@link DtlsRole#CLIENT} for {@code a=setup:active}, {@link DtlsRole#SERVER} for
     *     {@code a=setup:passive}
     * @param lower the datagram transport (ICE); not closed by this class
     * @param local our certificate, whose fingerprint we put in our description
     * @param remoteFingerprints fingerprints from the remote description: hash function name as in
     *     SDP ({@code "sha-256"}, case-insensitive; sha-1/224/256/384/512 are checked, others
     *     ignored) → digest bytes. The peer certificate must match at least one checked entry; an
     *     empty map (or one with only unknown hashes) makes the handshake fail.
     * @param handshakeTimeoutMs overall handshake time limit in milliseconds, &gt; 0
     * @return the connection, ready for {@link #send} and {@link #receive}
     * @throws DtlsException on timeout, a fatal alert (sent or received), a peer certificate that
     *     does not match {@code remoteFingerprints}, a peer outside our profile (no extended
     *     master secret, no secure renegotiation signalling, no common AEAD ECDHE suite or group),
     *     or a failure of {@code lower}; {@link DtlsException#reason()} says which in plain
     *     words. {@code lower} is left open.
     * @throws IOException never other than as a DtlsException
     * @throws IllegalArgumentException for null arguments, null map keys/values or a
     *     non-positive timeout
     */
    public static DtlsTransport connect(DtlsRole role, PacketTransport lower, DtlsCertificate local,
            Map<String, byte[]> remoteFingerprints, int handshakeTimeoutMs) throws IOException {
        return connect(role, lower, local, remoteFingerprints, handshakeTimeoutMs, DEFAULT_RETRANSMIT_MS, 0, null);
    }

    /**
     * As {@link #connect(DtlsRole, PacketTransport, DtlsCertificate, Map, int)}, but the remote
     * fingerprints are a list of (hash function name, digest) pairs, so that one hash function may
     * carry several digests. RFC 8122 §5 (paraphrased): a media section may carry several
     * fingerprint attributes, for several hash functions or for several certificates of which the
     * peer may present any; so several sha-256 entries are possible. The peer certificate must
     * match at least one checked entry.
     *
     * @param remoteFingerprints entries in description order: hash name ({@code "sha-256"},
     *     case-insensitive) → digest bytes; duplicates of a hash name allowed
     * @throws IllegalArgumentException for null arguments, null entries, keys or values, or a
     *     non-positive timeout
     * @throws IOException as for the Map variant (a DtlsException)
     */
    public static DtlsTransport connect(DtlsRole role, PacketTransport lower, DtlsCertificate local,
            List<Map.Entry<String, byte[]>> remoteFingerprints, int handshakeTimeoutMs) throws IOException {
        return connectChecked(role, lower, local, remoteFingerprints, handshakeTimeoutMs, DEFAULT_RETRANSMIT_MS, 0,
                null);
    }

    /**
     * A locally raised alert in plain words: Bouncy Castle's detail text when it has one (the
     * part after "name(n); "), else the alert's meaning.
     */
    static String readable(TlsFatalAlert e) {
        short alert = e.getAlertDescription();
        String msg = e.getMessage();
        String prefix = AlertDescription.getText(alert) + "; ";
        String detail = msg != null && msg.startsWith(prefix) ? msg.substring(prefix.length()) : null;
        if (detail != null && detail.contains("Extended Master Secret")) {
            // Bouncy Castle's client check (RFC 7627 §5.2); there is no callback before it.
            return PeerSupport.EMS_MISSING;
        }
        String meaning = DtlsException.describeAlert(alert, false);
        return detail != null ? meaning + " (" + detail + ")" : meaning;
    }

    private static List<Map.Entry<String, byte[]>> entries(Map<String, byte[]> m) {
        return m == null ? null : new ArrayList<>(m.entrySet());
    }

    /** Test variant: default cipher suites. */
    static DtlsTransport connect(DtlsRole role, PacketTransport lower, DtlsCertificate local,
            Map<String, byte[]> remoteFingerprints, int handshakeTimeoutMs, int retransmitMs,
            int clientPaddingBytes) throws IOException {
        return connect(role, lower, local, remoteFingerprints, handshakeTimeoutMs, retransmitMs, clientPaddingBytes,
                null);
    }

    /**
     * As {@link #connect(DtlsRole, PacketTransport, DtlsCertificate, Map, int)}, with test knobs.
     *
     * @param retransmitMs initial handshake retransmission timeout, ms, &gt; 0
     * @param clientPaddingBytes client only: RFC 7685 padding added to the ClientHello, 0 for none
     * @param clientSuites client only: cipher suites to offer instead of the default list, or null
     */
    static DtlsTransport connect(DtlsRole role, PacketTransport lower, DtlsCertificate local,
            Map<String, byte[]> remoteFingerprints, int handshakeTimeoutMs, int retransmitMs,
            int clientPaddingBytes, int[] clientSuites) throws IOException {
        return connectChecked(role, lower, local, entries(remoteFingerprints), handshakeTimeoutMs, retransmitMs,
                new PeerSupport.Knobs(clientPaddingBytes, clientSuites, true));
    }

    private static DtlsTransport connectChecked(DtlsRole role, PacketTransport lower, DtlsCertificate local,
            List<Map.Entry<String, byte[]>> remoteFingerprints, int handshakeTimeoutMs, int retransmitMs,
            int clientPaddingBytes, int[] clientSuites) throws IOException {
        return connectChecked(role, lower, local, remoteFingerprints, handshakeTimeoutMs, retransmitMs,
                new PeerSupport.Knobs(clientPaddingBytes, clientSuites, true));
    }

    /** Test variant with all knobs. */
    static DtlsTransport connect(DtlsRole role, PacketTransport lower, DtlsCertificate local,
            Map<String, byte[]> remoteFingerprints, int handshakeTimeoutMs, int retransmitMs,
            PeerSupport.Knobs knobs) throws IOException {
        return connectChecked(role, lower, local, entries(remoteFingerprints), handshakeTimeoutMs, retransmitMs,
                knobs);
    }

    private static DtlsTransport connectChecked(DtlsRole role, PacketTransport lower, DtlsCertificate local,
            List<Map.Entry<String, byte[]>> remoteFingerprints, int handshakeTimeoutMs, int retransmitMs,
            PeerSupport.Knobs knobs) throws IOException {
        if (role == null || lower == null || local == null || remoteFingerprints == null) {
            throw new IllegalArgumentException("role, lower, local and remoteFingerprints must not be null");
        }
        if (handshakeTimeoutMs <= 0) {
            throw new IllegalArgumentException("handshakeTimeoutMs must be > 0, was " + handshakeTimeoutMs);
        }
        if (retransmitMs <= 0) {
            throw new IllegalArgumentException("retransmitMs must be > 0, was " + retransmitMs);
        }
        List<Map.Entry<String, byte[]>> fps = new ArrayList<>(remoteFingerprints.size());
        for (Map.Entry<String, byte[]> e : remoteFingerprints) {
            if (e == null || e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("remoteFingerprints must not contain null entries, keys or values");
            }
            fps.add(Map.entry(e.getKey().toLowerCase(Locale.ROOT), e.getValue().clone()));
        }
        String name = "dtls-" + role.name().toLowerCase(Locale.ROOT);
        JcaTlsCrypto crypto = JdkTlsCrypto.create();
        PeerSupport support = new PeerSupport(crypto, local, fps, handshakeTimeoutMs, retransmitMs, name, knobs);
        DemuxTransport demux = new DemuxTransport(lower, name, role == DtlsRole.SERVER, knobs.cveGuard());
        NextEpochBuffer early = new NextEpochBuffer(demux, name);
        FlightPacker packer = new FlightPacker(early, knobs.packFlights());
        DTLSTransport bc;
        boolean ok = false;
        try {
            if (role == DtlsRole.CLIENT) {
                bc = new DTLSClientProtocol().connect(
                        new WebRtcDtlsClient(support, knobs.clientPaddingBytes(), knobs.clientSuites()), packer);
            } else {
                // No DTLSVerifier (HelloVerifyRequest, RFC 6347 §4.2.1) in front: it cannot
                // reassemble a ClientHello fragmented over several datagrams, which browsers send.
                // The cookie exchange only proves the client's address, which ICE connectivity
                // checks on this candidate pair have already done.
                bc = new DTLSServerProtocol().accept(new WebRtcDtlsServer(support), packer);
            }
            ok = true;
        } catch (TlsTimeoutException e) {
            throw DtlsException.of(name, "handshake timed out after " + handshakeTimeoutMs + " ms", e,
                    DtlsException.NO_ALERT, false);
        } catch (TlsFatalAlertReceived e) {
            short alert = e.getAlertDescription();
            throw DtlsException.of(name, "handshake failed: peer sent fatal alert "
                    + DtlsException.describeAlert(alert, true), e, alert, true);
        } catch (TlsFatalAlert e) {
            short alert = e.getAlertDescription();
            String reason = support.rejectReason != null ? support.rejectReason : readable(e);
            throw DtlsException.of(name, "handshake failed: " + reason + " (we sent alert "
                    + AlertDescription.getName(alert) + ")", e, alert, false);
        } catch (DtlsException e) {
            throw e;
        } catch (java.io.EOFException e) {
            // Bouncy Castle 1.84 parses a reassembled message from a stream and reports a length
            // field that runs past the end of the message (e.g. a certificate length) as the end
            // of that stream; RFC 5246 §7.2.2 calls this decode_error: "A message could not be
            // decoded because some field was out of the specified range or the length of the
            // message was incorrect."
            throw DtlsException.of(name, "handshake failed: malformed handshake message (decode_error: a length"
                    + " field runs past the end of its message)", e, DtlsException.NO_ALERT, false);
        } catch (IOException e) {
            throw DtlsException.of(name, "handshake failed: " + e, e, DtlsException.NO_ALERT, false);
        } finally {
            if (!ok) {
                packer.close(); // sends a fatal alert still held, then closes the demux
            }
        }
        try {
            packer.handshakeDone(); // our final flight, if we sent the last one
        } catch (IOException e) {
            // Lost like a dropped datagram: the peer retransmits and Bouncy Castle answers.
            LOG.debug("{}: sending the final flight: {}", name, e.toString());
        }
        demux.handshakeDone();
        early.handshakeDone();
        DtlsTransport t = new DtlsTransport(bc, demux, support, role);
        LOG.info("{}: connected, {}", name, PeerSupport.suiteName(support.cipherSuite));
        return t;
    }

    /**
     * Sends one datagram of application data (one SCTP packet) as one DTLS record.
     *
     * @param buf data
     * @param off offset in {@code buf}
     * @param len length in bytes, 0..{@link #getSendLimit()}
     * @throws IllegalArgumentException on bad bounds or {@code len > getSendLimit()}
     * @throws IOException if the transport is closed or the lower transport failed
     */
    public void send(byte[] buf, int off, int len) throws IOException {
        checkBounds(buf, off, len);
        int limit = getSendLimit();
        if (len > limit) {
            throw new IllegalArgumentException("len " + len + " exceeds the DTLS send limit " + limit);
        }
        if (closed || demux.isClosed()) {
            throw new IOException(support.name + ": DTLS transport is closed");
        }
        if (len == 0) {
            return;
        }
        try {
            bc.send(buf, off, len);
        } catch (TlsFatalAlert e) {
            throw DtlsException.of(support.name, "send failed: " + readable(e), e, e.getAlertDescription(), false);
        }
    }

    /**
     * Receives one datagram of application data.
     *
     * @param buf destination; should have room for {@link #getReceiveLimit()} bytes. A record
     *     longer than {@code len} is dropped with a warning (never truncated).
     * @param off offset in {@code buf}
     * @param len room in {@code buf}
     * @param waitMillis maximum wait in milliseconds; 0 waits until data arrives or the
     *     connection ends
     * @return the number of bytes received, or -1 if nothing arrived within {@code waitMillis}
     * @throws DtlsException when the peer closed the connection (close_notify, alert 0) or sent a
     *     fatal alert; {@link DtlsException#alertDescription()} tells which
     * @throws IOException when this transport was closed, or the lower transport failed
     * @throws IllegalArgumentException on bad bounds or negative {@code waitMillis}
     */
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        checkBounds(buf, off, len);
        if (waitMillis < 0) {
            throw new IllegalArgumentException("waitMillis must be >= 0, was " + waitMillis);
        }
        if (push) {
            throw new IllegalStateException(support.name + ": receive() after push receive started"
                    + " (handleDatagram/drainPending)");
        }
        synchronized (receiveLock) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            int wait = waitMillis;
            while (true) {
                checkPeerClosed();
                if (closed) {
                    throw new IOException(support.name + ": DTLS transport is closed");
                }
                int n;
                try {
                    n = bc.receive(receiveBuffer, 0, receiveBuffer.length, wait);
                } catch (TlsFatalAlertReceived e) {
                    throw DtlsException.of(support.name, "peer sent fatal alert "
                            + DtlsException.describeAlert(e.getAlertDescription(), true), e, e.getAlertDescription(),
                            true);
                } catch (TlsFatalAlert e) {
                    throw DtlsException.of(support.name, "connection failed: " + readable(e) + " (we sent alert "
                            + AlertDescription.getName(e.getAlertDescription()) + ")", e, e.getAlertDescription(),
                            false);
                } catch (IOException e) {
                    checkPeerClosed();
                    if (closed) {
                        throw new IOException(support.name + ": DTLS transport is closed", e);
                    }
                    throw e;
                }
                if (n < 0) {
                    checkPeerClosed();
                    if (waitMillis == 0) {
                        continue;
                    }
                    return -1;
                }
                if (n <= len) {
                    System.arraycopy(receiveBuffer, 0, buf, off, n);
                    return n;
                }
                LOG.warn("{}: dropped {}-byte record: receive buffer has room for {}", support.name, n, len);
                if (waitMillis != 0) {
                    long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (remaining < 1) {
                        return -1;
                    }
                    wait = (int) remaining;
                }
            }
        }
    }

    /**
     * Takes decrypted application data in push mode. {@code buf} holds one record's plaintext (one
     * SCTP packet) at {@code off..off+len-1}; it is valid only during the call (the transport reuses
     * it), so copy what must be kept. Called on the thread that called {@link #handleDatagram} or
     * {@link #drainPending}, which must not be called again from inside it.
     */
    @FunctionalInterface
    public interface ApplicationDataSink {
        /**
         * @param buf the plaintext, valid only during the call
         * @param off offset in {@code buf}
         * @param len length in bytes, 0..{@link #getReceiveLimit()}
         */
        void onApplicationData(byte[] buf, int off, int len);
    }

    /**
     * Push receive: hands over the application data that arrived before push mode started and is
     * already held here (records after the peer's Finished in the same datagram, and datagrams of
     * the new epoch held back during the handshake; RFC 6347 §4.1 allows several records per
     * datagram), oldest first. Call it once, on the push owner thread, after {@link #connect}
     * returned and before the lower transport starts pushing (see
     * {@link PacketTransport#setReceiver}); {@link #handleDatagram} calls it itself the first
     * time if it was not called. Never blocks; later calls hand over nothing.
     *
     * @param sink receives each application-data record, on this thread
     * @throws DtlsException when the peer closed the connection (close_notify) or sent a fatal
     *     alert, as {@link #receive} would
     * @throws IOException when this transport was closed
     * @throws IllegalArgumentException if {@code sink} is null
     */
    public void drainPending(ApplicationDataSink sink) throws IOException {
        if (sink == null) {
            throw new IllegalArgumentException("sink must not be null");
        }
        push = true;
        if (drained) {
            return;
        }
        drained = true;
        demux.startPush();
        checkPeerClosed();
        if (closed) {
            throw new IOException(support.name + ": DTLS transport is closed");
        }
        // Bouncy Castle first returns what its record queue still holds, then asks the transport
        // below, where NextEpochBuffer returns the datagrams it held; the demux (nothing pushed)
        // then ends the call. Full receive limit here: held datagrams may be up to 16.9 KB.
        processPushed(sink, true);
    }

    /**
     * Push receive: processes one datagram from the lower transport, on the push owner thread (the
     * same thread every time; not thread-safe), after {@link #connect} returned.
     *
     * <p>Applies the RFC 7983 §7 demultiplexing ({@code "19 < B < 64 --> forward to DTLS"}) and the
     * record guard of the handshake, as {@link #receive} does (a dropped datagram is counted in
     * {@link #droppedNonDtlsDatagrams()} or {@link #droppedMalformedDatagrams()}), then lets Bouncy
     * Castle process every record of the datagram (RFC 6347 §4.1.1: "Multiple DTLS records may be
     * placed in a single datagram"), in order: {@code sink} gets each application-data record;
     * a retransmitted final flight of the peer is answered (RFC 6347 §4.2.4), records that fail
     * authentication or replay checks are dropped silently (RFC 6347 §4.1.2.7). Never blocks.
     * Datagrams shorter than a 13-byte record header are dropped without being counted (Bouncy
     * Castle would drop them too).
     *
     * <p>Bouncy Castle allocates a buffer of the datagram's size per call (not 16.9 KB as
     * with {@link #receive}); {@code buf} is not kept after the call.
     *
     * @param buf the datagram
     * @param off offset in {@code buf}
     * @param len datagram length in bytes
     * @param sink receives each application-data record, on this thread, before this returns
     * @throws DtlsException when the peer closed the connection (close_notify, after the sink got
     *     the records before it) or sent a fatal alert, or Bouncy Castle raised one; also on every
     *     later call. {@link DtlsException#alertDescription()} tells which.
     * @throws IOException when this transport was closed
     * @throws IllegalArgumentException on bad bounds or a null sink
     */
    public void handleDatagram(byte[] buf, int off, int len, ApplicationDataSink sink) throws IOException {
        checkBounds(buf, off, len);
        if (sink == null) {
            throw new IllegalArgumentException("sink must not be null");
        }
        if (!drained) {
            drainPending(sink);
        }
        checkPeerClosed();
        if (closed || demux.isClosed()) {
            // Also after a fatal alert we raised: Bouncy Castle then closed the transport below,
            // and nothing more may be decrypted (RFC 5246 §7.2.2: the connection is over).
            throw new IOException(support.name + ": DTLS transport is closed");
        }
        if (len < RecordHeader.LENGTH || !demux.admit(buf, off, len)) {
            return;
        }
        demux.push(buf, off, len);
        try {
            processPushed(sink, false);
        } finally {
            demux.endPush();
        }
    }

    /**
     * Lets Bouncy Castle read until the demux has nothing more to give; push owner thread.
     *
     * @param drain true to read also what lies below Bouncy Castle (NextEpochBuffer's held
     *     datagrams), false to stop once the pushed datagram and the record queue are done
     */
    private void processPushed(ApplicationDataSink sink, boolean drain) throws IOException {
        try {
            while (true) {
                int n;
                try {
                    // Returns the first application-data record, reading the record queue first
                    // and then the transport; the demux ends the call when it has nothing more.
                    n = bc.receive(receiveBuffer, 0, receiveBuffer.length, 0);
                } catch (DemuxTransport.NoDatagram e) {
                    break; // every record processed
                }
                while (n >= 0) {
                    sink.onApplicationData(receiveBuffer, 0, n);
                    // More records of the same datagram wait in Bouncy Castle's record queue; -1
                    // means it is empty (receive() would allocate a new record buffer per call).
                    n = bc.receivePending(receiveBuffer, 0, receiveBuffer.length);
                }
                if (!drain && !demux.hasPushed()) {
                    break;
                }
            }
        } catch (TlsFatalAlertReceived e) {
            throw DtlsException.of(support.name, "peer sent fatal alert "
                    + DtlsException.describeAlert(e.getAlertDescription(), true), e, e.getAlertDescription(), true);
        } catch (TlsFatalAlert e) {
            throw DtlsException.of(support.name, "connection failed: " + readable(e) + " (we sent alert "
                    + AlertDescription.getName(e.getAlertDescription()) + ")", e, e.getAlertDescription(), false);
        } catch (IOException e) {
            checkPeerClosed();
            if (closed) {
                throw new IOException(support.name + ": DTLS transport is closed", e);
            }
            throw e;
        }
        checkPeerClosed();
    }

    private static void checkBounds(byte[] buf, int off, int len) {
        if (buf == null) {
            throw new IllegalArgumentException("buf must not be null");
        }
        if (off < 0 || len < 0 || off > buf.length - len) {
            throw new IllegalArgumentException("off " + off + " and len " + len + " do not fit a buffer of "
                    + buf.length + " bytes");
        }
    }

    private void checkPeerClosed() throws DtlsException {
        int alert = support.receivedAlert;
        if (alert >= 0) {
            if (alert == AlertDescription.close_notify && !support.receivedAlertFatal) {
                throw DtlsException.of(support.name, "peer closed the connection (close_notify)", null, alert, true);
            }
            throw DtlsException.of(support.name, "peer sent fatal alert " + DtlsException.describeAlert(alert, true),
                    null, alert, true);
        }
    }

    /**
     * @return the largest {@code len} {@link #send} accepts, in bytes (the DTLS plaintext limit,
     *     2^14 with the usual cipher suites)
     */
    public int getSendLimit() {
        try {
            return bc.getSendLimit();
        } catch (IOException e) {
            return 0;
        }
    }

    /** @return the largest application datagram {@link #receive} can return, in bytes */
    public int getReceiveLimit() {
        return receiveBuffer.length;
    }

    /**
     * Sends close_notify (RFC 5246 §7.2.1) and stops using the lower transport. Idempotent; a
     * thread blocked in {@link #receive} gets an IOException soon after.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            bc.close();
        } catch (IOException e) {
            LOG.debug("{}: close: {}", support.name, e.toString());
        }
        demux.close();
    }

    /** @return our handshake role */
    public DtlsRole role() {
        return role;
    }

    /** @return the negotiated cipher suite's IANA name, e.g. {@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256} */
    public String cipherSuite() {
        return PeerSupport.suiteName(support.cipherSuite);
    }

    /**
     * @return the negotiated use_srtp protection profile (RFC 5764 §4.1.2 value, e.g. 0x0007 for
     *     SRTP_AEAD_AES_128_GCM), or -1 when use_srtp was not negotiated
     */
    public int srtpProtectionProfile() {
        return support.srtpProfile;
    }

    /** @return whether the extended master secret (RFC 7627) was negotiated */
    public boolean extendedMasterSecret() {
        return support.extendedMasterSecret;
    }

    /**
     * Checks this session's peer certificate against the fingerprints of a later description (a
     * re-offer or re-answer), with the same rule the handshake applied to the first description
     * (RFC 8122 §5: several fingerprints may describe one certificate, under several hash
     * functions). A description that lists the same certificate differently therefore matches.
     * Thread-safe.
     *
     * @param remoteFingerprints entries in description order: hash name ({@code "sha-256"},
     *     case-insensitive) → digest bytes; duplicates of a hash name allowed
     * @return null when the peer certificate matches, otherwise a message saying why not
     * @throws IllegalArgumentException if the list or an entry, key or value is null
     */
    public String verifyPeerFingerprints(List<Map.Entry<String, byte[]>> remoteFingerprints) {
        if (remoteFingerprints == null) {
            throw new IllegalArgumentException("remoteFingerprints must not be null");
        }
        for (Map.Entry<String, byte[]> e : remoteFingerprints) {
            if (e == null || e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("remoteFingerprints holds a null entry, hash name or digest");
            }
        }
        return Fingerprints.verify(support.peerCertificate, remoteFingerprints);
    }

    /** @return the peer's certificate, already verified against the remote fingerprints */
    public X509Certificate peerCertificate() {
        try {
            return DtlsCertificate.parse(support.peerCertificate);
        } catch (CertificateException e) {
            throw new IllegalStateException("peer certificate no longer parses", e);
        }
    }

    /** @return datagrams dropped so far because their first byte was not 20..63 (RFC 7983) */
    public long droppedNonDtlsDatagrams() {
        return demux.droppedNonDtls();
    }

    /** @return DTLS datagrams dropped so far by the malformed-handshake-record guard */
    public long droppedMalformedDatagrams() {
        return demux.droppedMalformed();
    }

    @Override
    public String toString() {
        return "DtlsTransport[" + role + ", " + cipherSuite() + (closed ? ", closed" : "") + "]";
    }
}
