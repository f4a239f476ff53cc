package org.jdatachannel.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * JSEP (RFC 8829) offer and answer generation for a data-channel-only session.
 *
 * <p>The offer written by {@link #createOffer}:
 * <pre>
 *   v=0
 *   o=- &lt;sessionId&gt; &lt;sessionVersion&gt; IN IP4 127.0.0.1
 *   s=-
 *   t=0 0
 *   a=group:BUNDLE 0
 *   [a=ice-lite]
 *   m=application 9 UDP/DTLS/SCTP webrtc-datachannel
 *   c=IN IP4 0.0.0.0
 *   a=ice-ufrag:...
 *   a=ice-pwd:...
 *   a=ice-options:trickle
 *   a=fingerprint:sha-256 AB:CD:...
 *   a=setup:actpass
 *   a=mid:0
 *   a=sctp-port:5000
 *   a=max-message-size:262144
 *   a=candidate:...
 *   [a=end-of-candidates]
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Jsep {

    /** RFC 8829 §5.2.1 (paraphrased): with no candidates yet, m= lines use the "dummy" port 9. */
    public static final int DUMMY_PORT = 9;
    /** Number of streams written in a legacy {@code a=sctpmap} line (what aiortc and Firefox write). */
    public static final int LEGACY_SCTPMAP_STREAMS = 65535;

    private Jsep() {
    }

    /**
     * Creates an offer with one data-channel m= section.
     *
     * <p>RFC 8829 §5.2.1: the sess-id "MUST be representable by a 64-bit signed integer, and the
     * value MUST be less than (2**63)-1", so {@code sessionId} is 0..{@code Long.MAX_VALUE - 1}.
     *
     * @param local          our media; {@code mid} null means "0"; {@code setup} null means
     *                       {@link Setup#ACTPASS} (RFC 8842 §5.2: the offerer uses "actpass" unless it
     *                       insists on a role); {@code legacySctpmap} writes the legacy form
     * @param sessionId      0 .. 2^63-2
     * @param sessionVersion &gt;= 0
     * @return the offer
     * @throws IllegalArgumentException if local is null, the ids are out of range, or local has no
     *                                  ICE credentials or fingerprint (and is not rejected)
     */
    public static SessionDescription createOffer(DataChannelMedia local, long sessionId, long sessionVersion) {
        checkLocal(local, sessionId, sessionVersion);
        String mid = local.mid() == null ? "0" : local.mid();
        Setup setup = local.setup() == null ? Setup.ACTPASS : local.setup();
        List<SdpLine> session = sessionLines(local, mid, !local.rejected());
        MediaDescription m = dataSection(local, mid, setup, local.legacySctpmap() ? "DTLS/SCTP" : "UDP/DTLS/SCTP",
                local.legacySctpmap(), local.rejected(), null);
        return new SessionDescription(Origin.jsep(sessionId, sessionVersion), "-", session, List.of(m));
    }

    /**
     * Creates an answer to a remote offer.
     *
     * <p>RFC 8829 §5.3.1 (paraphrased): the answer has the same number of m= sections as the offer,
     * in the same order, each with the offer's mid. The first data-channel section is answered with
     * {@code local}; every other section is rejected with port 0 (RFC 3264 §6, paraphrased: a stream
     * is rejected by setting the port in its m= line to zero), keeping its formats (Firefox needs the
     * {@code webrtc-datachannel} token even on a rejected section). The data section mirrors the
     * offer's mid, its proto ({@code UDP/DTLS/SCTP}, {@code TCP/DTLS/SCTP} or legacy
     * {@code DTLS/SCTP}) and, when the offer bundles it, a {@code BUNDLE} group with just that mid
     * (RFC 8843 §7.3: the answerer's group lists the accepted offered mids).
     *
     * <p>DTLS role (RFC 5763 §5 as updated by RFC 8842 §5.3: "The answerer MUST use either a setup
     * attribute value of setup:active or setup:passive."): an
     * {@code actpass} offer gets {@code local.setup()} when it is {@code ACTIVE} or
     * {@code PASSIVE}, else {@code ACTIVE}; an {@code active} offer gets {@code passive}; a
     * {@code passive} offer gets {@code active}; an offer without {@code a=setup} gets
     * {@code passive} (RFC 4145 §4.1: the default is "'active' in the offer"). Read the chosen role
     * back with {@code DataChannelMedia.from(answer).setup()}.
     *
     * @param local          our media (mid and legacy flag are ignored: they come from the offer)
     * @param remoteOffer    the parsed remote offer
     * @param sessionId      0 .. 2^63-2
     * @param sessionVersion &gt;= 0
     * @throws SdpParseException        if the offer has no usable data-channel section (see
     *                                  {@link DataChannelMedia#from}) or asks for {@code holdconn}
     * @throws IllegalArgumentException if an argument is null or out of range
     */
    public static SessionDescription createAnswer(DataChannelMedia local, SessionDescription remoteOffer,
                                                  long sessionId, long sessionVersion) throws SdpParseException {
        checkLocal(local, sessionId, sessionVersion);
        if (remoteOffer == null) {
            throw new IllegalArgumentException("remoteOffer must not be null");
        }
        DataChannelMedia offered = DataChannelMedia.from(remoteOffer);
        int dataIndex = DataChannelMedia.findDataSection(remoteOffer);
        MediaDescription offerSection = remoteOffer.media().get(dataIndex);

        Setup answerSetup;
        if (offered.setup() == null) {
            answerSetup = Setup.PASSIVE;
        } else {
            answerSetup = switch (offered.setup()) {
                case ACTIVE -> Setup.PASSIVE;
                case PASSIVE -> Setup.ACTIVE;
                case ACTPASS -> local.setup() == Setup.PASSIVE ? Setup.PASSIVE : Setup.ACTIVE;
                case HOLDCONN -> throw new SdpParseException(remoteOffer.mediaLineNumber(dataIndex),
                        "offer uses a=setup:holdconn; no DTLS role can be chosen");
            };
        }
        boolean reject = offered.rejected() || local.rejected();
        String mid = offered.mid();

        // Bundle only if the offer bundled the data section's mid.
        boolean bundle = false;
        if (mid != null && !reject) {
            for (Attribute a : remoteOffer.attributes()) {
                if (a.name().equals("group") && a.value() != null) {
                    List<String> f = SessionDescription.fields(a.value());
                    if (!f.isEmpty() && f.get(0).equals("BUNDLE") && f.subList(1, f.size()).contains(mid)) {
                        bundle = true;
                    }
                }
            }
        }
        List<SdpLine> session = sessionLines(local, mid, bundle);

        List<MediaDescription> media = new ArrayList<>();
        for (int i = 0; i < remoteOffer.media().size(); i++) {
            MediaDescription om = remoteOffer.media().get(i);
            if (i == dataIndex) {
                media.add(dataSection(local, mid, answerSetup, offerSection.mediaLine().proto(),
                        offered.legacySctpmap(), reject, offerSection.mediaLine()));
            } else {
                media.add(rejectedSection(om));
            }
        }
        return new SessionDescription(Origin.jsep(sessionId, sessionVersion), "-", session, media);
    }

    private static void checkLocal(DataChannelMedia local, long sessionId, long sessionVersion) {
        if (local == null) {
            throw new IllegalArgumentException("local media must not be null");
        }
        if (sessionId < 0 || sessionId >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("sessionId must be 0..2^63-2, got " + sessionId);
        }
        if (sessionVersion < 0) {
            throw new IllegalArgumentException("sessionVersion must be >= 0, got " + sessionVersion);
        }
        if (!local.rejected()) {
            if (local.iceUfrag().isEmpty() || local.icePwd().isEmpty()) {
                throw new IllegalArgumentException("local media needs iceUfrag and icePwd");
            }
            if (local.fingerprints().isEmpty()) {
                throw new IllegalArgumentException("local media needs at least one fingerprint");
            }
        }
    }

    private static List<SdpLine> sessionLines(DataChannelMedia local, String mid, boolean bundle) {
        List<SdpLine> s = new ArrayList<>();
        // RFC 8829 §5.2.1: "a "t=" line MUST be added ... both <start-time> and <stop-time> SHOULD be
        // set to zero, e.g., "t=0 0"."
        s.add(new SdpLine('t', "0 0"));
        // RFC 8829 §5.2.1 (paraphrased): a BUNDLE group with the mids of the bundled m= sections.
        if (bundle && mid != null) {
            s.add(SdpLine.attribute("group", "BUNDLE " + mid));
        }
        // RFC 8839 §5.3: "ice-lite" is a session-level attribute.
        if (local.iceLite()) {
            s.add(Attribute.property("ice-lite").toLine());
        }
        return s;
    }

    private static MediaDescription dataSection(DataChannelMedia local, String mid, Setup setup, String proto,
                                                boolean legacy, boolean reject, MediaLine offeredLine) {
        int sctpPort = local.sctpPort();
        List<String> formats;
        if (reject && offeredLine != null) {
            formats = offeredLine.formats();
        } else if (legacy) {
            formats = List.of(Integer.toString(sctpPort));
        } else {
            // RFC 8841 §4.1 (paraphrased): the fmt of a data-channel m= line is webrtc-datachannel.
            formats = List.of(DataChannelMedia.WEBRTC_DATACHANNEL);
        }
        MediaLine ml = new MediaLine("application", reject ? 0 : DUMMY_PORT, proto, formats);
        List<SdpLine> l = new ArrayList<>();
        // RFC 8829 §5.2.1 (paraphrased): with no default candidate, the c= line uses 0.0.0.0.
        l.add(new SdpLine('c', "IN IP4 0.0.0.0"));
        if (reject) {
            if (mid != null) {
                l.add(SdpLine.attribute("mid", mid));
            }
            return new MediaDescription(ml, l);
        }
        // RFC 8839 §5.4: ice-ufrag and ice-pwd identify the ICE session.
        l.add(SdpLine.attribute("ice-ufrag", local.iceUfrag()));
        l.add(SdpLine.attribute("ice-pwd", local.icePwd()));
        // RFC 8840 §4.1.1 (paraphrased): a trickle agent signals "a=ice-options:trickle".
        l.add(SdpLine.attribute("ice-options", "trickle"));
        // RFC 8122 §5: "fingerprint-attribute = "fingerprint" ":" hash-func SP fingerprint".
        for (Fingerprint f : local.fingerprints()) {
            l.add(SdpLine.attribute("fingerprint", f.toString()));
        }
        l.add(SdpLine.attribute("setup", setup.token()));
        if (mid != null) {
            l.add(SdpLine.attribute("mid", mid));
        }
        if (legacy) {
            // draft-ietf-mmusic-sctp-sdp-05 form, as aiortc writes and Firefox answers it.
            l.add(SdpLine.attribute("sctpmap", sctpPort + " " + DataChannelMedia.WEBRTC_DATACHANNEL + " "
                    + LEGACY_SCTPMAP_STREAMS));
        } else {
            // RFC 8841 §5.1: "sctp-port-attr = "a=sctp-port:" portnumber".
            l.add(SdpLine.attribute("sctp-port", Integer.toString(sctpPort)));
        }
        // RFC 8841 §6.1: a value of 0 means any size, so NO_LIMIT is written as 0.
        long mms = local.maxMessageSize() == DataChannelMedia.NO_LIMIT ? 0 : local.maxMessageSize();
        l.add(SdpLine.attribute("max-message-size", Long.toString(mms)));
        for (Candidate c : local.candidates()) {
            l.add(new SdpLine('a', c.toAttributeValue()));
        }
        // RFC 8840 §8.2 (paraphrased): "a=end-of-candidates" once gathering is complete.
        if (local.endOfCandidates()) {
            l.add(Attribute.property("end-of-candidates").toLine());
        }
        return new MediaDescription(ml, l);
    }

    private static MediaDescription rejectedSection(MediaDescription offered) {
        MediaLine ol = offered.mediaLine();
        MediaLine ml = new MediaLine(ol.media(), 0, ol.proto(), ol.formats());
        List<SdpLine> l = new ArrayList<>();
        l.add(new SdpLine('c', "IN IP4 0.0.0.0"));
        offered.mid().ifPresent(mid -> l.add(SdpLine.attribute("mid", mid.strip())));
        return new MediaDescription(ml, l);
    }
}
