package org.jdatachannel.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which local addresses ICE may gather host candidates on: the {@code --ice-address} option.
 *
 * <p>Without explicit addresses the policy is that of browsers: every address except loopback,
 * link-local, wildcard and multicast ones. With explicit addresses, exactly those.
 *
 * <p>Immutable and thread-safe.
 */
public final class IceAddresses implements Predicate<InetAddress> {

    private final Set<InetAddress> allowed; // empty = default policy

    private IceAddresses(Set<InetAddress> allowed) {
        this.allowed = allowed;
    }

    /** The default policy: all non-loopback, non-link-local unicast addresses. */
    public static IceAddresses defaults() {
        return new IceAddresses(Set.of());
    }

    /**
     * Only the given addresses, or the default policy when the list is empty.
     *
     * @param literals IP address literals such as {@code 127.0.0.1} or {@code ::1}; never host names
     * @throws IllegalArgumentException if an entry is not an IPv4 or IPv6 literal
     */
    public static IceAddresses of(List<String> literals) {
        List<InetAddress> out = new ArrayList<>();
        for (String s : literals) {
            out.add(parseLiteral(s));
        }
        return new IceAddresses(Set.copyOf(out));
    }

    /**
     * Parses an IP literal without any DNS lookup.
     *
     * @throws IllegalArgumentException naming the value if it is not an IPv4 or IPv6 literal
     */
    public static InetAddress parseLiteral(String s) {
        if (s == null || s.isEmpty() || s.length() > 64) {
            throw new IllegalArgumentException("not an IP address: '" + s + "'");
        }
        boolean ipv4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = s.contains(":") && s.matches("[0-9A-Fa-f:.%\\[\\]a-zA-Z0-9]+");
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("not an IP address literal (host names are not accepted): '" + s + "'");
        }
        try {
            // A literal never triggers a lookup.
            return InetAddress.getByName(s);
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("not an IP address: '" + s + "'", e);
        }
    }

    /** Whether ICE may use this local address. */
    @Override
    public boolean test(InetAddress a) {
        if (!allowed.isEmpty()) {
            return allowed.contains(a);
        }
        return !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()
                && !a.isMulticastAddress();
    }

    /** The explicit addresses, empty for the default policy. */
    public Set<InetAddress> explicitAddresses() {
        return allowed;
    }

    @Override
    public String toString() {
        return allowed.isEmpty() ? "all non-loopback addresses" : allowed.toString();
    }
}
