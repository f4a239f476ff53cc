package org.jdatachannel.sdp;

import java.util.List;

/**
 * A media line (RFC 8866 §5.14).
 *
 * <pre>
 *   m=&lt;media&gt; &lt;port&gt;[/&lt;number of ports&gt;] &lt;proto&gt; &lt;fmt&gt; ...
 *   m=application 9 UDP/DTLS/SCTP webrtc-datachannel     (RFC 8841 §4.1 form)
 *   m=application 54111 DTLS/SCTP 5000                   (draft-ietf-mmusic-sctp-sdp-05 form)
 * </pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param media         media type, e.g. {@code application}, {@code audio}
 * @param port          transport port 0 to 65535; 0 marks a rejected or disabled section (RFC 8866 §5.14)
 * @param numberOfPorts the {@code /n} suffix, 1 to 65535, or -1 when absent
 * @param proto         transport protocol, e.g. {@code UDP/DTLS/SCTP}
 * @param formats       one or more media formats, in order
 */
public record MediaLine(String media, int port, int numberOfPorts, String proto, List<String> formats) {

    /** @throws IllegalArgumentException if a field is out of range, empty or contains white space */
    public MediaLine {
        token(media, "m= media");
        token(proto, "m= proto");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("m= port must be 0..65535, got " + port);
        }
        if (numberOfPorts != -1 && (numberOfPorts < 1 || numberOfPorts > 65535)) {
            throw new IllegalArgumentException("m= number of ports must be 1..65535 or -1, got " + numberOfPorts);
        }
        formats = List.copyOf(formats);
        if (formats.isEmpty()) {
            throw new IllegalArgumentException("m= line needs at least one format");
        }
        for (String f : formats) {
            token(f, "m= format");
        }
    }

    /** Convenience constructor without a number of ports. */
    public MediaLine(String media, int port, String proto, List<String> formats) {
        this(media, port, -1, proto, formats);
    }

    static MediaLine parse(String value, int line) throws SdpParseException {
        List<String> f = SessionDescription.fields(value);
        if (f.size() < 4) {
            throw new SdpParseException(line, "m= line needs at least 4 fields, found " + f.size());
        }
        String portField = f.get(1);
        int slash = portField.indexOf('/');
        String portText = slash < 0 ? portField : portField.substring(0, slash);
        int port = parsePort(portText, line, "m= port");
        int count = -1;
        if (slash >= 0) {
            count = parsePort(portField.substring(slash + 1), line, "m= number of ports");
            if (count < 1) {
                throw new SdpParseException(line, "m= number of ports must be at least 1, got " + count);
            }
        }
        return new MediaLine(f.get(0), port, count, f.get(2), f.subList(3, f.size()));
    }

    /** Parses a decimal port 0..65535, naming the field in the error. */
    static int parsePort(String s, int line, String what) throws SdpParseException {
        if (s.isEmpty() || s.length() > 5) {
            throw new SdpParseException(line, what + " is not a number 0..65535: '" + SessionDescription.clip(s) + "'");
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new SdpParseException(line, what + " is not a number: '" + SessionDescription.clip(s) + "'");
            }
            v = v * 10 + (c - '0');
        }
        if (v > 65535) {
            throw new SdpParseException(line, what + " is out of range 0..65535: " + v);
        }
        return v;
    }

    /** Like {@link #parsePort(String, int, String)} without a line number. */
    static int parsePortOrThrow(String s, String what) throws SdpParseException {
        return parsePort(s, 0, what);
    }

    private static void token(String s, String what) {
        SdpLine.checkText(s, what);
        if (s.isEmpty() || s.indexOf(' ') >= 0 || s.indexOf('\t') >= 0) {
            throw new IllegalArgumentException(what + " must be non-empty without spaces: '" + SessionDescription.clip(s) + "'");
        }
    }

    /** @return the value after {@code m=} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(media).append(' ').append(port);
        if (numberOfPorts != -1) {
            sb.append('/').append(numberOfPorts);
        }
        sb.append(' ').append(proto);
        for (String f : formats) {
            sb.append(' ').append(f);
        }
        return sb.toString();
    }
}
