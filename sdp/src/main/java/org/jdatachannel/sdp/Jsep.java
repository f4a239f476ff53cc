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
     * in the same order, each with the offer's mid. The first usable data-channel section (port not
     * 0, or {@code a=bundle-only}; see {@link DataChannelMedia#dataSectionIndex}) is answered with
     * {@code local}, with port 9 even when it was offered bundle-only; every other section
     * (audio, video, further data sections) is rejected with port 0 (RFC 3264 §6, paraphrased: a stream
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
        return answer(local, remoteOffer, null, null, sessionId, sessionVersion);
    }

    // ------------------------------------------------------------------------------------------
    // Subsequent offers and answers (renegotiation, ICE restart)

    /**
     * Creates a subsequent offer on an existing session (a re-offer, RFC 8829 §5.2.2).
     *
     * <p>RFC 8829 §5.2.2: "The fields of the "o=" line MUST stay the same except for the
     * &lt;session-version&gt; field, which MUST increment by one on each call to createOffer if the
     * offer might differ from the output of the previous call"; and, once a local description is
     * applied, "Each "a=mid" line MUST stay the same" and "Each "a=ice-ufrag" and "a=ice-pwd" line
     * MUST stay the same, unless the ICE configuration has changed or the IceRestart option was
     * specified." So:
     * <ul>
     *   <li>the o= line is {@code previousLocal}'s; its version is kept when the new offer is
     *       identical to {@code previousLocal} and incremented by one otherwise (RFC 3264 §8: "If
     *       the version in the origin line does not increment, the SDP MUST be identical to the SDP
     *       with that version number.");</li>
     *   <li>the data section keeps {@code previousLocal}'s mid, proto and form (legacy
     *       {@code DTLS/SCTP} + sctpmap stays legacy); {@code local.mid()} and
     *       {@code local.legacySctpmap()} are ignored;</li>
     *   <li>every other m= section of {@code previousLocal} stays, in order, rejected (port 0,
     *       formats and mid kept; RFC 3264 §8, paraphrased: a subsequent offer keeps every earlier
     *       m= line, disabled ones with port 0);</li>
     *   <li>ICE credentials are {@code local}'s: pass the previous ones to continue, new ones for an
     *       ICE restart (RFC 8839 §4.4.1.1.1, paraphrased: a restart changes both ice-ufrag and
     *       ice-pwd); see {@link #isIceRestart};</li>
     *   <li>{@code a=setup} is {@code local.setup()}, or {@code actpass} when null (RFC 8842 §5.2,
     *       paraphrased: the offerer offers actpass; the answerer keeps an existing association's
     *       roles, RFC 8829 §5.3.2).</li>
     * </ul>
     *
     * @param local         our media now (credentials, fingerprints, candidates, options)
     * @param previousLocal the last local description this session created or applied (an offer
     *                      or an answer written by this class, e.g. parsed back from its text)
     * @return the offer; {@code previousLocal} itself when nothing changed
     * @throws IllegalArgumentException if an argument is null, {@code local} lacks credentials or
     *                                  fingerprints, or {@code previousLocal} has no data-channel
     *                                  section or an o= line whose id/version are not 0..2^63-2
     */
    public static SessionDescription createSubsequentOffer(DataChannelMedia local, SessionDescription previousLocal) {
        if (previousLocal == null) {
            throw new IllegalArgumentException("previousLocal must not be null");
        }
        long[] idVersion = idAndVersion(previousLocal);
        checkLocal(local, idVersion[0], idVersion[1]);
        int dataIndex = DataChannelMedia.findDataSection(previousLocal);
        if (dataIndex < 0) {
            throw new IllegalArgumentException("previousLocal has no data-channel m= section");
        }
        MediaDescription prevData = previousLocal.media().get(dataIndex);
        String mid = prevData.mid().map(String::strip).orElse(local.mid() == null ? "0" : local.mid());
        if (mid.isEmpty() || mid.indexOf(' ') >= 0) {
            throw new IllegalArgumentException("previousLocal's data section has a malformed a=mid");
        }
        boolean legacy = !prevData.mediaLine().formats().contains(DataChannelMedia.WEBRTC_DATACHANNEL);
        Setup setup = local.setup() == null ? Setup.ACTPASS : local.setup();
        List<SdpLine> session = sessionLines(local, mid, !local.rejected());
        List<MediaDescription> media = new ArrayList<>();
        for (int i = 0; i < previousLocal.media().size(); i++) {
            if (i == dataIndex) {
                media.add(dataSection(local, mid, setup, prevData.mediaLine().proto(), legacy, local.rejected(),
                        prevData.mediaLine()));
            } else {
                media.add(rejectedSection(previousLocal.media().get(i)));
            }
        }
        return versioned(previousLocal, idVersion, session, media);
    }

    /**
     * Creates an answer to a subsequent offer on an existing session (RFC 8829 §5.3.2).
     *
     * <p>As {@link #createAnswer}, with these rules of RFC 8829 §5.3.2: the o= line is
     * {@code previousLocal}'s, its version kept when the answer is identical to
     * {@code previousLocal} and incremented by one otherwise ("which MUST increment if the session
     * description changes in any way"); the data section answered is the offered one with the
     * previously negotiated mid when it is still usable; and "Each "a=setup" line MUST use an
     * "active" or "passive" role value consistent with the existing DTLS association, if the
     * association is being continued by the offerer." The offerer continues the association when it
     * offers {@code actpass} or the role complementing ours; then our {@code establishedRole} is
     * kept. An offer that demands our own role ({@code active} against our {@code active}) asks
     * for a new association, and gets the complementary role (compare
     * {@code DataChannelMedia.from(answer).setup()} with {@code establishedRole} to notice).
     *
     * @param local           our media now (mid and legacy flag come from the offer)
     * @param remoteOffer     the parsed remote re-offer
     * @param previousLocal   the last local description this session created or applied
     * @param establishedRole our DTLS role in the existing association: {@link Setup#ACTIVE} (we
     *                        are the DTLS client) or {@link Setup#PASSIVE} (server); null when no
     *                        association exists yet (then the rules of {@link #createAnswer} apply)
     * @return the answer; {@code previousLocal} itself when nothing changed
     * @throws SdpParseException        as {@link #createAnswer}
     * @throws IllegalArgumentException if an argument is null or malformed, or
     *                                  {@code establishedRole} is ACTPASS or HOLDCONN
     */
    public static SessionDescription createSubsequentAnswer(DataChannelMedia local, SessionDescription remoteOffer,
                                                            SessionDescription previousLocal, Setup establishedRole)
            throws SdpParseException {
        if (previousLocal == null || remoteOffer == null) {
            throw new IllegalArgumentException("remoteOffer and previousLocal must not be null");
        }
        if (establishedRole == Setup.ACTPASS || establishedRole == Setup.HOLDCONN) {
            throw new IllegalArgumentException("establishedRole must be ACTIVE, PASSIVE or null, got " + establishedRole);
        }
        long[] idVersion = idAndVersion(previousLocal);
        checkLocal(local, idVersion[0], idVersion[1]);
        int prevIndex = DataChannelMedia.findDataSection(previousLocal);
        String prevMid = prevIndex < 0 ? null
                : previousLocal.media().get(prevIndex).mid().map(String::strip).orElse(null);
        SessionDescription a = answer(local, remoteOffer, prevMid, establishedRole, idVersion[0], idVersion[1]);
        return versioned(previousLocal, idVersion, a.sessionLines(), a.media());
    }

    /**
     * Tells an ICE restart from a plain re-offer or re-answer: RFC 8839 §4.4.1.1.1 (paraphrased:
     * to restart ICE an agent changes both ice-ufrag and ice-pwd) and RFC 8445 §9 (a restart is
     * signalled by new credentials); moving the same credentials between session and media level
     * is not a restart ("This MUST NOT be considered as ICE restart" for that case). A change of
     * either one is reported, as libwebrtc and Pion do.
     *
     * @param previous the remote (or local) media of the description applied before
     * @param next     the media of the new description
     * @return true if the ICE username fragment or password differs
     * @throws IllegalArgumentException if an argument is null
     */
    public static boolean isIceRestart(DataChannelMedia previous, DataChannelMedia next) {
        if (previous == null || next == null) {
            throw new IllegalArgumentException("previous and next media must not be null");
        }
        return !previous.iceUfrag().equals(next.iceUfrag()) || !previous.icePwd().equals(next.icePwd());
    }

    /**
     * Checks a remote answer against the local offer it answers and returns its data-channel media.
     *
     * <p>RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as the
     * offer"; RFC 8829 §5.3.1 (paraphrased): each answered m= section carries the offered mid; RFC
     * 8842 §5.3: "The answerer MUST use either a setup attribute value of setup:active or
     * setup:passive" (a missing a=setup is read as active, RFC 4145 §4.1, and returned as null).
     * The data section of the answer may be rejected: then {@link DataChannelMedia#rejected()} is
     * true and the caller must treat the data channel as refused.
     *
     * @param localOffer   our offer (written by this class)
     * @param remoteAnswer the parsed remote answer
     * @return the answer's data-channel media, for the section at the index of our data section
     * @throws SdpParseException        if the answer has another number of m= sections, answers our
     *                                  data section with another mid or media type, says
     *                                  {@code actpass}/{@code holdconn}, or its data section does not
     *                                  parse (see {@link DataChannelMedia#from})
     * @throws IllegalArgumentException if an argument is null or {@code localOffer} has no data section
     */
    public static DataChannelMedia checkAnswer(SessionDescription localOffer, SessionDescription remoteAnswer)
            throws SdpParseException {
        if (localOffer == null || remoteAnswer == null) {
            throw new IllegalArgumentException("localOffer and remoteAnswer must not be null");
        }
        int ours = DataChannelMedia.findDataSection(localOffer);
        if (ours < 0) {
            throw new IllegalArgumentException("localOffer has no data-channel m= section");
        }
        if (remoteAnswer.media().size() != localOffer.media().size()) {
            throw new SdpParseException(0, "the answer has " + remoteAnswer.media().size()
                    + " m= sections, the offer " + localOffer.media().size() + " (RFC 3264 §6: exactly the same number)");
        }
        for (int i = 0; i < localOffer.media().size(); i++) {
            String offeredMid = localOffer.media().get(i).mid().map(String::strip).orElse(null);
            String answeredMid = remoteAnswer.media().get(i).mid().map(String::strip).orElse(null);
            if (offeredMid != null && answeredMid != null && !offeredMid.equals(answeredMid)) {
                throw new SdpParseException(remoteAnswer.mediaLineNumber(i), "answer m= section " + i + " has a=mid:"
                        + SessionDescription.clip(answeredMid) + ", the offer a=mid:" + SessionDescription.clip(offeredMid));
            }
        }
        int line = remoteAnswer.mediaLineNumber(ours);
        MediaLine answered = remoteAnswer.media().get(ours).mediaLine();
        if (!answered.media().equals("application")) {
            throw new SdpParseException(line, "the answer's m= section " + ours + " is not m=application");
        }
        if (answered.port() == 0 && !remoteAnswer.media().get(ours).hasAttribute("bundle-only")) {
            // RFC 3264 §6 (paraphrased): a stream is rejected with port 0; the formats are ignored.
            String mid = localOffer.media().get(ours).mid().map(String::strip).orElse(null);
            return new DataChannelMedia(mid, "", "", false, List.of(), null, DataChannelMedia.DEFAULT_SCTP_PORT,
                    DataChannelMedia.DEFAULT_MAX_MESSAGE_SIZE, List.of(), false,
                    !answered.formats().contains(DataChannelMedia.WEBRTC_DATACHANNEL), true, List.of());
        }
        String mid = remoteAnswer.media().get(ours).mid().map(String::strip).orElse(null);
        if (DataChannelMedia.dataSectionIndex(remoteAnswer, mid) != ours) {
            throw new SdpParseException(line, "the answer's m= section " + ours
                    + " (our data section) is not a usable webrtc-datachannel section");
        }
        DataChannelMedia m = DataChannelMedia.from(remoteAnswer, mid);
        if (m.setup() == Setup.ACTPASS || m.setup() == Setup.HOLDCONN) {
            throw new SdpParseException(line, "an answer must say a=setup:active or passive, not " + m.setup().token()
                    + " (RFC 8842 §5.3)");
        }
        return m;
    }

    /**
     * Adds trickled candidates (and optionally {@code a=end-of-candidates}) to the data section of a
     * description, as the W3C API reflects trickled candidates in {@code localDescription} and
     * {@code remoteDescription} (webrtc-pc §4.4.1.6, paraphrased: an added remote candidate is added
     * to the remote description; RFC 8840 §4.4/§8.2: candidates signalled later belong to their m=
     * section, end-of-candidates once gathering is complete). Candidates already present (same
     * attribute value) are skipped; the new ones go after the existing {@code a=candidate} lines
     * and before any {@code a=end-of-candidates}, which stays single. Every other line is kept.
     *
     * @param sd              the description (ours or the remote one)
     * @param candidates      candidates to add, in order (component as given)
     * @param endOfCandidates true to add {@code a=end-of-candidates} if the section lacks it
     * @return the new description (the same o= line: it describes the same session version, as
     *         browsers do for trickled candidates)
     * @throws IllegalArgumentException if an argument is null, {@code sd} has no data-channel
     *                                  section, or the section would hold more than
     *                                  {@link DataChannelMedia#MAX_CANDIDATES} candidates
     */
    public static SessionDescription addCandidates(SessionDescription sd, List<Candidate> candidates,
                                                   boolean endOfCandidates) {
        if (sd == null || candidates == null) {
            throw new IllegalArgumentException("description and candidates must not be null");
        }
        int index = DataChannelMedia.findDataSection(sd);
        if (index < 0) {
            throw new IllegalArgumentException("the description has no data-channel m= section");
        }
        MediaDescription m = sd.media().get(index);
        List<SdpLine> lines = new ArrayList<>(m.lines());
        java.util.Set<String> present = new java.util.HashSet<>();
        int lastCandidate = -1;
        int eoc = -1;
        for (int i = 0; i < lines.size(); i++) {
            SdpLine l = lines.get(i);
            if (l.isAttribute()) {
                String name = l.asAttribute().name();
                if (name.equals("candidate")) {
                    present.add(l.value());
                    lastCandidate = i;
                } else if (name.equals("end-of-candidates") && eoc < 0) {
                    eoc = i;
                }
            }
        }
        List<SdpLine> added = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c == null) {
                throw new IllegalArgumentException("candidates must not contain null");
            }
            String value = c.toAttributeValue();
            if (present.add(value)) {
                added.add(new SdpLine('a', value));
            }
        }
        if (present.size() > DataChannelMedia.MAX_CANDIDATES) {
            throw new IllegalArgumentException("the data section would hold " + present.size()
                    + " candidates, limit is " + DataChannelMedia.MAX_CANDIDATES);
        }
        int at = eoc >= 0 && (lastCandidate < 0 || eoc < lastCandidate) ? eoc
                : lastCandidate >= 0 ? lastCandidate + 1 : lines.size();
        lines.addAll(at, added);
        if (endOfCandidates && eoc < 0 && !sd.hasAttribute("end-of-candidates")) {
            lines.add(Attribute.property("end-of-candidates").toLine());
        }
        List<MediaDescription> media = new ArrayList<>(sd.media());
        media.set(index, new MediaDescription(m.mediaLine(), lines));
        return new SessionDescription(sd.origin(), sd.sessionName(), sd.sessionLines(), media);
    }

    private static SessionDescription answer(DataChannelMedia local, SessionDescription remoteOffer, String preferredMid,
                                             Setup establishedRole, long sessionId, long sessionVersion)
            throws SdpParseException {
        int dataIndex = DataChannelMedia.dataSectionIndex(remoteOffer, preferredMid);
        DataChannelMedia offered = DataChannelMedia.from(remoteOffer, preferredMid);
        MediaDescription offerSection = remoteOffer.media().get(dataIndex);

        Setup answerSetup;
        if (offered.setup() == null) {
            // RFC 4145 §4.1: the default is "'active' in the offer".
            answerSetup = Setup.PASSIVE;
        } else {
            answerSetup = switch (offered.setup()) {
                case ACTIVE -> Setup.PASSIVE;
                case PASSIVE -> Setup.ACTIVE;
                case ACTPASS -> establishedRole != null ? establishedRole
                        : local.setup() == Setup.PASSIVE ? Setup.PASSIVE : Setup.ACTIVE;
                case HOLDCONN -> throw new SdpParseException(remoteOffer.mediaLineNumber(dataIndex),
                        "offer uses a=setup:holdconn; no DTLS role can be chosen");
            };
        }
        boolean reject = offered.rejected() || local.rejected();
        String mid = offered.mid();

        // RFC 8843 §7.3 (paraphrased): the answerer's BUNDLE group lists the accepted offered mids,
        // so only the data section's mid, and only if the offer bundled it.
        boolean bundle = !reject && DataChannelMedia.bundleGroupOf(remoteOffer, mid) != null;
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

    /** The o= sess-id and sess-version of a description we wrote, as longs. */
    private static long[] idAndVersion(SessionDescription previousLocal) {
        Origin o = previousLocal.origin();
        try {
            long id = Long.parseLong(o.sessionId());
            long version = Long.parseLong(o.sessionVersion());
            if (id < Long.MAX_VALUE && version < Long.MAX_VALUE) {
                return new long[] {id, version};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("previousLocal's o= sess-id/sess-version are not 0..2^63-2: "
                + o.sessionId() + " " + o.sessionVersion());
    }

    /** previousLocal if the new description equals it, else the new one with version + 1. */
    private static SessionDescription versioned(SessionDescription previousLocal, long[] idVersion,
                                                List<SdpLine> session, List<MediaDescription> media) {
        SessionDescription same = new SessionDescription(Origin.jsep(idVersion[0], idVersion[1]), "-", session, media);
        if (same.equals(previousLocal)) {
            return previousLocal;
        }
        return new SessionDescription(Origin.jsep(idVersion[0], idVersion[1] + 1), "-", session, media);
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
        // RFC 8840 §4.1.1 (paraphrased): a trickle agent signals "a=ice-options:trickle"; RFC 8839
        // §5.6: "ice-options = "ice-options:" ice-option-tag *(SP ice-option-tag)".
        if (!local.iceOptions().isEmpty()) {
            l.add(SdpLine.attribute("ice-options", String.join(" ", local.iceOptions())));
        }
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
