package org.jdatachannel.dtls;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;
import java.util.stream.IntStream;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our DTLS 1.2 client ({@code a=setup:active}) for Bouncy Castle's {@code DTLSClientProtocol}. What
 * both roles share is in {@link PeerSupport}; the overrides here that only forward to it exist
 * because the client and server extend different Bouncy Castle base classes.
 */
final class WebRtcDtlsClient extends DefaultTlsClient {

    private static final Logger LOG = LoggerFactory.getLogger(WebRtcDtlsClient.class);

    private final PeerSupport support;
    private final int paddingBytes;
    private final int[] suitesOverride;

    /**
     * @param paddingBytes when &gt; 0, a padding extension (RFC 7685) of that many bytes is added to
     *     the ClientHello; tests use it to force a ClientHello fragmented over several datagrams
     * @param suitesOverride cipher suites to offer instead of ours (tests), or null
     */
    WebRtcDtlsClient(PeerSupport support, int paddingBytes, int[] suitesOverride) {
        super(support.crypto);
        this.support = support;
        this.paddingBytes = paddingBytes;
        this.suitesOverride = suitesOverride == null ? null : suitesOverride.clone();
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        if (suitesOverride != null) {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), suitesOverride);
        }
        int[] all = IntStream.concat(IntStream.of(PeerSupport.ECDSA_SUITES), IntStream.of(PeerSupport.RSA_SUITES))
                .toArray();
        return TlsUtils.getSupportedCipherSuites(getCrypto(), all);
    }

    @Override
    protected Vector<Integer> getSupportedGroups(@SuppressWarnings("rawtypes") Vector namedGroupRoles) {
        Vector<Integer> v = new Vector<>();
        for (int g : support.groups()) {
            v.add(g);
        }
        return v;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
        Hashtable ext = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
        // RFC 5764 §4.1.1: the client offers its SRTPProtectionProfiles in use_srtp; always sent
        // because some servers (Pion) refuse a WebRTC ClientHello without it.
        TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(PeerSupport.SRTP_PROFILES, TlsUtils.EMPTY_BYTES));
        if (paddingBytes > 0) {
            TlsExtensionsUtils.addPaddingExtension(ext, paddingBytes);
        }
        return ext;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        UseSRTPData srtp = serverExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
        if (srtp != null) {
            // RFC 5764 §4.1.1: the server answers with "a single SRTPProtectionProfile value that
            // the server has chosen for use with this connection", one of those we offered.
            int[] profiles = srtp.getProtectionProfiles();
            if (profiles.length != 1 || !PeerSupport.contains(PeerSupport.SRTP_PROFILES, profiles[0])) {
                throw new TlsFatalAlert(AlertDescription.illegal_parameter,
                        "server use_srtp must select exactly one offered profile");
            }
            support.srtpProfile = profiles[0];
        }
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
        return support.requiresExtendedMasterSecret();
    }

    @Override
    public boolean shouldUseExtendedMasterSecret() {
        return support.shouldUseExtendedMasterSecret();
    }

    @Override
    public void notifySecureRenegotiation(boolean secureRenegotiation) throws IOException {
        support.notifySecureRenegotiation(secureRenegotiation);
    }

    @Override
    public int getRenegotiationPolicy() {
        return PeerSupport.RENEGOTIATION_POLICY;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return support.handshakeTimeoutMs;
    }

    @Override
    public int getHandshakeResendTimeMillis() {
        return support.retransmitMs;
    }

    @Override
    public boolean shouldCheckSigAlgOfPeerCerts() {
        // The peer's certificate is self-signed and authenticated by fingerprint, not by its signature.
        return false;
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                support.verifyPeer(serverCertificate.getCertificate());
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                short wanted = support.hasEcKey() ? ClientCertificateType.ecdsa_sign : ClientCertificateType.rsa_sign;
                short[] types = request.getCertificateTypes();
                boolean ok = false;
                for (short t : types) {
                    ok |= t == wanted;
                }
                if (!ok) {
                    LOG.warn("{}: server's CertificateRequest does not allow our {} certificate; sending none",
                            support.name, support.local.keyAlgorithm());
                    return null;
                }
                return support.credentials(context, request.getSupportedSignatureAlgorithms());
            }
        };
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        support.alertRaised(alertLevel, alertDescription, message, cause);
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        support.alertReceived(alertLevel, alertDescription);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        support.handshakeComplete(context, "server");
    }
}
