package org.jdatachannel.ice;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One STUN or TURN server, shaped like the W3C {@code RTCIceServer} dictionary
 * ({@code {urls, username, credential}}). Immutable and thread-safe.
 *
 * <p>URL grammar (checked by the constructor, see {@link Url#parse}):
 * <pre>
 *   stun:host[:port]                        RFC 7064 §3.1, default port 3478
 *   stuns:host[:port]                       RFC 7064 §3.1, default port 5349
 *   turn:host[:port][?transport=udp|tcp]    RFC 7065 §3.1, default port 3478
 *   turns:host[:port][?transport=tcp]       RFC 7065 §3.1, default port 5349
 * </pre>
 * {@code host} is a DNS name, an IPv4 literal or an IPv6 literal in brackets. Names are resolved
 * only when gathering, in the background.
 *
 * <p>What {@link IceAgent} uses (ice4j 3.2 limits, see docs/ICE4J.md): {@code stun:} over UDP for
 * server-reflexive candidates, {@code turn:} with UDP transport for relayed candidates (and the
 * server-reflexive candidate the Allocate response reveals). {@code stuns:}, {@code turn:...?transport=tcp}
 * and {@code turns:} are accepted (so a browser's configuration can be passed as is) but skipped
 * when gathering, with a log line: ice4j's TURN client runs only on a UDP host candidate.
 *
 * @param urls       1..{@link #MAX_URLS} URLs, each at most {@link #MAX_URL_LENGTH} characters
 * @param username   TURN username (long-term credential, RFC 8489 §9.2), required when any URL
 *                   is {@code turn:}/{@code turns:}; may be null otherwise
 * @param credential TURN password, required with {@code username}; may be null otherwise
 */
public record IceServer(List<String> urls, String username, String credential) {

    /** Most URLs accepted in one server entry. */
    public static final int MAX_URLS = 16;
    /** Longest URL accepted, in characters. */
    public static final int MAX_URL_LENGTH = 1024;
    /** Longest username or credential accepted, in characters (RFC 8489 §14.3: username &lt; 509 bytes). */
    public static final int MAX_CREDENTIAL_LENGTH = 508;
    /** Default port of {@code stun:} and {@code turn:} (RFC 7064 §3.2, RFC 7065 §3.2). */
    public static final int DEFAULT_PORT = 3478;
    /** Default port of {@code stuns:} and {@code turns:} (RFC 7064 §3.2, RFC 7065 §3.2). */
    public static final int DEFAULT_TLS_PORT = 5349;

    /**
     * Validates the entry.
     *
     * @throws IllegalArgumentException naming the URL that does not parse, when there are no or
     *                                  too many URLs, or when a TURN URL has no username or credential
     * @throws NullPointerException     if {@code urls} or one of its elements is null
     */
    public IceServer {
        urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
        if (urls.isEmpty() || urls.size() > MAX_URLS) {
            throw new IllegalArgumentException("an ICE server needs 1.." + MAX_URLS + " urls, got " + urls.size());
        }
        boolean turn = false;
        for (String u : urls) {
            Url parsed = Url.parse(u);
            turn |= parsed.scheme() == Scheme.TURN || parsed.scheme() == Scheme.TURNS;
        }
        // W3C webrtc-pc §4.4.1.1 (set the configuration), for a turn/turns URL: "If
        // server.username does not exist or server.credential does not exist, throw an
        // InvalidAccessError."
        if (turn && (username == null || credential == null)) {
            throw new IllegalArgumentException("TURN server " + urls + " needs a username and a credential");
        }
        if (username != null && username.length() > MAX_CREDENTIAL_LENGTH) {
            throw new IllegalArgumentException("username longer than " + MAX_CREDENTIAL_LENGTH + " characters");
        }
        if (credential != null && credential.length() > MAX_CREDENTIAL_LENGTH) {
            throw new IllegalArgumentException("credential longer than " + MAX_CREDENTIAL_LENGTH + " characters");
        }
    }

    /**
     * A STUN server without credentials.
     *
     * @param url e.g. {@code "stun:stun.example.org:3478"}
     * @return the entry
     * @throws IllegalArgumentException if the URL does not parse
     */
    public static IceServer stun(String url) {
        return new IceServer(List.of(url), null, null);
    }

    /**
     * A TURN server with long-term credentials.
     *
     * @param url        e.g. {@code "turn:turn.example.org?transport=udp"}
     * @param username   the username
     * @param credential the password
     * @return the entry
     * @throws IllegalArgumentException if the URL does not parse or a credential is missing
     */
    public static IceServer turn(String url, String username, String credential) {
        return new IceServer(List.of(url), username, credential);
    }

    /** @return the URLs parsed, in order */
    public List<Url> parsedUrls() {
        List<Url> out = new ArrayList<>(urls.size());
        for (String u : urls) {
            out.add(Url.parse(u));
        }
        return out;
    }

    @Override
    public String toString() {
        // Never print the credential.
        return "IceServer" + urls + (username == null ? "" : " user=" + username);
    }

    /** URL scheme. */
    public enum Scheme {
        /** {@code stun:} (RFC 7064). */
        STUN,
        /** {@code stuns:} STUN over TLS (RFC 7064). */
        STUNS,
        /** {@code turn:} (RFC 7065). */
        TURN,
        /** {@code turns:} TURN over TLS (RFC 7065). */
        TURNS
    }

    /** Transport to the server. */
    public enum Transport {
        /** UDP. */
        UDP,
        /** TCP (TLS over TCP for {@code stuns:}/{@code turns:}). */
        TCP
    }

    /**
     * One parsed STUN/TURN URL.
     *
     * @param scheme    the scheme
     * @param host      DNS name or IP literal (IPv6 without brackets)
     * @param port      1..65535 (the scheme's default when the URL has none)
     * @param transport UDP for {@code stun:} and {@code turn:} without a transport parameter, TCP
     *                  for {@code stuns:} and {@code turns:} without one
     */
    public record Url(Scheme scheme, String host, int port, Transport transport) {

        /**
         * Parses a STUN or TURN URL (RFC 7064 §3.1, RFC 7065 §3.1).
         *
         * @param url the URL
         * @return the parsed form
         * @throws IllegalArgumentException naming the URL and what is wrong with it
         * @throws NullPointerException     if {@code url} is null
         */
        public static Url parse(String url) {
            Objects.requireNonNull(url, "url");
            if (url.length() > MAX_URL_LENGTH) {
                throw new IllegalArgumentException("ICE server URL longer than " + MAX_URL_LENGTH + " characters");
            }
            int colon = url.indexOf(':');
            if (colon < 0) {
                throw bad(url, "no scheme (expected stun:, stuns:, turn: or turns:)");
            }
            Scheme scheme = switch (url.substring(0, colon).toLowerCase(Locale.ROOT)) {
                case "stun" -> Scheme.STUN;
                case "stuns" -> Scheme.STUNS;
                case "turn" -> Scheme.TURN;
                case "turns" -> Scheme.TURNS;
                default -> throw bad(url, "unknown scheme (expected stun:, stuns:, turn: or turns:)");
            };
            boolean tls = scheme == Scheme.STUNS || scheme == Scheme.TURNS;
            String rest = url.substring(colon + 1);
            Transport transport = tls ? Transport.TCP : Transport.UDP;
            int q = rest.indexOf('?');
            if (q >= 0) {
                String query = rest.substring(q + 1);
                rest = rest.substring(0, q);
                // RFC 7064 §3.1: stunURI has no query; RFC 7065 §3.1: turnURI = scheme ":" host
                // [ ":" port ] [ "?transport=" transport ].
                if (scheme == Scheme.STUN || scheme == Scheme.STUNS) {
                    throw bad(url, "a STUN URL has no query (RFC 7064 §3.1)");
                }
                String t = query.toLowerCase(Locale.ROOT);
                if (t.equals("transport=udp")) {
                    if (tls) {
                        throw bad(url, "turns: with transport=udp (DTLS) is not supported");
                    }
                    transport = Transport.UDP;
                } else if (t.equals("transport=tcp")) {
                    transport = Transport.TCP;
                } else {
                    throw bad(url, "query must be transport=udp or transport=tcp");
                }
            }
            if (rest.startsWith("//")) {
                throw bad(url, "no '//' after the scheme (RFC 7064 §3.1: stun:host[:port])");
            }
            String host;
            String portText = null;
            if (rest.startsWith("[")) {
                int close = rest.indexOf(']');
                if (close < 0) {
                    throw bad(url, "unterminated IPv6 literal");
                }
                host = rest.substring(1, close);
                if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+") || host.indexOf(':') < 0) {
                    throw bad(url, "bad IPv6 literal");
                }
                String after = rest.substring(close + 1);
                if (!after.isEmpty()) {
                    if (!after.startsWith(":")) {
                        throw bad(url, "unexpected text after the IPv6 literal");
                    }
                    portText = after.substring(1);
                }
            } else {
                int c = rest.indexOf(':');
                host = c < 0 ? rest : rest.substring(0, c);
                if (c >= 0) {
                    portText = rest.substring(c + 1);
                }
                // RFC 3986 §3.2.2 reg-name / IPv4address; we accept letters, digits, '-', '.', '_'.
                if (host.isEmpty() || !host.matches("[A-Za-z0-9._-]+") || host.startsWith(".")) {
                    throw bad(url, "bad host");
                }
            }
            int port = tls ? DEFAULT_TLS_PORT : DEFAULT_PORT;
            if (portText != null) {
                if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
                    throw bad(url, "bad port");
                }
                port = Integer.parseInt(portText);
                if (port < 1 || port > 65535) {
                    throw bad(url, "port must be 1..65535");
                }
            }
            return new Url(scheme, host, port, transport);
        }

        private static IllegalArgumentException bad(String url, String why) {
            return new IllegalArgumentException("bad ICE server URL '" + url + "': " + why);
        }

        /** @return whether this is {@code turn:} or {@code turns:} */
        public boolean isTurn() {
            return scheme == Scheme.TURN || scheme == Scheme.TURNS;
        }
    }
}
