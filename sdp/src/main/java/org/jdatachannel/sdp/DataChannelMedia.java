package org.jdatachannel.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * The data-channel view of a session description: the transport parameters of the first
 * {@code m=application} section that carries {@code webrtc-datachannel} (RFC 8841), with the
 * session-level fallbacks applied.
 *
 * <pre>
 *   m=application 9 UDP/DTLS/SCTP webrtc-datachannel    modern form (RFC 8841 §4.1)
 *   a=sctp-port:5000                                     RFC 8841 §5.1
 *   a=max-message-size:262144                            RFC 8841 §6.1
 *
 *   m=application 9 DTLS/SCTP 5000                       legacy form (draft-ietf-mmusic-sctp-sdp-05)
 *   a=sctpmap:5000 webrtc-datachannel 65535
 * </pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param mid             the {@code a=mid} value, or {@code null} when absent
 * @param iceUfrag        ICE user fragment (RFC 8839 §5.4); empty only for a rejected section
 * @param icePwd          ICE password (RFC 8839 §5.4); empty only for a rejected section
 * @param iceLite         true if {@code a=ice-lite} is present (RFC 8839 §5.3)
 * @param fingerprints    certificate fingerprints (RFC 8122 §5), at least one unless rejected
 * @param setup           the DTLS role attribute (RFC 8842), or {@code null} when absent
 * @param sctpPort        the SCTP port, 0..65535 (default {@value #DEFAULT_SCTP_PORT})
 * @param maxMessageSize  the largest message the peer accepts, in bytes, at least 1 (default
 *                        {@value #DEFAULT_MAX_MESSAGE_SIZE} when the attribute is absent;
 *                        {@link #NO_LIMIT} when the attribute says 0)
 * @param candidates      the media-level {@code a=candidate} lines in order, all components
 *                        (Pion repeats candidates for component 2; callers filter)
 * @param endOfCandidates true if {@code a=end-of-candidates} is present (media or session level)
 * @param legacySctpmap   true for the {@code DTLS/SCTP <port>} + {@code a=sctpmap} form
 * @param rejected        true if the m= port is 0 and the section is not {@code a=bundle-only}
 *                        (RFC 8843 §6: a zero port with bundle-only means "accept only if bundled")
 * @param iceOptions      the {@code a=ice-options} tokens (RFC 8839 §5.6), media level, else session
 *                        level, in order, at most {@value #MAX_ICE_OPTIONS}; {@code trickle}
 *                        (RFC 8840 §4.1.1) and {@code ice2} are the known ones. For local media these
 *                        are the options written into offers and answers.
 */
public record DataChannelMedia(String mid, String iceUfrag, String icePwd, boolean iceLite,
                               List<Fingerprint> fingerprints, Setup setup, int sctpPort, long maxMessageSize,
                               List<Candidate> candidates, boolean endOfCandidates, boolean legacySctpmap,
                               boolean rejected, List<String> iceOptions) {

    /** RFC 8841 §5.1 / RFC 8831: 5000 is the usual SCTP port for data channels. */
    public static final int DEFAULT_SCTP_PORT = 5000;
    /**
     * RFC 8841 §6.1: "If the SDP 'max-message-size' attribute is not present, the default value is
     * 64K." (64K taken as 65536, as libwebrtc does.)
     */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 65536;
    /** {@link #maxMessageSize()} value meaning "no limit" ({@code a=max-message-size:0}). */
    public static final long NO_LIMIT = Long.MAX_VALUE;
    /** The format token of a data-channel m= line (RFC 8841 §4.1). */
    public static final String WEBRTC_DATACHANNEL = "webrtc-datachannel";
    /** Largest number of candidates accepted in one section. */
    public static final int MAX_CANDIDATES = 1000;
    /** Largest number of fingerprints accepted in one section. */
    public static final int MAX_FINGERPRINTS = 16;
    /** Largest number of {@code a=ice-options} tokens accepted. */
    public static final int MAX_ICE_OPTIONS = 16;
    /** The {@code trickle} ice-option (RFC 8840 §4.1.1). */
    public static final String TRICKLE = "trickle";

    /**
     * @throws IllegalArgumentException if a string contains CR/LF/NUL/space, lists are null or too
     *                                  long, a port or size is out of range
     */
    public DataChannelMedia {
        if (mid != null) {
            word(mid, "mid");
            if (mid.isEmpty()) {
                throw new IllegalArgumentException("mid must not be empty (use null for none)");
            }
        }
        word(iceUfrag, "iceUfrag");
        word(icePwd, "icePwd");
        fingerprints = List.copyOf(fingerprints);
        candidates = List.copyOf(candidates);
        if (fingerprints.size() > MAX_FINGERPRINTS) {
            throw new IllegalArgumentException("more than " + MAX_FINGERPRINTS + " fingerprints");
        }
        if (candidates.size() > MAX_CANDIDATES) {
            throw new IllegalArgumentException("more than " + MAX_CANDIDATES + " candidates");
        }
        if (sctpPort < 0 || sctpPort > 65535) {
            throw new IllegalArgumentException("sctpPort must be 0..65535, got " + sctpPort);
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be >= 1 (NO_LIMIT for none), got " + maxMessageSize);
        }
        if (iceOptions == null) {
            throw new IllegalArgumentException("iceOptions must not be null (use List.of())");
        }
        iceOptions = List.copyOf(iceOptions);
        if (iceOptions.size() > MAX_ICE_OPTIONS) {
            throw new IllegalArgumentException("more than " + MAX_ICE_OPTIONS + " ice-options");
        }
        for (String o : iceOptions) {
            if (!Candidate.isIceChars(o) || o.isEmpty() || o.length() > 256) {
                throw new IllegalArgumentException("ice-option must be 1 to 256 ice-chars: '" + SessionDescription.clip(o) + "'");
            }
        }
    }

    /**
     * The form used before ice-options were modelled: same as the canonical constructor with
     * {@code iceOptions = [trickle]} (what {@link Jsep} has always written for local media).
     */
    public DataChannelMedia(String mid, String iceUfrag, String icePwd, boolean iceLite,
                            List<Fingerprint> fingerprints, Setup setup, int sctpPort, long maxMessageSize,
                            List<Candidate> candidates, boolean endOfCandidates, boolean legacySctpmap,
                            boolean rejected) {
        this(mid, iceUfrag, icePwd, iceLite, fingerprints, setup, sctpPort, maxMessageSize, candidates,
                endOfCandidates, legacySctpmap, rejected, List.of(TRICKLE));
    }

    /**
     * @return true if the description signals trickle ICE support with {@code a=ice-options:trickle}
     *         (RFC 8840 §4.1.1: "the "trickle" option ... indicates support for Trickle ICE")
     */
    public boolean trickle() {
        return iceOptions.contains(TRICKLE);
    }

    /**
     * Local media for an offer or answer: modern form, not rejected, not ice-lite, SCTP port 5000.
     *
     * @param setup {@link Setup#ACTPASS} for an offer; {@link Setup#ACTIVE} or {@link Setup#PASSIVE}
     *              for an answer
     */
    public static DataChannelMedia local(String mid, String iceUfrag, String icePwd, List<Fingerprint> fingerprints,
                                         Setup setup, long maxMessageSize, List<Candidate> candidates,
                                         boolean endOfCandidates) {
        return new DataChannelMedia(mid, iceUfrag, icePwd, false, fingerprints, setup, DEFAULT_SCTP_PORT,
                maxMessageSize, candidates, endOfCandidates, false, false, List.of(TRICKLE));
    }

    /** @return a copy with these candidates and end-of-candidates flag */
    public DataChannelMedia withCandidates(List<Candidate> newCandidates, boolean newEndOfCandidates) {
        return new DataChannelMedia(mid, iceUfrag, icePwd, iceLite, fingerprints, setup, sctpPort, maxMessageSize,
                newCandidates, newEndOfCandidates, legacySctpmap, rejected, iceOptions);
    }

    /** @return a copy with this setup role */
    public DataChannelMedia withSetup(Setup newSetup) {
        return new DataChannelMedia(mid, iceUfrag, icePwd, iceLite, fingerprints, newSetup, sctpPort, maxMessageSize,
                candidates, endOfCandidates, legacySctpmap, rejected, iceOptions);
    }

    /** @return a copy with this mid ({@code null} for none) */
    public DataChannelMedia withMid(String newMid) {
        return new DataChannelMedia(newMid, iceUfrag, icePwd, iceLite, fingerprints, setup, sctpPort, maxMessageSize,
                candidates, endOfCandidates, legacySctpmap, rejected, iceOptions);
    }

    private static void word(String s, String what) {
        SdpLine.checkText(s, what);
        if (s.indexOf(' ') >= 0 || s.indexOf('\t') >= 0) {
            throw new IllegalArgumentException(what + " must not contain spaces: '" + s + "'");
        }
    }

    /** @return a copy with these ICE credentials (an ICE restart, RFC 8839 §4.4.1.1.1) */
    public DataChannelMedia withIceCredentials(String newUfrag, String newPwd) {
        return new DataChannelMedia(mid, newUfrag, newPwd, iceLite, fingerprints, setup, sctpPort, maxMessageSize,
                candidates, endOfCandidates, legacySctpmap, rejected, iceOptions);
    }

    /** @return a copy with these ice-options ({@code List.of()} writes no {@code a=ice-options} line) */
    public DataChannelMedia withIceOptions(List<String> newIceOptions) {
        return new DataChannelMedia(mid, iceUfrag, icePwd, iceLite, fingerprints, setup, sctpPort, maxMessageSize,
                candidates, endOfCandidates, legacySctpmap, rejected, newIceOptions);
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Extracts the data-channel parameters from a description.
     *
     * <p>Picks the data-channel section: an {@code m=application} section whose formats include
     * {@code webrtc-datachannel}, or, in the legacy form, whose proto is {@code DTLS/SCTP} and that
     * has {@code a=sctpmap:<fmt> webrtc-datachannel ...}. With several, the first usable one (port
     * not 0, or {@code a=bundle-only}) wins; when none is usable, the first one (then
     * {@link #rejected()} is true). See {@link #dataSectionIndex}.
     *
     * <p>Where attributes are looked up: media level first; then, for a section of a
     * {@code a=group:BUNDLE} group that carries no {@code a=ice-ufrag} of its own (a
     * {@code bundle-only} section, RFC 8843 §6), the group's tagged (first) section; then session
     * level. This applies to ice-ufrag, ice-pwd, fingerprint, setup, ice-options, candidates and
     * end-of-candidates. {@code ice-lite} is read at session level (RFC 8839 §5.3) and, leniently,
     * at media level. Sections of the data section's BUNDLE group must not carry other ICE
     * credentials than the data section (RFC 8843 §7.1.1 / RFC 8839 §5.4, paraphrased: bundled
     * m= sections share one ICE transport and so one ufrag and password).
     *
     * <p>A rejected section (port 0) need not carry ICE credentials or fingerprints; they are then
     * empty.
     *
     * @throws SdpParseException        (with the line number where there is one) if there is no such
     *                                  section, ice-ufrag, ice-pwd or fingerprint is missing or
     *                                  malformed, ICE credentials differ within the BUNDLE group, or
     *                                  sctp-port, max-message-size, setup, sctpmap, ice-options or a
     *                                  candidate does not parse
     * @throws IllegalArgumentException if {@code sd} is null
     */
    public static DataChannelMedia from(SessionDescription sd) throws SdpParseException {
        if (sd == null) {
            throw new IllegalArgumentException("session description must not be null");
        }
        return from(sd, dataSectionIndex(sd, null));
    }

    /**
     * As {@link #from(SessionDescription)} for the data section chosen by
     * {@link #dataSectionIndex(SessionDescription, String)} with this preferred mid.
     */
    static DataChannelMedia from(SessionDescription sd, String preferredMid) throws SdpParseException {
        return from(sd, dataSectionIndex(sd, preferredMid));
    }

    private static DataChannelMedia from(SessionDescription sd, int index) throws SdpParseException {
        if (index < 0) {
            throw new SdpParseException(0, "no m=application section with " + WEBRTC_DATACHANNEL);
        }
        MediaDescription m = sd.media().get(index);
        int mLine = sd.mediaLineNumber(index);
        boolean bundleOnly = m.hasAttribute("bundle-only");
        boolean rejected = m.mediaLine().port() == 0 && !bundleOnly;

        String mid = null;
        Lookup midLook = new Lookup(sd, m, mLine, -1);
        String midText = midLook.media("mid");
        if (midText != null) {
            mid = midText.strip();
            if (mid.isEmpty() || mid.indexOf(' ') >= 0) {
                throw new SdpParseException(midLook.line, "a=mid must be one non-empty token");
            }
        }
        List<String> group = bundleGroupOf(sd, mid);
        int tagged = -1;
        if (group != null && !m.hasAttribute("ice-ufrag")) {
            int t = sectionWithMid(sd, group.get(0));
            if (t >= 0 && t != index) {
                tagged = t;
            }
        }
        Lookup look = new Lookup(sd, m, mLine, tagged);

        // RFC 8839 §5.4: "ice-pwd-att = "ice-pwd:" password; ice-ufrag-att = "ice-ufrag:" ufrag;
        // password = 22*256ice-char; ufrag = 4*256ice-char". Media level first, then session level.
        String ufrag = look.mediaOrSession("ice-ufrag");
        int ufragLine = look.line;
        String pwd = look.mediaOrSession("ice-pwd");
        int pwdLine = look.line;
        if (ufrag == null && !rejected) {
            throw new SdpParseException(mLine, "m=application section has no a=ice-ufrag at media or session level");
        }
        if (pwd == null && !rejected) {
            throw new SdpParseException(mLine, "m=application section has no a=ice-pwd at media or session level");
        }
        if (ufrag != null) {
            ufrag = ufrag.strip();
            checkIceChars(ufrag, 4, ufragLine, "ice-ufrag");
        }
        if (pwd != null) {
            pwd = pwd.strip();
            checkIceChars(pwd, 22, pwdLine, "ice-pwd");
        }
        if (group != null && !rejected && ufrag != null && pwd != null) {
            checkBundleCredentials(sd, group, index, ufrag, pwd);
        }

        // RFC 8839 §5.3: "ice-lite ... is a session-level attribute only".
        boolean iceLite = sd.hasAttribute("ice-lite") || m.hasAttribute("ice-lite");

        // RFC 8122 §5 (paraphrased): a fingerprint attribute may be session-level or media-level;
        // a media-level one applies to that media only, so it wins.
        List<Fingerprint> fps = new ArrayList<>();
        List<int[]> fpLines = look.allTransport("fingerprint");
        if (fpLines.isEmpty()) {
            fpLines = look.allSession("fingerprint");
        }
        for (int[] ref : fpLines) {
            if (fps.size() >= MAX_FINGERPRINTS) {
                throw new SdpParseException(ref[1], "more than " + MAX_FINGERPRINTS + " fingerprints");
            }
            fps.add(parseAt(ref, look, Fingerprint::parse));
        }
        if (fps.isEmpty() && !rejected) {
            throw new SdpParseException(mLine, "m=application section has no a=fingerprint at media or session level");
        }

        String setupText = look.mediaOrSession("setup");
        Setup setup = null;
        if (setupText != null) {
            try {
                setup = Setup.parse(setupText);
            } catch (SdpParseException e) {
                throw e.atLine(look.line);
            }
        }

        // RFC 8839 §5.6: "ice-options = "ice-options:" ice-option-tag *(SP ice-option-tag);
        // ice-option-tag = 1*ice-char" -- session or media level.
        List<String> iceOptions = new ArrayList<>();
        String optionsText = look.mediaOrSession("ice-options");
        if (optionsText != null) {
            // libdatachannel writes the list comma-separated ("a=ice-options:ice2,trickle"), so a
            // comma also separates tags (',' is no ice-char, so nothing valid is lost).
            for (String o : SessionDescription.fields(optionsText.replace(',', ' '))) {
                if (iceOptions.size() >= MAX_ICE_OPTIONS) {
                    throw new SdpParseException(look.line, "more than " + MAX_ICE_OPTIONS + " ice-options");
                }
                if (o.length() > 256 || !Candidate.isIceChars(o)) {
                    throw new SdpParseException(look.line, "ice-option is not 1 to 256 ice-chars: '"
                            + SessionDescription.clip(o) + "'");
                }
                iceOptions.add(o);
            }
            if (iceOptions.isEmpty()) {
                throw new SdpParseException(look.line, "a=ice-options has no option tag");
            }
        }

        MediaLine ml = m.mediaLine();
        boolean legacy = !ml.formats().contains(WEBRTC_DATACHANNEL);
        int sctpPort = DEFAULT_SCTP_PORT;
        if (legacy) {
            // draft-ietf-mmusic-sctp-sdp-05 §5: "a=sctpmap:<sctpmap-number> <app> <max-message-size>"
            // (the third field became the number of streams in practice; aiortc writes 65535).
            sctpPort = legacySctpmapPort(m, mLine);
        } else {
            // RFC 8841 §5.1: "sctp-port-attr = "a=sctp-port:" portnumber; portnumber = 1*5DIGIT".
            String portText = look.media("sctp-port");
            if (portText != null) {
                sctpPort = MediaLine.parsePort(portText.strip(), look.line, "a=sctp-port");
                // RFC 8841 §5 (paraphrased): the attribute carries the SCTP port number, and SCTP
                // ports are 1..65535 (RFC 9260 §3.1, paraphrased: port number 0 must not be used).
                if (sctpPort == 0) {
                    throw new SdpParseException(look.line, "a=sctp-port must be 1..65535, found 0");
                }
            }
        }

        long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        String mms = look.media("max-message-size");
        if (mms != null) {
            maxMessageSize = parseMaxMessageSize(mms.strip(), look.line);
        }

        List<Candidate> candidates = new ArrayList<>();
        for (int[] ref : look.allTransport("candidate")) {
            if (candidates.size() >= MAX_CANDIDATES) {
                throw new SdpParseException(ref[1], "more than " + MAX_CANDIDATES + " candidates");
            }
            candidates.add(parseAt(ref, look, v -> Candidate.parse("candidate:" + v)));
        }
        // RFC 8840 §8.2 (end-of-candidates): media level, or session level for all sections.
        boolean eoc = !look.allTransport("end-of-candidates").isEmpty() || sd.hasAttribute("end-of-candidates");

        try {
            return new DataChannelMedia(mid, ufrag == null ? "" : ufrag, pwd == null ? "" : pwd, iceLite, fps, setup,
                    sctpPort, maxMessageSize, candidates, eoc, legacy, rejected, iceOptions);
        } catch (IllegalArgumentException e) {
            throw new SdpParseException(mLine, e.getMessage());
        }
    }

    /**
     * RFC 8839 §5.4: "If two data streams have identical "ice-ufrag"s, they MUST have identical
     * "ice-pwd"s"; and the m= sections of one BUNDLE group share one ICE transport (RFC 8843
     * §7.1.1, paraphrased), so every usable section of the group that names its own credentials
     * must name the data section's.
     */
    private static void checkBundleCredentials(SessionDescription sd, List<String> group, int dataIndex,
                                               String ufrag, String pwd) throws SdpParseException {
        for (String other : group) {
            int i = sectionWithMid(sd, other);
            if (i < 0 || i == dataIndex) {
                continue;
            }
            MediaDescription om = sd.media().get(i);
            if (om.mediaLine().port() == 0 && !om.hasAttribute("bundle-only")) {
                continue; // rejected: its credentials do not matter
            }
            Lookup ol = new Lookup(sd, om, sd.mediaLineNumber(i), -1);
            String u = ol.media("ice-ufrag");
            if (u != null && !u.strip().equals(ufrag)) {
                throw new SdpParseException(ol.line, "a=ice-ufrag of BUNDLE section '" + SessionDescription.clip(other)
                        + "' differs from the data section's; bundled sections share one ICE transport");
            }
            String p = ol.media("ice-pwd");
            if (p != null && !p.strip().equals(pwd)) {
                throw new SdpParseException(ol.line, "a=ice-pwd of BUNDLE section '" + SessionDescription.clip(other)
                        + "' differs from the data section's; bundled sections share one ICE transport");
            }
        }
    }

    /**
     * The mids of the first session-level {@code a=group:BUNDLE} that lists {@code mid}, or null
     * (RFC 8843 §7: "a=group:BUNDLE" followed by identification-tags, the first being the tagged
     * m= section's).
     */
    static List<String> bundleGroupOf(SessionDescription sd, String mid) {
        if (mid == null) {
            return null;
        }
        for (Attribute a : sd.attributes()) {
            if (a.name().equals("group") && a.value() != null) {
                List<String> f = SessionDescription.fields(a.value());
                if (f.size() >= 2 && f.get(0).equals("BUNDLE") && f.subList(1, f.size()).contains(mid)) {
                    return f.subList(1, f.size());
                }
            }
        }
        return null;
    }

    /** Index of the first m= section whose a=mid is {@code mid}, or -1. */
    static int sectionWithMid(SessionDescription sd, String mid) {
        List<MediaDescription> media = sd.media();
        for (int i = 0; i < media.size(); i++) {
            if (media.get(i).mid().map(String::strip).filter(mid::equals).isPresent()) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the data section {@link #from(SessionDescription)} reads, or -1. */
    static int findDataSection(SessionDescription sd) {
        return dataSectionIndex(sd, null);
    }

    /**
     * Chooses the data-channel section (RFC 8829 §5.3.1, paraphrased: the answerer accepts what it
     * can and rejects the rest): the usable data section (port not 0, or {@code a=bundle-only})
     * whose mid is {@code preferredMid} if there is one; else the first usable data section; else
     * the first data section (rejected); else -1.
     *
     * @param sd           the description (not null)
     * @param preferredMid the mid negotiated before (a re-offer keeps it), or null
     * @return the index into {@code sd.media()}, or -1 when there is no data-channel section
     */
    public static int dataSectionIndex(SessionDescription sd, String preferredMid) {
        if (sd == null) {
            throw new IllegalArgumentException("session description must not be null");
        }
        List<MediaDescription> media = sd.media();
        int first = -1;
        int firstUsable = -1;
        for (int i = 0; i < media.size(); i++) {
            MediaDescription m = media.get(i);
            if (!isDataSection(m)) {
                continue;
            }
            if (first < 0) {
                first = i;
            }
            boolean usable = m.mediaLine().port() != 0 || m.hasAttribute("bundle-only");
            if (usable) {
                if (preferredMid != null && m.mid().map(String::strip).filter(preferredMid::equals).isPresent()) {
                    return i;
                }
                if (firstUsable < 0) {
                    firstUsable = i;
                }
            }
        }
        return firstUsable >= 0 ? firstUsable : first;
    }

    private static boolean isDataSection(MediaDescription m) {
        MediaLine ml = m.mediaLine();
        if (!ml.media().equals("application")) {
            return false;
        }
        if (ml.formats().contains(WEBRTC_DATACHANNEL)) {
            return true;
        }
        return ml.proto().endsWith("DTLS/SCTP") && legacyMapFor(m) != null;
    }

    /** The first a=sctpmap value naming webrtc-datachannel for a format of this section, or null. */
    private static String legacyMapFor(MediaDescription m) {
        for (Attribute a : m.attributes()) {
            if (a.name().equals("sctpmap") && a.value() != null) {
                List<String> f = SessionDescription.fields(a.value());
                if (f.size() >= 2 && f.get(1).equals(WEBRTC_DATACHANNEL) && m.mediaLine().formats().contains(f.get(0))) {
                    return a.value();
                }
            }
        }
        return null;
    }

    private static int legacySctpmapPort(MediaDescription m, int mLine) throws SdpParseException {
        List<SdpLine> lines = m.lines();
        for (int i = 0; i < lines.size(); i++) {
            SdpLine l = lines.get(i);
            if (!l.isAttribute()) {
                continue;
            }
            Attribute a = l.asAttribute();
            if (a.name().equals("sctpmap") && a.value() != null) {
                List<String> f = SessionDescription.fields(a.value());
                if (f.size() >= 2 && f.get(1).equals(WEBRTC_DATACHANNEL) && m.mediaLine().formats().contains(f.get(0))) {
                    int port = MediaLine.parsePort(f.get(0), mLine + 1 + i, "a=sctpmap port");
                    // RFC 9260 §3.1 (paraphrased): SCTP port number 0 must not be used.
                    if (port == 0) {
                        throw new SdpParseException(mLine + 1 + i, "a=sctpmap port must be 1..65535, found 0");
                    }
                    return port;
                }
            }
        }
        throw new SdpParseException(mLine, "legacy DTLS/SCTP section has no a=sctpmap for webrtc-datachannel");
    }

    /**
     * RFC 8841 §6.1: "max-message-size-value = 1*DIGIT" and "If the SDP 'max-message-size' attribute
     * contains a maximum message size value of zero, it indicates that the SCTP endpoint will handle
     * messages of any size" -- mapped to {@link #NO_LIMIT}.
     */
    static long parseMaxMessageSize(String s, int line) throws SdpParseException {
        if (s.isEmpty() || s.length() > 19) {
            throw new SdpParseException(line, "a=max-message-size must be 1 to 19 digits, found '" + SessionDescription.clip(s) + "'");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new SdpParseException(line, "a=max-message-size is not a number: '" + SessionDescription.clip(s) + "'");
            }
            v = v * 10 + (c - '0');
            if (v < 0) {
                throw new SdpParseException(line, "a=max-message-size is too large: '" + SessionDescription.clip(s) + "'");
            }
        }
        return v == 0 ? NO_LIMIT : v;
    }

    private static void checkIceChars(String s, int min, int line, String what) throws SdpParseException {
        if (s.length() < min || s.length() > 256 || !Candidate.isIceChars(s)) {
            throw new SdpParseException(line, "a=" + what + " must be " + min + " to 256 ice-chars (ALPHA / DIGIT / \"+\" / \"/\"), found '"
                    + SessionDescription.clip(s) + "'");
        }
    }

    private interface ValueParser<T> {
        T parse(String value) throws SdpParseException;
    }

    private static <T> T parseAt(int[] ref, Lookup look, ValueParser<T> p) throws SdpParseException {
        String value = look.valueOf(ref);
        try {
            return p.parse(value);
        } catch (SdpParseException e) {
            throw e.atLine(ref[1]);
        }
    }

    /**
     * Attribute lookups that remember the line number of the last hit: the data section, then
     * (when {@code tagged >= 0}) the BUNDLE-tagged section that carries its transport, then the
     * session level.
     */
    private static final class Lookup {
        final SessionDescription sd;
        final MediaDescription m;
        final int mLine;
        final MediaDescription t;
        final int tLine;
        int line;

        Lookup(SessionDescription sd, MediaDescription m, int mLine, int tagged) {
            this.sd = sd;
            this.m = m;
            this.mLine = mLine;
            this.t = tagged >= 0 ? sd.media().get(tagged) : null;
            this.tLine = tagged >= 0 ? sd.mediaLineNumber(tagged) : 0;
        }

        String media(String name) {
            return in(m, mLine, name);
        }

        private String in(MediaDescription md, int firstLine, String name) {
            List<SdpLine> lines = md.lines();
            for (int i = 0; i < lines.size(); i++) {
                String v = valueIfNamed(lines.get(i), name);
                if (v != null) {
                    line = firstLine + 1 + i;
                    return v;
                }
            }
            return null;
        }

        String session(String name) {
            List<SdpLine> lines = sd.sessionLines();
            for (int i = 0; i < lines.size(); i++) {
                String v = valueIfNamed(lines.get(i), name);
                if (v != null) {
                    line = sd.sessionLineNumber(i);
                    return v;
                }
            }
            return null;
        }

        String mediaOrSession(String name) {
            String v = media(name);
            if (v == null && t != null) {
                v = in(t, tLine, name);
            }
            return v != null ? v : session(name);
        }

        /**
         * The data section's lines with this name, or if none, the tagged section's. Each ref is
         * {0 = data section / 1 = session / 2 = tagged section, line number, index}.
         */
        List<int[]> allTransport(String name) {
            List<int[]> out = all(m, mLine, 0, name);
            if (out.isEmpty() && t != null) {
                out = all(t, tLine, 2, name);
            }
            return out;
        }

        private static List<int[]> all(MediaDescription md, int firstLine, int kind, String name) {
            List<int[]> out = new ArrayList<>();
            List<SdpLine> lines = md.lines();
            for (int i = 0; i < lines.size(); i++) {
                if (valueIfNamed(lines.get(i), name) != null) {
                    out.add(new int[] {kind, firstLine + 1 + i, i});
                }
            }
            return out;
        }

        List<int[]> allSession(String name) {
            List<int[]> out = new ArrayList<>();
            List<SdpLine> lines = sd.sessionLines();
            for (int i = 0; i < lines.size(); i++) {
                if (valueIfNamed(lines.get(i), name) != null) {
                    out.add(new int[] {1, sd.sessionLineNumber(i), i});
                }
            }
            return out;
        }

        String valueOf(int[] ref) {
            SdpLine l = switch (ref[0]) {
                case 0 -> m.lines().get(ref[2]);
                case 2 -> t.lines().get(ref[2]);
                default -> sd.sessionLines().get(ref[2]);
            };
            Attribute a = l.asAttribute();
            return a.value() == null ? "" : a.value();
        }

        private static String valueIfNamed(SdpLine l, String name) {
            if (!l.isAttribute()) {
                return null;
            }
            Attribute a = l.asAttribute();
            if (!a.name().equals(name)) {
                return null;
            }
            return a.value() == null ? "" : a.value();
        }
    }
}
