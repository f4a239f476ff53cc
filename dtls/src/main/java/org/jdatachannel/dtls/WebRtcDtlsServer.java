package org.jdatachannel.dtls;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * Our DTLS 1.2 server ({@code a=setup:passive}) for Bouncy Castle's {@code DTLSServerProtocol}.
 *
 * <p>Browsers send DTLS 1.3-capable ClientHellos: supported_versions lists DTLS 1.3 and 1.2,
 * key_share carries large post-quantum shares (X25519MLKEM768), supported_groups lists groups we do
 * not implement. We offer only DTLS 1.2, so version selection picks 1.2 (RFC 8446 §4.2.1 semantics
 * of supported_versions), key_share is a 1.3-only extension that is never read, and ECDHE group
 * selection below only ever picks one of {@link PeerSupport#GROUPS}. What both roles share is in
 * {@link PeerSupport}; the overrides here that only forward to it exist because the client and
 * server extend different Bouncy Castle base classes.
 */
final class WebRtcDtlsServer extends DefaultTlsServer {

    private final PeerSupport support;

    WebRtcDtlsServer(PeerSupport support) {
        super(support.crypto);
        this.support = support;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        int[] suites = support.hasEcKey() ? PeerSupport.ECDSA_SUITES : PeerSupport.RSA_SUITES;
        return TlsUtils.getSupportedCipherSuites(getCrypto(), suites);
    }

    @Override
    public int[] getSupportedGroups() {
        return support.groups();
    }

    /**
     * RFC 8422 §5.1.1: the client's supported_groups lists the curves it can use; we pick the
     * first one (client preference) that we implement, skipping unknown and hybrid groups.
     */
    @Override
    protected int selectECDH(int minimumCurveBits) {
        int[] client = context.getSecurityParametersHandshake().getClientSupportedGroups();
        if (client == null) {
            // RFC 8422 §4: without the extension the server may choose; P-256 is universal.
            return NamedGroup.secp256r1;
        }
        int[] ours = support.groups();
        for (int g : client) {
            if (PeerSupport.contains(ours, g) && NamedGroup.getCurveBits(g) >= minimumCurveBits) {
                return g;
            }
        }
        return -1;
    }

    @Override
    protected int getMaximumNegotiableCurveBits() {
        int[] client = context.getSecurityParametersHandshake().getClientSupportedGroups();
        if (client == null) {
            return NamedGroup.getCurveBits(NamedGroup.secp256r1);
        }
        int[] ours = support.groups();
        int max = 0;
        for (int g : client) {
            if (PeerSupport.contains(ours, g)) {
                max = Math.max(max, NamedGroup.getCurveBits(g));
            }
        }
        return max;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return signer("EC");
    }

    @Override
    protected TlsCredentialedSigner getRSASignerCredentials() throws IOException {
        return signer("RSA");
    }

    private TlsCredentialedSigner signer(String keyAlgorithm) throws IOException {
        if (!keyAlgorithm.equals(support.local.keyAlgorithm())) {
            throw new TlsFatalAlert(AlertDescription.internal_error, "no " + keyAlgorithm + " certificate");
        }
        return support.credentials(context, context.getSecurityParametersHandshake().getClientSigAlgs());
    }

    /**
     * RFC 5763 §5 and RFC 8842 §5: both endpoints authenticate with (fingerprinted) certificates,
     * so the server always requests one. Bouncy Castle checks the client certificate's key type against these types, so both
     * ecdsa_sign and rsa_sign are listed.
     */
    @Override
    public CertificateRequest getCertificateRequest() throws IOException {
        short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
        Vector<?> sigAlgs = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
        return new CertificateRequest(types, sigAlgs, new Vector<>());
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        support.verifyPeer(clientCertificate);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        // RFC 7627 §5.2: "If the server receives a ClientHello without the extension, it SHOULD
        // abort the handshake if it does not wish to interoperate with legacy clients." We do;
        // Bouncy Castle would too (requiresExtendedMasterSecret), this check only names the reason.
        if (support.requiresExtendedMasterSecret() && (clientExtensions == null
                || !TlsExtensionsUtils.hasExtendedMasterSecretExtension(clientExtensions))) {
            support.reject(PeerSupport.EMS_MISSING, AlertDescription.handshake_failure);
        }
        UseSRTPData offered = clientExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        if (offered != null) {
            // RFC 5764 §4.1.1: reply with "a single SRTPProtectionProfile value that the server has
            // chosen for use with this connection"; we take the client's first one we support.
            for (int p : offered.getProtectionProfiles()) {
                if (PeerSupport.contains(PeerSupport.SRTP_PROFILES, p)) {
                    support.srtpProfile = p;
                    break;
                }
            }
        }
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getServerExtensions() throws IOException {
        Hashtable ext = super.getServerExtensions();
        if (support.srtpProfile >= 0) {
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {support.srtpProfile}, TlsUtils.EMPTY_BYTES));
        }
        return ext;
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

    /**
     * Picks the suite as Bouncy Castle does (our preference among the client's offer, checked
     * against its groups and signature algorithms); when nothing fits, records a readable reason.
     */
    @Override
    public int getSelectedCipherSuite() throws IOException {
        try {
            return super.getSelectedCipherSuite();
        } catch (TlsFatalAlert e) {
            if (e.getAlertDescription() == AlertDescription.handshake_failure && offeredCipherSuites != null) {
                support.noCommonCipherSuite(offeredCipherSuites, getSupportedCipherSuites(),
                        context.getSecurityParametersHandshake().getClientSupportedGroups());
            }
            throw e;
        }
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
        return false;
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
        support.handshakeComplete(context, "client");
    }
}
