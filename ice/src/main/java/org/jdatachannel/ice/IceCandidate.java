package org.jdatachannel.ice;

import java.util.Objects;

/**
 * One ICE candidate as exchanged over signalling (RFC 8445 §5.1, SDP form in RFC 8839 §5.1).
 *
 * <pre>
 * candidate:&lt;foundation&gt; &lt;component&gt; &lt;transport&gt; &lt;priority&gt; &lt;address&gt; &lt;port&gt; typ &lt;type&gt;
 *           [raddr &lt;relatedAddress&gt; rport &lt;relatedPort&gt;]
 * </pre>
 *
 * <p>The {@code datachannel} module maps this record to and from {@code sdp.Candidate}.
 * Immutable and thread-safe.
 *
 * @param foundation     1 to 32 ice-chars (RFC 8839 §5.1), not validated beyond non-empty
 * @param component      component id, 1 to 256 (data channels use 1 only)
 * @param transport      transport token, e.g. {@code "udp"} (compared case-insensitively)
 * @param priority       candidate priority, 1 to 2^31-1 (0 accepted for lenience)
 * @param address        IP literal or host name (browsers use {@code <uuid>.local} mDNS names)
 * @param port           0 to 65535
 * @param type           {@code host}, {@code srflx}, {@code prflx} or {@code relay} (any case,
 *                       stored lower-case)
 * @param relatedAddress related address for srflx/prflx/relay, or {@code null}
 * @param relatedPort    related port, or -1 when absent
 */
public record IceCandidate(String foundation, int component, String transport, long priority,
                           String address, int port, String type, String relatedAddress,
                           int relatedPort) {

    /** Validates the fields; see the record description for the ranges. */
    public IceCandidate {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(type, "type");
        // RFC 5234 §2.3: ABNF quoted strings such as "host" are case-insensitive.
        type = type.toLowerCase(java.util.Locale.ROOT);
        if (foundation.isEmpty()) {
            throw new IllegalArgumentException("foundation must not be empty");
        }
        if (component < 1 || component > 256) {
            throw new IllegalArgumentException("component must be 1..256, was " + component);
        }
        if (priority < 0 || priority > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("priority must be 0..2^32-1, was " + priority);
        }
        if (address.isEmpty()) {
            throw new IllegalArgumentException("address must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (!type.equals("host") && !type.equals("srflx") && !type.equals("prflx")
                && !type.equals("relay")) {
            throw new IllegalArgumentException("type must be host|srflx|prflx|relay, was " + type);
        }
        if (relatedPort < -1 || relatedPort > 65535) {
            throw new IllegalArgumentException("relatedPort must be -1..65535, was " + relatedPort);
        }
    }

    /** A host UDP candidate with no related address. */
    public static IceCandidate host(String foundation, long priority, String address, int port) {
        return new IceCandidate(foundation, 1, "udp", priority, address, port, "host", null, -1);
    }

    /** @return whether the address is an mDNS name ({@code .local}, RFC 8839 / draft-ietf-mmusic-mdns-ice-candidates) */
    public boolean isMdns() {
        return address.toLowerCase(java.util.Locale.ROOT).endsWith(".local");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("candidate:").append(foundation).append(' ')
                .append(component).append(' ').append(transport).append(' ').append(priority)
                .append(' ').append(address).append(' ').append(port).append(" typ ").append(type);
        if (relatedAddress != null) {
            sb.append(" raddr ").append(relatedAddress).append(" rport ").append(relatedPort);
        }
        return sb.toString();
    }
}
