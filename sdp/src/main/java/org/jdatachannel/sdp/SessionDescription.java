package org.jdatachannel.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A session description (RFC 8866): a lossless model with a parser and a serializer.
 *
 * <pre>
 *   Session description                 Media description (repeated)
 *     v=  (protocol version, "0")         m=  (media name and transport address)
 *     o=  (originator and session id)     i=* (media title)
 *     s=  (session name)                  c=* (connection information)
 *     i=* (session information)           b=* (bandwidth information)
 *     u=* (URI of description)            k=* (obsolete)
 *     e=* (email address)                 a=* (media attribute lines)
 *     p=* (phone number)
 *     c=* (connection information)
 *     b=* (bandwidth information)
 *     t=  (time the session is active) followed by r=* (repeat times), one or more times
 *     z=* (time zone adjustments)
 *     k=* (obsolete)
 *     a=* (session attribute lines)
 * </pre>
 *
 * <p>{@code v=}, {@code o=} and {@code s=} are typed ({@link #origin()}, {@link #sessionName()});
 * every other session-level line is kept verbatim in {@link #sessionLines()}, every media-level line
 * in {@link MediaDescription#lines()}, in the order written, including unknown attributes and lines
 * with unknown type letters. So {@code parse(x).serialize()} equals {@code x} with LF line ends
 * turned into CRLF, trailing empty lines dropped and runs of spaces in {@code o=}/{@code m=}
 * collapsed to one.
 *
 * <p>Parsing is bounded: at most {@value #MAX_TEXT_CHARS} characters, {@value #MAX_LINES} lines,
 * {@value #MAX_LINE_CHARS} characters per line. Every problem is reported as an
 * {@link SdpParseException} naming the 1-based line; no unchecked exception escapes
 * {@link #parse(String)} for any non-null input.
 *
 * <p>Immutable and thread-safe.
 *
 * @param origin       the {@code o=} line
 * @param sessionName  the value of the {@code s=} line (verbatim, may be {@code "-"})
 * @param sessionLines every session-level line after {@code s=}, in order (at least one {@code t=})
 * @param media        the media descriptions, in order (may be empty)
 */
public record SessionDescription(Origin origin, String sessionName, List<SdpLine> sessionLines,
                                 List<MediaDescription> media) {

    /** Largest accepted description, in characters (1 MiB). */
    public static final int MAX_TEXT_CHARS = 1 << 20;
    /** Largest accepted number of lines. */
    public static final int MAX_LINES = 100_000;
    /** Longest accepted line, in characters, without the line end. */
    public static final int MAX_LINE_CHARS = 65_536;

    /**
     * @throws IllegalArgumentException if an argument is null, the session lines contain
     *                                  {@code v= o= s= m=} lines, break the RFC 8866 §5 order rules or
     *                                  lack a {@code t=} line
     */
    public SessionDescription {
        if (origin == null) {
            throw new IllegalArgumentException("origin must not be null");
        }
        SdpLine.checkText(sessionName, "session name");
        sessionLines = List.copyOf(sessionLines);
        media = List.copyOf(media);
        OrderError e = checkSessionOrder(sessionLines);
        if (e != null) {
            throw new IllegalArgumentException(e.message);
        }
    }

    /** @return the protocol version; always 0 (RFC 8866 §5.1) */
    public int version() {
        return 0;
    }

    /** @return all session-level {@code a=} lines as attributes, in order */
    public List<Attribute> attributes() {
        return Attribute.allIn(sessionLines);
    }

    /**
     * @return the value of the first session-level attribute with this exact name; an empty string
     *         for a property attribute; empty when absent
     */
    public Optional<String> attribute(String name) {
        return Attribute.firstValueIn(sessionLines, name);
    }

    /** @return true if a session-level attribute with this exact name is present */
    public boolean hasAttribute(String name) {
        return attribute(name).isPresent();
    }

    /** @return the session-level lines with this type letter, in order */
    public List<SdpLine> sessionLines(char type) {
        List<SdpLine> out = new ArrayList<>();
        for (SdpLine l : sessionLines) {
            if (l.type() == type) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * 1-based line number, in {@link #serialize()} output (and so in the parsed text), of the
     * {@code m=} line of media section {@code mediaIndex}.
     */
    public int mediaLineNumber(int mediaIndex) {
        if (mediaIndex < 0 || mediaIndex >= media.size()) {
            throw new IllegalArgumentException("media index " + mediaIndex + " out of range 0.." + (media.size() - 1));
        }
        int n = 4 + sessionLines.size();
        for (int i = 0; i < mediaIndex; i++) {
            n += 1 + media.get(i).lines().size();
        }
        return n;
    }

    /** 1-based line number of {@code sessionLines().get(index)} in {@link #serialize()} output. */
    public int sessionLineNumber(int index) {
        return 4 + index;
    }

    /** @return the description as SDP text, CRLF after every line (RFC 8866 §5) */
    public String serialize() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("v=0\r\n");
        sb.append("o=").append(origin).append("\r\n");
        sb.append("s=").append(sessionName).append("\r\n");
        for (SdpLine l : sessionLines) {
            sb.append(l).append("\r\n");
        }
        for (MediaDescription m : media) {
            m.appendTo(sb);
        }
        return sb.toString();
    }

    /** @return {@link #serialize()} */
    @Override
    public String toString() {
        return serialize();
    }

    // ------------------------------------------------------------------------------------------
    // Parser

    /**
     * Parses a session description.
     *
     * <p>RFC 8866 §5: "The sequence CRLF (0x0d0a) is used to end a line, although parsers SHOULD be
     * tolerant and also accept lines terminated with a single newline character." Both are
     * accepted; empty lines at the end are ignored; any other empty line is an error.
     *
     * @param text the description (at most {@value #MAX_TEXT_CHARS} characters)
     * @return the parsed description
     * @throws SdpParseException        naming the 1-based line and the reason, for any malformed input
     * @throws IllegalArgumentException if {@code text} is null
     */
    public static SessionDescription parse(String text) throws SdpParseException {
        return parse(text, null);
    }

    /**
     * {@link #parse(String)} that adds to {@code work[0]} the number of characters it examined while
     * splitting and checking lines (tests use it as an upper bound on the parser's work).
     */
    static SessionDescription parse(String text, long[] work) throws SdpParseException {
        if (text == null) {
            throw new IllegalArgumentException("SDP text must not be null");
        }
        if (text.length() > MAX_TEXT_CHARS) {
            // Rejected before looking at a single character: no work, no allocation.
            throw new SdpParseException(0, "description is " + text.length() + " characters, limit is " + MAX_TEXT_CHARS);
        }
        List<SdpLine> lines = splitAndCheckLines(text, work);
        int count = lines.size();
        if (count == 0) {
            throw new SdpParseException(0, "description is empty");
        }

        // RFC 8866 §5: "Some lines in each description are required and some are optional, but all
        // MUST appear in exactly the order given here".
        SdpLine v = lines.get(0);
        if (v.type() != 'v') {
            throw new SdpParseException(1, "description must start with a v= line, found " + v.type() + "=");
        }
        // RFC 8866 §5.1 (paraphrased): the v= line gives the protocol version; only version 0 exists.
        if (!v.value().equals("0")) {
            throw new SdpParseException(1, "unsupported SDP version '" + clip(v.value()) + "', expected v=0");
        }
        if (count < 2 || lines.get(1).type() != 'o') {
            throw new SdpParseException(2, count < 2 ? "description ends before the o= line" : "second line must be o=, found " + lines.get(1).type() + "=");
        }
        Origin origin;
        try {
            origin = Origin.parse(lines.get(1).value(), 2);
        } catch (IllegalArgumentException e) {
            throw new SdpParseException(2, e.getMessage());
        }
        if (count < 3 || lines.get(2).type() != 's') {
            throw new SdpParseException(3, count < 3 ? "description ends before the s= line" : "third line must be s=, found " + lines.get(2).type() + "=");
        }
        String sessionName = lines.get(2).value();

        int i = nextMediaLine(lines, 3, count);
        List<SdpLine> session = lines.subList(3, i);
        OrderError se = checkSessionOrder(session);
        if (se != null) {
            int line = se.index < 0 ? Math.min(i + 1, count) : 4 + se.index;
            throw new SdpParseException(line, se.message);
        }

        List<MediaDescription> media = new ArrayList<>();
        while (i < count) {
            int mLine = i + 1;
            MediaLine ml;
            try {
                ml = MediaLine.parse(lines.get(i).value(), mLine);
            } catch (IllegalArgumentException e) {
                throw new SdpParseException(mLine, e.getMessage());
            }
            int end = nextMediaLine(lines, mLine, count);
            List<SdpLine> ms = lines.subList(mLine, end);
            i = end;
            OrderError me = checkMediaOrder0(ms);
            if (me != null) {
                throw new SdpParseException(mLine + 1 + me.index, me.message);
            }
            media.add(new MediaDescription(ml, ms));
        }
        return new SessionDescription(origin, sessionName, session, media);
    }

    /** @return the index of the first {@code m=} line at or after {@code from}, or {@code count} */
    private static int nextMediaLine(List<SdpLine> lines, int from, int count) {
        int i = from;
        while (i < count && lines.get(i).type() != 'm') {
            i++;
        }
        return i;
    }

    /**
     * Splits the text into lines and checks each one as soon as it is cut out, so that bad input
     * fails at its first bad line: at most {@value #MAX_LINE_CHARS} + 2 characters are looked at per
     * line, at most {@value #MAX_LINES} lines are kept, and the first line must already be
     * {@code v=}. Empty lines are allowed only at the end.
     */
    private static List<SdpLine> splitAndCheckLines(String text, long[] work) throws SdpParseException {
        List<SdpLine> out = new ArrayList<>();
        int start = 0;
        int n = text.length();
        long examined = 0;
        try {
            while (start < n) {
                // Look for the line end, but never further than one character past the line limit.
                int limit = (int) Math.min(n, (long) start + MAX_LINE_CHARS + 2);
                int nl = start;
                while (nl < limit && text.charAt(nl) != '\n') {
                    nl++;
                }
                examined += nl - start + 1;
                if (nl == limit && limit < n) {
                    throw new SdpParseException(out.size() + 1, "line is longer than the limit of " + MAX_LINE_CHARS + " characters");
                }
                int end = nl; // == n when the last line has no line end
                int contentEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
                if (contentEnd - start > MAX_LINE_CHARS) {
                    throw new SdpParseException(out.size() + 1, "line is " + (contentEnd - start)
                            + " characters, limit is " + MAX_LINE_CHARS);
                }
                int lineNo = out.size() + 1;
                if (contentEnd == start) {
                    // Empty lines are only accepted at the end (some stacks add a trailing blank line).
                    int k = end + 1;
                    while (k < n && (text.charAt(k) == '\n'
                            || (text.charAt(k) == '\r' && (k + 1 == n || text.charAt(k + 1) == '\n')))) {
                        k++;
                    }
                    examined += Math.max(0, k - end - 1);
                    if (k < n) {
                        throw new SdpParseException(lineNo, "empty line");
                    }
                    break;
                }
                if (lineNo > MAX_LINES) {
                    throw new SdpParseException(lineNo, "description has more than " + MAX_LINES + " lines");
                }
                SdpLine l = checkLine(text, start, contentEnd, lineNo);
                // The fixed head (RFC 8866 §5: v= o= s= first, in this order) is checked at once, so
                // that garbage is rejected after its first lines, not after splitting all of it.
                if (lineNo == 1 && l.type() != 'v') {
                    throw new SdpParseException(1, "description must start with a v= line, found " + l.type() + "=");
                }
                if (lineNo == 1 && !l.value().equals("0")) {
                    throw new SdpParseException(1, "unsupported SDP version '" + clip(l.value()) + "', expected v=0");
                }
                if (lineNo == 2 && l.type() != 'o') {
                    throw new SdpParseException(2, "second line must be o=, found " + l.type() + "=");
                }
                if (lineNo == 3 && l.type() != 's') {
                    throw new SdpParseException(3, "third line must be s=, found " + l.type() + "=");
                }
                out.add(l);
                start = nl + 1;
            }
        } finally {
            if (work != null) {
                work[0] += examined;
            }
        }
        return out;
    }

    private static SdpLine checkLine(String text, int from, int to, int line) throws SdpParseException {
        // RFC 8866 §5: "<type> MUST be exactly one case-significant character" and "Whitespace
        // MUST NOT be used on either side of the "=" sign."
        if (to - from < 2 || text.charAt(from + 1) != '=' || !SdpLine.isTypeLetter(text.charAt(from))) {
            throw new SdpParseException(line, "expected <letter>=<value>, found '"
                    + clip(text.substring(from, Math.min(to, from + 41))) + "'");
        }
        for (int k = from + 2; k < to; k++) {
            char c = text.charAt(k);
            if (c == '\r' || c == '\0') {
                throw new SdpParseException(line, (c == '\r' ? "bare CR" : "NUL") + " character at column " + (k - from + 1));
            }
        }
        char type = text.charAt(from);
        String value = text.substring(from + 2, to);
        if (type == 'a' && (value.isEmpty() || value.charAt(0) == ':')) {
            throw new SdpParseException(line, "a= line has an empty attribute name");
        }
        return new SdpLine(type, value);
    }

    // ------------------------------------------------------------------------------------------
    // Order rules (RFC 8866 §5), shared by the parser and the constructors.

    record OrderError(int index, String message) {
    }

    private static final String SESSION_ORDER = "iuepcbtrzka";
    private static final String MEDIA_ORDER = "icbka";

    /**
     * Checks session-level lines after {@code s=}. index -1 means "missing line" (no t=).
     */
    static OrderError checkSessionOrder(List<SdpLine> lines) {
        int rank = -1;
        char prevKnown = 's';
        boolean sawT = false;
        boolean[] once = new boolean[128];
        for (int i = 0; i < lines.size(); i++) {
            SdpLine l = lines.get(i);
            char t = l.type();
            if (t == 'v' || t == 'o' || t == 's' || t == 'm') {
                return new OrderError(i, t + "= line is not allowed here");
            }
            if (t == 'a' && (l.value().isEmpty() || l.value().charAt(0) == ':')) {
                return new OrderError(i, "a= line has an empty attribute name");
            }
            int r = SESSION_ORDER.indexOf(t);
            if (r < 0) {
                continue; // unknown type letter: kept verbatim, no order rule applies
            }
            if (t == 'r') {
                // RFC 8866 §5.10: "r=* (zero or more repeat times)" belongs to the preceding t= line.
                if (prevKnown != 't' && prevKnown != 'r') {
                    return new OrderError(i, "r= line must follow a t= or r= line");
                }
                continue;
            }
            if (r < rank) {
                return new OrderError(i, t + "= line is out of order (RFC 8866 §5 order is v o s i u e p c b t r z k a)");
            }
            // RFC 8866 §5: i=, u=, c=, z=, k= appear at most once at session level ("*" means zero or
            // more only for the others).
            if ((t == 'i' || t == 'u' || t == 'c' || t == 'z' || t == 'k') && once[t]) {
                return new OrderError(i, "more than one session-level " + t + "= line");
            }
            once[t] = true;
            if (t == 't') {
                sawT = true;
            }
            rank = r;
            prevKnown = t;
        }
        if (!sawT) {
            // RFC 8866 §5: "t=  (time the session is active)" is required (one or more time descriptions).
            return new OrderError(-1, "no t= line in the session section");
        }
        return null;
    }

    static String checkMediaOrder(List<SdpLine> lines) {
        OrderError e = checkMediaOrder0(lines);
        return e == null ? null : e.message;
    }

    private static OrderError checkMediaOrder0(List<SdpLine> lines) {
        int rank = -1;
        boolean[] once = new boolean[128];
        for (int i = 0; i < lines.size(); i++) {
            SdpLine l = lines.get(i);
            char t = l.type();
            if (t == 'a' && (l.value().isEmpty() || l.value().charAt(0) == ':')) {
                return new OrderError(i, "a= line has an empty attribute name");
            }
            if ("vosmuepztr".indexOf(t) >= 0) {
                return new OrderError(i, t + "= line is not allowed in a media section");
            }
            int r = MEDIA_ORDER.indexOf(t);
            if (r < 0) {
                continue;
            }
            if (r < rank) {
                return new OrderError(i, t + "= line is out of order (RFC 8866 §5 media order is m i c b k a)");
            }
            if ((t == 'i' || t == 'k') && once[t]) {
                return new OrderError(i, "more than one " + t + "= line in a media section");
            }
            once[t] = true;
            rank = r;
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------
    // Helpers shared by the element parsers.

    /** Splits on runs of spaces, ignoring leading and trailing spaces. */
    static List<String> fields(String value) {
        List<String> out = new ArrayList<>();
        int n = value.length();
        int i = 0;
        while (i < n) {
            while (i < n && value.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && value.charAt(i) != ' ') {
                i++;
            }
            if (i > start) {
                out.add(value.substring(start, i));
            }
        }
        return out;
    }

    /** Shortens and escapes text for an error message. */
    static String clip(String s) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(s.length(), 40);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (s.length() > n) {
            sb.append("...");
        }
        return sb.toString();
    }
}
