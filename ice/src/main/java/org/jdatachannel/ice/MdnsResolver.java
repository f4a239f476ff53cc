package org.jdatachannel.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-shot Multicast DNS resolver for the {@code <uuid>.local} host names browsers put in ICE
 * candidates (draft-ietf-mmusic-mdns-ice-candidates), following RFC 6762.
 *
 * <p>One call sends one query for the name's A and AAAA records (RFC 6762 §5.1 "one-shot
 * Multicast DNS query", from an ephemeral port, with the QU bit of §5.4 asking for a unicast
 * answer) to {@code 224.0.0.251:5353} on each given interface, and waits up to the time limit for
 * an answer. Only answers for exactly the asked name (case-insensitive, RFC 6762 §16) with a
 * well-formed A (4 bytes) or AAAA (16 bytes) record, sent from port 5353 by a host on the local
 * link of a queried interface (see {@link #acceptableSource}), are accepted; everything else is
 * ignored.
 *
 * <p>Bounds: the name must be a valid {@code .local} name of at most 255 bytes; datagrams up to
 * 9000 bytes are read (RFC 6762 §17), at most 64 resource records and 16 compression pointers per
 * message are examined; one call takes at most its time limit plus one socket operation. The
 * caller bounds concurrency ({@link IceAgent} resolves on its small shared pool).
 *
 * <p>Thread-safety: immutable; {@link #resolve} may be called from any thread.
 */
final class MdnsResolver {
    private static final Logger LOG = LoggerFactory.getLogger(MdnsResolver.class);

    /** RFC 6762 §3: the IPv4 mDNS group and port. */
    static final InetSocketAddress MDNS_IPV4 = new InetSocketAddress(ipv4(224, 0, 0, 251), 5353);
    /** RFC 6762 §17: "Multicast DNS messages carried by UDP may be up to the IP MTU ... 9000 bytes". */
    static final int MAX_MESSAGE = 9000;
    private static final int MAX_RECORDS = 64;
    private static final int MAX_POINTERS = 16;
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
    private static final int TYPE_A = 1;
    private static final int TYPE_AAAA = 28;
    private static final int CLASS_IN = 1;

    private final InetSocketAddress target;
    private final List<NetworkInterface> interfaces;
    /** The IPv4 subnets of {@link #interfaces}: where answers to a multicast query may come from. */
    private final List<Subnet> subnets;

    /**
     * An IPv4 subnet on a queried interface.
     *
     * @param address an interface address
     * @param prefix  its network prefix length, 0..32
     */
    record Subnet(InetAddress address, int prefix) {
        boolean contains(InetAddress a) {
            byte[] x = address.getAddress();
            byte[] y = a.getAddress();
            if (x.length != y.length) {
                return false;
            }
            int bits = Math.min(prefix, x.length * 8);
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((x[i / 8] & mask) != (y[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * @param target     where queries go: {@link #MDNS_IPV4} in production; tests use a
     *                   loopback responder's unicast address
     * @param interfaces multicast interfaces to send on (only used for a multicast target);
     *                   empty sends nothing to a multicast target
     */
    MdnsResolver(InetSocketAddress target, List<NetworkInterface> interfaces) {
        this.target = Objects.requireNonNull(target, "target");
        this.interfaces = List.copyOf(interfaces);
        List<Subnet> nets = new ArrayList<>();
        for (NetworkInterface nif : this.interfaces) {
            for (java.net.InterfaceAddress ia : nif.getInterfaceAddresses()) {
                if (ia.getAddress() instanceof Inet4Address) {
                    nets.add(new Subnet(ia.getAddress(), ia.getNetworkPrefixLength()));
                }
            }
        }
        this.subnets = List.copyOf(nets);
    }

    /**
     * Whether an answer from {@code from} may be believed. A unicast target (tests) must answer
     * from itself. For the multicast group: RFC 6762 §6: "The source UDP port in all Multicast
     * DNS responses MUST be 5353 ... Multicast DNS implementations MUST silently ignore any
     * Multicast DNS responses they receive where the source UDP port is not 5353"; and RFC 6762
     * §11 (paraphrased): a response is accepted only when its source address is on the local
     * link, a link-local address or one inside the subnet of an address of the interface it
     * arrived on (the socket is bound to the wildcard, so here: of an interface queried). This
     * keeps off-link hosts from answering for a browser's name.
     */
    static boolean acceptableSource(InetSocketAddress from, InetSocketAddress target, List<Subnet> subnets) {
        if (!target.getAddress().isMulticastAddress()) {
            return from.equals(target);
        }
        if (from.getPort() != target.getPort()) {
            return false;
        }
        InetAddress a = from.getAddress();
        if (a.isLinkLocalAddress()) {
            return true;
        }
        for (Subnet n : subnets) {
            if (n.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The production resolver: the IPv4 mDNS group, on the up, multicast-capable interfaces that
     * have an address accepted by {@code addressFilter} (so mDNS goes only where ICE may go).
     */
    static MdnsResolver forAddresses(java.util.function.Predicate<InetAddress> addressFilter) {
        List<NetworkInterface> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || !nif.supportsMulticast()) {
                    continue;
                }
                for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && addressFilter.test(a)) {
                        out.add(nif);
                        break;
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("listing interfaces for mDNS failed: {}", e.toString());
        }
        return new MdnsResolver(MDNS_IPV4, out);
    }

    /** @return whether {@code name} is a syntactically valid mDNS name ending in {@code .local} */
    static boolean isValidName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.getBytes(StandardCharsets.UTF_8).length > 253
                || !n.toLowerCase(Locale.ROOT).endsWith(".local")) {
            return false;
        }
        for (String label : n.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Resolves {@code name}, waiting at most {@code timeoutMs}.
     *
     * @param name      e.g. {@code "1f2e3d4c-0000-4000-8000-000000000000.local"}
     * @param timeoutMs time limit in milliseconds, 1..10000
     * @return the first address answered for the name, or null (invalid name, no interface, no
     *         answer in time, or a socket error; logged at DEBUG)
     */
    InetAddress resolve(String name, int timeoutMs) {
        if (timeoutMs < 1 || timeoutMs > 10_000) {
            throw new IllegalArgumentException("timeoutMs must be 1..10000, was " + timeoutMs);
        }
        if (!isValidName(name)) {
            LOG.debug("not a valid mDNS name: {}", name);
            return null;
        }
        boolean multicast = target.getAddress().isMulticastAddress();
        if (multicast && interfaces.isEmpty()) {
            LOG.debug("no multicast interface allowed for mDNS; not resolving {}", name);
            return null;
        }
        byte[] query = query(name);
        try (MulticastSocket s = new MulticastSocket(new InetSocketAddress(0))) {
            if (multicast) {
                s.setTimeToLive(255); // RFC 6762 §11: IP TTL 255
                for (NetworkInterface nif : interfaces) {
                    try {
                        s.setNetworkInterface(nif);
                        s.send(new DatagramPacket(query, query.length, target));
                    } catch (IOException e) {
                        LOG.debug("mDNS query on {} failed: {}", nif.getName(), e.toString());
                    }
                }
            } else {
                s.send(new DatagramPacket(query, query.length, target));
            }
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            byte[] buf = new byte[MAX_MESSAGE];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    LOG.debug("no mDNS answer for {} within {} ms", name, timeoutMs);
                    return null;
                }
                s.setSoTimeout((int) Math.max(1, left));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (!acceptableSource((InetSocketAddress) p.getSocketAddress(), target, subnets)) {
                    LOG.debug("ignoring mDNS datagram for {} from {} (not port 5353 on the local link)", name,
                            p.getSocketAddress());
                    continue;
                }
                InetAddress a = parseAnswer(buf, p.getLength(), name);
                if (a != null) {
                    LOG.debug("mDNS: {} is {}", name, a.getHostAddress());
                    return a;
                }
            }
        } catch (IOException e) {
            LOG.debug("mDNS resolution of {} failed: {}", name, e.toString());
            return null;
        }
    }

    /** Builds the query: RFC 1035 §4.1 header and two questions (A, AAAA) with the QU bit. */
    static byte[] query(String name) {
        byte[] qname = encodeName(name);
        ByteBuffer b = ByteBuffer.allocate(12 + 2 * (qname.length + 4));
        // RFC 6762 §18.1: "In multicast query messages, the Query Identifier SHOULD be set to zero".
        b.putShort((short) 0).putShort((short) 0).putShort((short) 2).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        for (int type : new int[] {TYPE_A, TYPE_AAAA}) {
            // RFC 6762 §5.4: the top bit of qclass is the "unicast response" (QU) bit.
            b.put(qname).putShort((short) type).putShort((short) (0x8000 | CLASS_IN));
        }
        return b.array();
    }

    private static byte[] encodeName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        ByteBuffer b = ByteBuffer.allocate(n.length() + 2);
        for (String label : n.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) l.length).put(l);
        }
        b.put((byte) 0);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /**
     * Parses a DNS response and returns the address of the first A/AAAA answer (or additional)
     * record for {@code name}; null if there is none or the message is malformed.
     */
    static InetAddress parseAnswer(byte[] msg, int len, String name) {
        try {
            if (len < 12 || len > msg.length) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(msg, 0, len);
            b.getShort(); // id: RFC 6762 §18.1, ignored in responses
            int flags = b.getShort() & 0xFFFF;
            // RFC 6762 §18.2: QR bit set in responses; §18.3: "Multicast DNS messages received
            // with an OPCODE other than zero MUST be silently ignored"; §18.11: nonzero RCODE too.
            if ((flags & 0x8000) == 0 || (flags & 0x7800) != 0 || (flags & 0x000F) != 0) {
                return null;
            }
            int qd = b.getShort() & 0xFFFF;
            int an = b.getShort() & 0xFFFF;
            int ns = b.getShort() & 0xFFFF;
            int ar = b.getShort() & 0xFFFF;
            String want = (name.endsWith(".") ? name.substring(0, name.length() - 1) : name).toLowerCase(Locale.ROOT);
            for (int i = 0; i < qd; i++) {
                if (i >= MAX_RECORDS) {
                    return null;
                }
                readName(msg, len, b);
                b.position(b.position() + 4);
            }
            int records = Math.min(an + ns + ar, MAX_RECORDS);
            for (int i = 0; i < records; i++) {
                String rname = readName(msg, len, b);
                int type = b.getShort() & 0xFFFF;
                b.getShort(); // class (top bit: cache-flush, RFC 6762 §10.2)
                b.getInt(); // TTL
                int rdlen = b.getShort() & 0xFFFF;
                if (rdlen > b.remaining()) {
                    return null;
                }
                int next = b.position() + rdlen;
                if (rname != null && rname.toLowerCase(Locale.ROOT).equals(want)) {
                    if (type == TYPE_A && rdlen == 4) {
                        byte[] a = new byte[4];
                        b.get(a);
                        return InetAddress.getByAddress(a);
                    }
                    if (type == TYPE_AAAA && rdlen == 16) {
                        byte[] a = new byte[16];
                        b.get(a);
                        return Inet6Address.getByAddress(null, a, null);
                    }
                }
                b.position(next);
            }
            return null;
        } catch (RuntimeException | java.net.UnknownHostException e) {
            return null; // malformed: ignored like any unrelated packet
        }
    }

    /** Reads a possibly compressed name (RFC 1035 §4.1.4); advances {@code b} past it. */
    private static String readName(byte[] msg, int len, ByteBuffer b) {
        StringBuilder sb = new StringBuilder();
        int pos = b.position();
        int after = -1;
        int pointers = 0;
        while (true) {
            if (pos >= len) {
                throw new IllegalArgumentException("name runs past the message");
            }
            int l = msg[pos] & 0xFF;
            if (l == 0) {
                pos++;
                break;
            }
            if ((l & 0xC0) == 0xC0) {
                if (pos + 1 >= len || ++pointers > MAX_POINTERS) {
                    throw new IllegalArgumentException("bad compression pointer");
                }
                if (after < 0) {
                    after = pos + 2;
                }
                pos = ((l & 0x3F) << 8) | (msg[pos + 1] & 0xFF);
                continue;
            }
            if ((l & 0xC0) != 0 || pos + 1 + l > len || sb.length() + l > 255) {
                throw new IllegalArgumentException("bad label");
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(new String(msg, pos + 1, l, StandardCharsets.ISO_8859_1));
            pos += 1 + l;
        }
        b.position(after >= 0 ? after : pos);
        return sb.toString();
    }

    private static InetAddress ipv4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
