package org.jdatachannel.dtls;

import java.io.IOException;

import org.bouncycastle.tls.DatagramTransport;

/**
 * Test-only door from {@code org.jdatachannel.dtls.fuzz} to the package-private filter, demux and
 * handshake knobs the fuzz targets drive. Not part of the module's API (test scope only).
 */
public final class FuzzAccess {

    private FuzzAccess() {
    }

    /** {@link DtlsRecordFilter#MAX_HANDSHAKE_MESSAGE_LENGTH}, bytes. */
    public static final int MAX_HANDSHAKE_MESSAGE_LENGTH = DtlsRecordFilter.MAX_HANDSHAKE_MESSAGE_LENGTH;

    /** {@link DtlsRecordFilter#check}: null to pass, else the reason to drop. */
    public static String check(byte[] buf, int off, int len) {
        return DtlsRecordFilter.check(buf, off, len);
    }

    /** A fresh per-connection guard state for {@link #check(byte[], int, int, Object)}. */
    public static Object newGuardState() {
        return new DtlsRecordFilter.GuardState();
    }

    /** {@link DtlsRecordFilter#check(byte[], int, int, DtlsRecordFilter.GuardState)}, as a demux runs it. */
    public static String check(byte[] buf, int off, int len, Object guardState) {
        return DtlsRecordFilter.check(buf, off, len, (DtlsRecordFilter.GuardState) guardState);
    }

    /** {@link DtlsRecordFilter#isDtls}. */
    public static boolean isDtls(byte[] buf, int off, int len) {
        return DtlsRecordFilter.isDtls(buf, off, len);
    }

    /** {@link DtlsRecordFilter#scanForChangeCipherSpec}: {certificateVerifySeen, prematureChangeCipherSpec}. */
    public static boolean[] scanForChangeCipherSpec(byte[] buf, int off, int len, boolean certificateVerifySeen) {
        DtlsRecordFilter.CcsScan s = DtlsRecordFilter.scanForChangeCipherSpec(buf, off, len, certificateVerifySeen);
        return new boolean[] {s.certificateVerifySeen(), s.prematureChangeCipherSpec()};
    }

    /** A {@link DemuxTransport} over {@code lower}, as Bouncy Castle sees it. */
    public static DatagramTransport demux(PacketTransport lower, boolean server) {
        return new DemuxTransport(lower, "fuzz", server);
    }

    /** Marks the demux's handshake done (it then no longer drops early ChangeCipherSpecs). */
    public static void handshakeDone(DatagramTransport demux) {
        ((DemuxTransport) demux).handshakeDone();
    }

    /** Datagrams the demux dropped as not DTLS (RFC 7983). */
    public static long droppedNonDtls(DatagramTransport demux) {
        return ((DemuxTransport) demux).droppedNonDtls();
    }

    /** Datagrams the demux dropped as malformed DTLS (the CVE guard). */
    public static long droppedMalformed(DatagramTransport demux) {
        return ((DemuxTransport) demux).droppedMalformed();
    }

    /**
     * A handshake in {@code role} over {@code lower} with the test certificates and a 1 s initial
     * retransmission timeout.
     *
     * @throws IOException a DtlsException when it fails, as {@link DtlsTransport#connect} documents
     */
    public static DtlsTransport connect(DtlsRole role, PacketTransport lower, int handshakeTimeoutMs)
            throws IOException {
        return DtlsTransport.connect(role, lower, TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), handshakeTimeoutMs,
                1000, 0);
    }

    /** As {@link #connect}, with the CVE guard of this connection's demux off (only the first-byte demux). */
    public static DtlsTransport connectWithoutCveGuard(DtlsRole role, PacketTransport lower, int handshakeTimeoutMs)
            throws IOException {
        return DtlsTransport.connect(role, lower, TestCerts.EC_B, TestCerts.fp(TestCerts.EC_A), handshakeTimeoutMs,
                1000, new PeerSupport.Knobs(0, null, true, true, false));
    }

    /**
     * Runs one clean handshake over a {@link MemoryLink} and returns what each side sent, for fuzz
     * seeds: element 0 the client's datagrams, element 1 the server's. The client presents
     * {@code clientCert}, the server {@code serverCert}; each expects the other's fingerprint.
     */
    public static java.util.List<java.util.List<byte[]>> recordHandshake(DtlsCertificate clientCert,
            DtlsCertificate serverCert) throws Exception {
        MemoryLink link = new MemoryLink();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<DtlsTransport> s = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER,
                    link.b, serverCert, TestCerts.fp(clientCert), 60_000, 1000, 0));
            java.util.concurrent.Future<DtlsTransport> c = pool.submit(() -> DtlsTransport.connect(DtlsRole.CLIENT,
                    link.a, clientCert, TestCerts.fp(serverCert), 60_000, 1000, 0));
            // Generous: with Bouncy Castle instrumented by Jazzer on a loaded machine a handshake
            // took over 20 s.
            DtlsTransport ct = c.get(120, java.util.concurrent.TimeUnit.SECONDS);
            DtlsTransport st = s.get(120, java.util.concurrent.TimeUnit.SECONDS);
            byte[] msg = {1, 2, 3};
            ct.send(msg, 0, msg.length);
            st.receive(new byte[st.getReceiveLimit()], 0, st.getReceiveLimit(), 30_000);
            ct.close();
            st.close();
            return java.util.List.of(java.util.List.copyOf(link.a.sent), java.util.List.copyOf(link.b.sent));
        } finally {
            pool.shutdownNow();
        }
    }

    /** The test certificates: 0 = TestCerts.EC_A (the one {@link #connect} expects of its peer), 1 = EC_B (its own). */
    public static DtlsCertificate testCertificate(int i) {
        return i == 0 ? TestCerts.EC_A : TestCerts.EC_B;
    }

    /** CveHeapGuardTest's hostile datagrams for the message_seq window starting at {@code firstSeq}. */
    public static java.util.List<byte[]> hostileDatagrams(int firstSeq) {
        return CveHeapGuardTest.hostileDatagrams(firstSeq);
    }

    /** The captured ClientHello datagrams of {@code browser} ("chromium-156", "firefox-esr-153"). */
    public static java.util.List<byte[]> capturedClientHello(String browser) throws IOException {
        return CapturedClientHelloTest.captured(browser);
    }
}
