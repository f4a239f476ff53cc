package org.jdatachannel.sdp;

import java.util.List;

/**
 * The origin line (RFC 8866 §5.2).
 *
 * <pre>
 *   o=&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; &lt;nettype&gt; &lt;addrtype&gt; &lt;unicast-address&gt;
 *   o=- 4215775240449105457 2 IN IP4 127.0.0.1
 *   o=mozilla...THIS_IS_SDPARTA-99.0 5406479543337209421 0 IN IP4 0.0.0.0
 * </pre>
 *
 * <p>The session id and version are kept as the decimal strings written (RFC 8866 §9:
 * {@code sess-id = 1*DIGIT}) because some stacks write values that do not fit a signed 64-bit
 * integer. Immutable and thread-safe.
 *
 * @param username       user name, {@code "-"} when none; no spaces
 * @param sessionId      1 to 20 decimal digits
 * @param sessionVersion 1 to 20 decimal digits
 * @param netType        network type, normally {@code "IN"}
 * @param addrType       address type, normally {@code "IP4"} or {@code "IP6"}
 * @param address        unicast address or host name
 */
public record Origin(String username, String sessionId, String sessionVersion, String netType,
                     String addrType, String address) {

    /** Maximum number of digits accepted in the session id and version. */
    static final int MAX_DIGITS = 20;

    /** @throws IllegalArgumentException if a field is empty, contains white space or is not as described */
    public Origin {
        field(username, "origin username");
        field(netType, "origin nettype");
        field(addrType, "origin addrtype");
        field(address, "origin address");
        digits(sessionId, "origin sess-id");
        digits(sessionVersion, "origin sess-version");
    }

    /** Origin in the form JSEP uses: {@code - <id> <version> IN IP4 127.0.0.1}. */
    public static Origin jsep(long sessionId, long sessionVersion) {
        if (sessionId < 0 || sessionVersion < 0) {
            throw new IllegalArgumentException("session id and version must be >= 0, got "
                    + sessionId + " and " + sessionVersion);
        }
        return new Origin("-", Long.toString(sessionId), Long.toString(sessionVersion), "IN", "IP4", "127.0.0.1");
    }

    static Origin parse(String value, int line) throws SdpParseException {
        List<String> f = SessionDescription.fields(value);
        if (f.size() != 6) {
            throw new SdpParseException(line, "o= line needs 6 fields, found " + f.size());
        }
        if (!isDigits(f.get(1))) {
            throw new SdpParseException(line, "o= sess-id is not 1 to " + MAX_DIGITS + " digits: '"
                    + SessionDescription.clip(f.get(1)) + "'");
        }
        if (!isDigits(f.get(2))) {
            throw new SdpParseException(line, "o= sess-version is not 1 to " + MAX_DIGITS + " digits: '"
                    + SessionDescription.clip(f.get(2)) + "'");
        }
        return new Origin(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5));
    }

    private static void field(String s, String what) {
        SdpLine.checkText(s, what);
        if (s.isEmpty() || s.indexOf(' ') >= 0 || s.indexOf('\t') >= 0) {
            throw new IllegalArgumentException(what + " must be non-empty without spaces: '" + SessionDescription.clip(s) + "'");
        }
    }

    private static void digits(String s, String what) {
        SdpLine.checkText(s, what);
        if (!isDigits(s)) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX_DIGITS + " digits: '" + s + "'");
        }
    }

    static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > MAX_DIGITS) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** @return the value after {@code o=} */
    @Override
    public String toString() {
        return username + " " + sessionId + " " + sessionVersion + " " + netType + " " + addrType + " " + address;
    }
}
