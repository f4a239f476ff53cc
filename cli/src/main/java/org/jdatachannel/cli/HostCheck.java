package org.jdatachannel.cli;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which {@code Host} header values name this server: a defence against DNS rebinding, where a
 * page of {@code http://attacker.example:8080} makes its name resolve to this server's address
 * and then reads our endpoints as same-origin (its {@code Origin} and {@code Host} then agree, so
 * an {@code Origin} check alone lets it in). Such a request carries the attacker's name in
 * {@code Host}, so only these hosts are served (any port):
 * <ul>
 * <li>IP address literals (IPv4 dotted quad, bracketed IPv6): no name, nothing to rebind;</li>
 * <li>{@code localhost} and names ending in {@code .localhost} (RFC 6761 §6.3: they resolve to
 * loopback without DNS);</li>
 * <li>the names given with {@code serve --allowed-host} (compared case-insensitively).</li>
 * </ul>
 * A request without a {@code Host} (HTTP/1.0) is served.
 *
 * <p>Immutable, thread-safe.
 */
final class HostCheck {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})?");

    private final Set<String> names;

    /**
     * @param allowed host names to serve besides IP literals and localhost (no port), e.g. the
     *                public name of the demo server
     * @throws IllegalArgumentException if a name is not a DNS name (letters, digits, '-', '.')
     */
    HostCheck(Collection<String> allowed) {
        Set<String> s = new TreeSet<>();
        for (String n : allowed) {
            if (n == null || !NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("--allowed-host must be a host name without port, got '" + n + "'");
            }
            s.add(n.toLowerCase(Locale.ROOT));
        }
        this.names = Set.copyOf(s);
    }

    /**
     * @param host the host of the request's {@code Host} header without the port (IPv6 with or
     *             without brackets), or null if there was none
     * @return true if this server may answer it
     */
    boolean allows(String host) {
        if (host == null || host.isEmpty()) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1); // the absolute form names the same host
        }
        if (IPV4.matcher(h).matches() || h.startsWith("[") || h.contains(":")) {
            return true;
        }
        return h.equals("localhost") || h.endsWith(".localhost") || names.contains(h);
    }
}
