package org.jdatachannel.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An ICE candidate attribute (RFC 8839 §5.1).
 *
 * <pre>
 * candidate-attribute   = "candidate" ":" foundation SP component-id SP
 *                         transport SP
 *                         priority SP
 *                         connection-address SP     ;from RFC 8866
 *                         port         ;port from RFC 8866
 *                         SP cand-type
 *                         [SP rel-addr]
 *                         [SP rel-port]
 *                         *(SP cand-extension)
 * foundation            = 1*32ice-char
 * component-id          = 1*3DIGIT
 * transport             = "UDP" / transport-extension
 * priority              = 1*10DIGIT
 * cand-type             = "typ" SP candidate-types
 * candidate-types       = "host" / "srflx" / "prflx" / "relay" / token
 * rel-addr              = "raddr" SP connection-address
 * rel-port              = "rport" SP port
 * cand-extension        = extension-att-name SP extension-att-value
 *
 * candidate:842163049 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0
 * </pre>
 *
 * <p>Immutable and thread-safe. Addresses are kept as written and never resolved (a {@code .local}
 * mDNS name stays a name).
 *
 * @param foundation     1 to 32 ice-chars ({@code ALPHA / DIGIT / "+" / "/"})
 * @param component      component id, 1 to 256 (RFC 8445: a component ID is a positive integer between 1 and 256)
 * @param transport      transport token as written, e.g. {@code udp}, {@code UDP}, {@code tcp}
 * @param priority       0 to 4294967295
 * @param address        connection address: IPv4, IPv6 or a host name such as {@code <uuid>.local}
 * @param port           0 to 65535
 * @param type           candidate type token: {@code host}, {@code srflx}, {@code prflx}, {@code relay}
 *                       or an extension token
 * @param relatedAddress {@code raddr}, or {@code null} when absent
 * @param relatedPort    {@code rport} 0 to 65535, or -1 when absent
 * @param extensions     extension name/value pairs after the fixed fields, in order
 */
public record Candidate(String foundation, int component, String transport, long priority, String address,
                        int port, String type, String relatedAddress, int relatedPort,
                        List<Extension> extensions) {

    /** Candidate type {@code host} (RFC 8839 §5.1). */
    public static final String HOST = "host";
    /** Candidate type {@code srflx}. */
    public static final String SRFLX = "srflx";
    /** Candidate type {@code prflx}. */
    public static final String PRFLX = "prflx";
    /** Candidate type {@code relay}. */
    public static final String RELAY = "relay";

    /** Largest number of extension pairs accepted on one candidate. */
    public static final int MAX_EXTENSIONS = 64;

    /**
     * One {@code extension-att-name SP extension-att-value} pair, e.g. {@code generation 0}.
     *
     * @param name  a token
     * @param value a non-empty run of visible characters
     */
    public record Extension(String name, String value) {
        /** @throws IllegalArgumentException if name is not a token or value is not 1*VCHAR */
        public Extension {
            if (!isToken(name)) {
                throw new IllegalArgumentException("candidate extension name must be a token: '" + name + "'");
            }
            if (!isVchars(value)) {
                throw new IllegalArgumentException("candidate extension value must be visible characters: '" + value + "'");
            }
        }

        @Override
        public String toString() {
            return name + " " + value;
        }
    }

    /** @throws IllegalArgumentException if any field violates the RFC 8839 §5.1 grammar or ranges above */
    public Candidate {
        String err = validate(foundation, component, transport, priority, address, port, type, relatedAddress, relatedPort);
        if (err != null) {
            throw new IllegalArgumentException(err);
        }
        extensions = List.copyOf(extensions);
        if (extensions.size() > MAX_EXTENSIONS) {
            throw new IllegalArgumentException("more than " + MAX_EXTENSIONS + " candidate extensions");
        }
    }

    /** A candidate without related address or extensions. */
    public static Candidate of(String foundation, int component, String transport, long priority,
                               String address, int port, String type) {
        return new Candidate(foundation, component, transport, priority, address, port, type, null, -1, List.of());
    }

    /**
     * Parses {@code candidate:...}, {@code a=candidate:...}, or the bare value after
     * {@code candidate:} (as found in the JavaScript {@code RTCIceCandidate.candidate} field without
     * prefix).
     *
     * @throws SdpParseException        with line number 0 and the reason, if the text does not match
     *                                  the grammar
     * @throws IllegalArgumentException if {@code text} is null
     */
    public static Candidate parse(String text) throws SdpParseException {
        if (text == null) {
            throw new IllegalArgumentException("candidate text must not be null");
        }
        if (text.length() > 4096) {
            throw new SdpParseException(0, "candidate is " + text.length() + " characters, limit is 4096");
        }
        String s = text;
        if (s.startsWith("a=")) {
            s = s.substring(2);
        }
        if (s.regionMatches(true, 0, "candidate:", 0, 10)) {
            s = s.substring(10);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new SdpParseException(0, "candidate contains a control character at index " + i);
            }
        }
        List<String> f = SessionDescription.fields(s);
        // Fixed part: foundation component transport priority address port "typ" type
        if (f.size() < 8) {
            throw new SdpParseException(0, "candidate needs at least 8 fields, found " + f.size());
        }
        String foundation = f.get(0);
        int component = parseInt(f.get(1), 3, "component-id");
        String transport = f.get(2);
        long priority = parseLong(f.get(3), 10, "priority");
        String address = f.get(4);
        int port = MediaLine.parsePortOrThrow(f.get(5), "candidate port");
        if (!f.get(6).equals("typ")) {
            throw new SdpParseException(0, "expected 'typ' after the port, found '" + SessionDescription.clip(f.get(6)) + "'");
        }
        String type = f.get(7);
        int i = 8;
        String raddr = null;
        int rport = -1;
        // RFC 8839 §5.1: "[SP rel-addr] [SP rel-port]" in that order, before extensions.
        if (i + 1 < f.size() && f.get(i).equals("raddr")) {
            raddr = f.get(i + 1);
            i += 2;
        }
        if (i + 1 < f.size() && f.get(i).equals("rport")) {
            rport = MediaLine.parsePortOrThrow(f.get(i + 1), "candidate rport");
            i += 2;
        }
        List<Extension> ext = new ArrayList<>();
        while (i < f.size()) {
            if (i + 1 >= f.size()) {
                throw new SdpParseException(0, "candidate extension '" + SessionDescription.clip(f.get(i)) + "' has no value");
            }
            if (ext.size() >= MAX_EXTENSIONS) {
                throw new SdpParseException(0, "more than " + MAX_EXTENSIONS + " candidate extensions");
            }
            String name = f.get(i);
            String value = f.get(i + 1);
            if (!isToken(name)) {
                throw new SdpParseException(0, "candidate extension name is not a token: '" + SessionDescription.clip(name) + "'");
            }
            if (!isVchars(value)) {
                throw new SdpParseException(0, "candidate extension value is not visible characters: '" + SessionDescription.clip(value) + "'");
            }
            ext.add(new Extension(name, value));
            i += 2;
        }
        String err = validate(foundation, component, transport, priority, address, port, type, raddr, rport);
        if (err != null) {
            throw new SdpParseException(0, err);
        }
        return new Candidate(foundation, component, transport, priority, address, port, type, raddr, rport, ext);
    }

    /** @return {@code candidate:<foundation> <component> ...}, the value of an {@code a=} line */
    public String toAttributeValue() {
        StringBuilder sb = new StringBuilder("candidate:");
        sb.append(foundation).append(' ').append(component).append(' ').append(transport).append(' ')
                .append(priority).append(' ').append(address).append(' ').append(port)
                .append(" typ ").append(type);
        if (relatedAddress != null) {
            sb.append(" raddr ").append(relatedAddress);
        }
        if (relatedPort != -1) {
            sb.append(" rport ").append(relatedPort);
        }
        for (Extension e : extensions) {
            sb.append(' ').append(e.name).append(' ').append(e.value);
        }
        return sb.toString();
    }

    /** @return the value of the first extension with this name (e.g. {@code generation}), if any */
    public Optional<String> extension(String name) {
        for (Extension e : extensions) {
            if (e.name.equals(name)) {
                return Optional.of(e.value);
            }
        }
        return Optional.empty();
    }

    /** @return the RFC 6544 {@code tcptype} extension ({@code active}, {@code passive}, {@code so}), if any */
    public Optional<String> tcpType() {
        return extension("tcptype");
    }

    /** @return true if the transport is UDP (compared case-insensitively) */
    public boolean isUdp() {
        return transport.equalsIgnoreCase("udp");
    }

    /** @return true if the address is an mDNS name ending in {@code .local} (RFC 8839 allows FQDNs) */
    public boolean isMdns() {
        return address.toLowerCase(Locale.ROOT).endsWith(".local");
    }

    /** @return {@link #toAttributeValue()} */
    @Override
    public String toString() {
        return toAttributeValue();
    }

    // ------------------------------------------------------------------------------------------

    private static String validate(String foundation, int component, String transport, long priority,
                                   String address, int port, String type, String raddr, int rport) {
        if (foundation == null || foundation.isEmpty() || foundation.length() > 32 || !isIceChars(foundation)) {
            return "candidate foundation must be 1 to 32 ice-chars (ALPHA / DIGIT / \"+\" / \"/\"): '"
                    + clipOrNull(foundation) + "'";
        }
        if (component < 1 || component > 256) {
            return "candidate component-id must be 1..256, got " + component;
        }
        if (!isToken(transport)) {
            return "candidate transport must be a token: '" + clipOrNull(transport) + "'";
        }
        if (priority < 0 || priority > 0xFFFF_FFFFL) {
            return "candidate priority must be 0..4294967295, got " + priority;
        }
        if (!isAddress(address)) {
            return "candidate connection-address is not an IP address or host name: '" + clipOrNull(address) + "'";
        }
        if (port < 0 || port > 65535) {
            return "candidate port must be 0..65535, got " + port;
        }
        if (!isToken(type)) {
            return "candidate type must be a token: '" + clipOrNull(type) + "'";
        }
        if (raddr != null && !isAddress(raddr)) {
            return "candidate raddr is not an IP address or host name: '" + clipOrNull(raddr) + "'";
        }
        if (rport != -1 && (rport < 0 || rport > 65535)) {
            return "candidate rport must be 0..65535 or -1, got " + rport;
        }
        return null;
    }

    private static String clipOrNull(String s) {
        return s == null ? "null" : SessionDescription.clip(s);
    }

    private static int parseInt(String s, int maxDigits, String what) throws SdpParseException {
        return (int) parseLong(s, maxDigits, what);
    }

    private static long parseLong(String s, int maxDigits, String what) throws SdpParseException {
        if (s.isEmpty() || s.length() > maxDigits) {
            throw new SdpParseException(0, "candidate " + what + " must be 1 to " + maxDigits + " digits: '"
                    + SessionDescription.clip(s) + "'");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new SdpParseException(0, "candidate " + what + " is not a number: '" + SessionDescription.clip(s) + "'");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    static boolean isIceChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAlnum(c) || c == '+' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** RFC 3261 token: 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"). */
    static boolean isToken(String s) {
        if (s == null || s.isEmpty() || s.length() > 256) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAlnum(c) || "-.!%*_+`'~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVchars(String s) {
        if (s == null || s.isEmpty() || s.length() > 1024) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Loose check for RFC 8866 connection-address (IPv4, IPv6, FQDN): letters, digits and
     * {@code . : - _ %} (the last for IPv6 zone ids), 1 to 255 characters. Never resolves names.
     */
    static boolean isAddress(String s) {
        if (s == null || s.isEmpty() || s.length() > 255) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAlnum(c) || c == '.' || c == ':' || c == '-' || c == '_' || c == '%')) {
                return false;
            }
        }
        return true;
    }
}
