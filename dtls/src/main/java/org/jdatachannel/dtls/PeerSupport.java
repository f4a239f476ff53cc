package org.jdatachannel.dtls;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Vector;
import java.util.stream.IntStream;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What our client and server have in common: the WebRTC profile of DTLS 1.2 (cipher suites,
 * groups, SRTP profiles, signature algorithm choice) and the state a handshake reports back to
 * {@link DtlsTransport}. One instance per connection attempt.
 *
 * <p>{@link WebRtcDtlsClient} and {@link WebRtcDtlsServer} must extend different Bouncy Castle base
 * classes ({@code DefaultTlsClient}, {@code DefaultTlsServer}), so they cannot share a superclass;
 * the settings and checks both roles apply live here and their overrides only forward to it.
 */
final class PeerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(PeerSupport.class);

    /**
     * AEAD suites for an ECDSA certificate, our preference order (what browsers negotiate). Each
     * list is filtered by what the crypto supports.
     */
    static final int[] ECDSA_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    };

    /** AEAD suites for an RSA certificate (older peers with RSA identities). */
    static final int[] RSA_SUITES = {
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    };

    /** ECDHE groups we negotiate, preference order. Post-quantum and other groups are ignored. */
    static final int[] GROUPS = {NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1};

    /**
     * SRTP profiles a client offers (RFC 5764 §4.1.2, RFC 7714 §14.2). Offered although a data
     * channel carries no SRTP: Pion's server refuses a ClientHello without use_srtp.
     */
    static final int[] SRTP_PROFILES = {
        SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM,
        SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80,
    };

    private static final Map<Integer, String> SUITE_NAMES = Map.of(
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    final JcaTlsCrypto crypto;
    final DtlsCertificate local;
    /** (hash name, digest) pairs; a hash name may repeat (RFC 8122 §5). */
    final List<Map.Entry<String, byte[]>> remoteFingerprints;
    final int handshakeTimeoutMs;
    final int retransmitMs;
    final String name;
    final Knobs knobs;

    /** Why we rejected the peer (fingerprint), to become the DtlsException message. */
    volatile String rejectReason;
    /** Peer end-entity certificate, DER, once accepted. */
    volatile byte[] peerCertificate;
    volatile boolean peerCertificateVerified;
    volatile int cipherSuite = -1;
    volatile int srtpProfile = -1;
    volatile boolean extendedMasterSecret;
    /** Alert description of a fatal alert or close_notify the peer sent, or -1. */
    volatile int receivedAlert = -1;
    volatile boolean receivedAlertFatal;

    PeerSupport(JcaTlsCrypto crypto, DtlsCertificate local, List<Map.Entry<String, byte[]>> remoteFingerprints,
            int handshakeTimeoutMs, int retransmitMs, String name) {
        this(crypto, local, remoteFingerprints, handshakeTimeoutMs, retransmitMs, name, Knobs.DEFAULT);
    }

    PeerSupport(JcaTlsCrypto crypto, DtlsCertificate local, List<Map.Entry<String, byte[]>> remoteFingerprints,
            int handshakeTimeoutMs, int retransmitMs, String name, Knobs knobs) {
        this.crypto = crypto;
        this.knobs = knobs;
        this.local = local;
        this.remoteFingerprints = remoteFingerprints;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.retransmitMs = retransmitMs;
        this.name = name;
    }

    int[] groups() {
        return IntStream.of(GROUPS).filter(crypto::hasNamedGroup).toArray();
    }

    /** @return true if {@code set} holds {@code value} (groups, SRTP profiles) */
    static boolean contains(int[] set, int value) {
        return IntStream.of(set).anyMatch(v -> v == value);
    }

    /** @return true if our certificate has an EC key (ECDSA suites, ecdsa_sign), false for RSA */
    boolean hasEcKey() {
        return "EC".equals(local.keyAlgorithm());
    }

    static String suiteName(int suite) {
        String n = SUITE_NAMES.get(suite);
        return n != null ? n : String.format("0x%04X", suite);
    }

    /**
     * Checks the peer's end-entity certificate against the remote SDP fingerprints.
     *
     * <p>RFC 8842 §5 and RFC 8122 §5: the certificate the peer presents in the handshake must match
     * a fingerprint from its description; there is no CA chain to check in WebRTC.
     *
     * @throws TlsFatalAlert bad_certificate (RFC 5246 §7.2.2) on mismatch, missing fingerprint or
     *     missing certificate
     */
    void verifyPeer(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            reject("peer sent no certificate", AlertDescription.bad_certificate);
        }
        TlsCertificate ee = chain.getCertificateAt(0);
        byte[] der = ee.getEncoded();
        String problem = Fingerprints.verify(der, remoteFingerprints);
        if (problem != null) {
            reject(problem, AlertDescription.bad_certificate);
        }
        peerCertificate = der;
        peerCertificateVerified = true;
        LOG.debug("{}: peer certificate matches remote fingerprint", name);
    }

    void reject(String reason, short alert) throws TlsFatalAlert {
        if (rejectReason == null) {
            rejectReason = reason;
        }
        LOG.warn("{}: rejecting peer: {}", name, reason);
        throw new TlsFatalAlert(alert, reason);
    }

    /**
     * Our signing credentials, with a signature algorithm the peer accepts.
     *
     * <p>RFC 5246 §7.4.1.4.1: without the signature_algorithms extension the server must "behave as
     * if client had sent value {sha1,ecdsa}" (or {sha1,rsa} for RSA key exchanges).
     *
     * @param peerSigAlgs the peer's supported_signature_algorithms, null if it sent none
     */
    TlsCredentialedSigner credentials(TlsContext context, Vector<?> peerSigAlgs) throws IOException {
        short sig = "EC".equals(local.keyAlgorithm()) ? SignatureAlgorithm.ecdsa : SignatureAlgorithm.rsa;
        SignatureAndHashAlgorithm chosen = null;
        if (peerSigAlgs == null) {
            chosen = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha1, sig);
        } else {
            for (short hash : new short[] {HashAlgorithm.sha256, HashAlgorithm.sha384, HashAlgorithm.sha512}) {
                SignatureAndHashAlgorithm candidate = SignatureAndHashAlgorithm.getInstance(hash, sig);
                if (peerSigAlgs.contains(candidate)) {
                    chosen = candidate;
                    break;
                }
            }
        }
        if (chosen == null) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure,
                    "peer accepts no SHA-2 signature algorithm for our " + local.keyAlgorithm() + " key");
        }
        TlsCertificate tlsCert = crypto.createCertificate(local.encoded());
        Certificate chain = new Certificate(new TlsCertificate[] {tlsCert});
        return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                local.privateKey(), chain, chosen);
    }

    void alertReceived(short level, short description) {
        boolean fatal = level == org.bouncycastle.tls.AlertLevel.fatal;
        if (fatal || description == AlertDescription.close_notify) {
            receivedAlert = description;
            receivedAlertFatal = fatal;
        }
        if (description == AlertDescription.close_notify) {
            LOG.debug("{}: peer sent close_notify", name);
        } else {
            LOG.info("{}: received {} alert {}", name, fatal ? "fatal" : "warning", AlertDescription.getText(description));
        }
    }

    void alertRaised(short level, short description, String message, Throwable cause) {
        if (description == AlertDescription.close_notify) {
            LOG.debug("{}: sending close_notify", name);
        } else if (level == org.bouncycastle.tls.AlertLevel.fatal) {
            LOG.info("{}: raising fatal alert {}{}", name, AlertDescription.getText(description),
                    message != null ? ": " + message : "", cause);
        } else {
            LOG.debug("{}: raising warning alert {}", name, AlertDescription.getText(description));
        }
    }

    /**
     * Called by both roles from {@code notifyHandshakeComplete}. RFC 8842 §5 and RFC 8122 §5 (see
     * {@link #verifyPeer}): the peer must have presented a certificate matching a remote
     * fingerprint; a handshake that completes without one fails with bad_certificate.
     *
     * @param peerRole "server" or "client", for the alert message
     * @throws TlsFatalAlert bad_certificate if the peer's certificate was not verified
     */
    void handshakeComplete(TlsContext context, String peerRole) throws TlsFatalAlert {
        if (!peerCertificateVerified) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, peerRole + " certificate was not verified");
        }
        handshakeComplete(context);
    }

    private void handshakeComplete(TlsContext context) throws TlsFatalAlert {
        cipherSuite = context.getSecurityParametersConnection().getCipherSuite();
        extendedMasterSecret = context.getSecurityParametersConnection().isExtendedMasterSecret();
        if (!extendedMasterSecret && knobs.extendedMasterSecret()) {
            // Unreachable while requiresExtendedMasterSecret() holds; kept as a last check.
            reject(EMS_MISSING, AlertDescription.handshake_failure);
        }
        LOG.debug("{}: handshake complete, {}, srtp profile {}", name, suiteName(cipherSuite), srtpProfile);
    }

    /** Reason when the peer does not use the extended master secret. */
    static final String EMS_MISSING = "the peer does not support the extended master secret (RFC 7627 "
            + "extended_master_secret extension), which we require";

    /**
     * RFC 7627 §5.2: "If the server receives a ClientHello without the extension, it SHOULD abort
     * the handshake if it does not wish to interoperate with legacy clients." and "If a client
     * receives a ServerHello without the extension, it SHOULD abort the handshake if it does not
     * wish to interoperate with legacy servers." We require it in both roles: every WebRTC
     * stack we meet (Chromium, Firefox, Pion, OpenSSL 1.1+, Bouncy Castle) sends it, and without it
     * the master secret is not bound to the handshake (triple-handshake attack).
     */
    boolean requiresExtendedMasterSecret() {
        return knobs.extendedMasterSecret();
    }

    /** Test knob: false makes this side behave as a legacy peer (neither offers nor requires EMS). */
    boolean shouldUseExtendedMasterSecret() {
        return knobs.extendedMasterSecret();
    }

    /**
     * RFC 5746 §3.4 (client) and §3.6 (server): each side learns from renegotiation_info (or the
     * client's TLS_EMPTY_RENEGOTIATION_INFO_SCSV) whether the peer supports secure renegotiation.
     * §4.1/§4.3 allow terminating the handshake with a peer that does not; we do (as Bouncy
     * Castle's default), since every current stack signals it. Renegotiation itself is never
     * done: see {@link #RENEGOTIATION_POLICY}.
     *
     * @throws TlsFatalAlert handshake_failure when the peer did not signal it
     */
    void notifySecureRenegotiation(boolean secure) throws TlsFatalAlert {
        if (!secure) {
            reject("the peer does not signal secure renegotiation (RFC 5746 renegotiation_info or "
                    + "TLS_EMPTY_RENEGOTIATION_INFO_SCSV), which we require", AlertDescription.handshake_failure);
        }
    }

    /**
     * We never renegotiate. RFC 5246 §7.2.2 describes no_renegotiation as "Sent by the client in
     * response to a hello request or by the server in response to a client hello after initial
     * handshaking"; Bouncy Castle's DTLS record layer instead ignores handshake records after the
     * handshake (apart from answering a retransmission of the peer's final flight), so a new
     * ClientHello or HelloRequest from the peer gets no answer at all, which over an unreliable
     * transport is indistinguishable from loss and leaves the connection as it is
     * (ProfileTest.clientHelloAfterTheHandshakeIsIgnored). The policy is stated for completeness.
     */
    static final int RENEGOTIATION_POLICY = org.bouncycastle.tls.RenegotiationPolicy.DENY;

    /**
     * Server: records a readable reason when no cipher suite can be selected: either the client
     * offers none of our AEAD ECDHE suites, or it supports none of our ECDHE groups.
     *
     * @param offered the client's cipher_suites
     * @param ours the suites we accept
     * @param clientGroups the client's supported_groups, or null if it sent none
     */
    void noCommonCipherSuite(int[] offered, int[] ours, int[] clientGroups) throws TlsFatalAlert {
        boolean suiteInCommon = IntStream.of(offered).anyMatch(x -> contains(ours, x));
        if (suiteInCommon && clientGroups != null && IntStream.of(clientGroups).noneMatch(g -> contains(groups(), g))) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < clientGroups.length && i < 32; i++) {
                b.append(i == 0 ? "" : ", ").append(NamedGroup.getText(clientGroups[i]));
            }
            reject("no common ECDHE group: the peer supports [" + b + "], we implement " + groupNames(),
                    AlertDescription.handshake_failure);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < offered.length && i < 32; i++) {
            b.append(i == 0 ? "" : ", ").append(suiteName(offered[i]));
        }
        if (offered.length > 32) {
            b.append(", ...");
        }
        StringBuilder o = new StringBuilder();
        for (int i = 0; i < ours.length; i++) {
            o.append(i == 0 ? "" : ", ").append(suiteName(ours[i]));
        }
        reject("no common cipher suite: the peer offered [" + b + "], we accept only the AEAD ECDHE suites ["
                + o + "]", AlertDescription.handshake_failure);
    }

    private String groupNames() {
        StringBuilder b = new StringBuilder("[");
        for (int g : groups()) {
            b.append(b.length() > 1 ? ", " : "").append(NamedGroup.getName(g));
        }
        return b.append(']').toString();
    }

    /**
     * Test knobs; {@link #DEFAULT} in production.
     *
     * @param clientPaddingBytes client only: RFC 7685 padding added to the ClientHello, 0 for none
     * @param clientSuites client only: cipher suites to offer instead of ours, or null
     * @param extendedMasterSecret false makes this side a legacy peer without EMS (RFC 7627)
     * @param packFlights false sends every handshake record in its own datagram, as Bouncy Castle
     *     does without {@link FlightPacker}
     * @param cveGuard false skips {@link DtlsRecordFilter}'s handshake-record checks and only
     *     demultiplexes by the first byte (CveHeapGuardTest's control run, which proves the test
     *     detects CVE-2026-59646); per connection, never false in production
     */
    record Knobs(int clientPaddingBytes, int[] clientSuites, boolean extendedMasterSecret, boolean packFlights,
            boolean cveGuard) {
        static final Knobs DEFAULT = new Knobs(0, null, true, true, true);

        Knobs(int clientPaddingBytes, int[] clientSuites, boolean extendedMasterSecret, boolean packFlights) {
            this(clientPaddingBytes, clientSuites, extendedMasterSecret, packFlights, true);
        }

        Knobs(int clientPaddingBytes, int[] clientSuites, boolean extendedMasterSecret) {
            this(clientPaddingBytes, clientSuites, extendedMasterSecret, true);
        }
    }
}
