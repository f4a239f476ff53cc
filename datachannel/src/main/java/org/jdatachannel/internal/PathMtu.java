package org.jdatachannel.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jdatachannel.ice.IceAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MAX_PLPMTU for SCTP's Datagram PLPMTUD (RFC 8899) when SCTP runs over DTLS over ICE (RFC 8261):
 * the largest SCTP packet (bytes, common header included) whose DTLS record, in its UDP datagram,
 * fits the local interface the datagram leaves from, and which DTLS accepts in one record. RFC 8899
 * §5.1.2: "The MAX_PLPMTU is the largest size of PLPMTU. This has to be less than or equal to the
 * maximum size of the PL packet that can be sent on the outgoing interface (constrained by the local
 * interface MTU)."
 *
 * <p>The path beyond the interface is found out by probing, with one limitation: Java 17 cannot set
 * the IP Don't Fragment option on a UDP socket, so our datagrams leave without DF. Once a router has
 * sent an ICMP "packet too big" for the peer, Linux fragments larger datagrams to it locally; a probe
 * above the real path MTU then arrives in IP fragments, is answered, and is confirmed, and larger
 * packets travel fragmented from then on (a lost fragment loses the whole packet). What bounds the
 * damage: MAX_PLPMTU never exceeds what the local interface carries unfragmented, and the automatic
 * value never exceeds {@link #BROWSER_SAFE} (2048 bytes: at most two fragments on a 1500-byte path).
 *
 * <p>Relayed paths (our local candidate is a TURN relayed one) get no discovery (0): ice4j reads
 * datagrams from the TURN server (ChannelData, RFC 8656 §12.4) into a 1500-byte buffer, and our host
 * socket drops STUN-range datagrams above 1500 bytes (HostSocket.MAX_STUN_DATAGRAM), so Data
 * indications (§11.6) above about 1500 bytes are lost on our side whatever the path carries; and a
 * TURN server may switch between ChannelData (4 bytes of framing) and Send/Data indications (36 and
 * more; ice4j adds SOFTWARE "ice4j.org", 16 bytes, and FINGERPRINT, 8, to every STUN message it
 * sends: 63 bytes towards an IPv4 peer, 75 towards an IPv6 one), so a size confirmed through one
 * framing fails through the other, and DATA chunks that already have a TSN cannot be fragmented again:
 * the association would end after Association.Max.Retrans retransmissions.
 *
 * <p>Stateless but for a small cache of interface MTUs; thread-safe. Not part of the public API.
 */
public final class PathMtu {
    private static final Logger LOG = LoggerFactory.getLogger(PathMtu.class);

    /** BASE_PLPMTU: the SCTP packet size used until PLPMTUD confirms a larger one (sctp's default mtu), bytes. */
    public static final int BASE = 1191;
    /** IPv4 header without options, bytes. */
    static final int IPV4_HEADER = 20;
    /** IPv6 header without extension headers, bytes. */
    static final int IPV6_HEADER = 40;
    /** UDP header, bytes. */
    static final int UDP_HEADER = 8;
    /**
     * DTLS 1.2 record expansion of an AES-GCM suite (RFC 6347 §4.1 record header 13, RFC 5288 §3
     * explicit nonce 8, tag 16), bytes: the worst case of the suites we allow (ChaCha20-Poly1305,
     * RFC 7905, has no explicit nonce: 29).
     */
    public static final int DTLS_AES_GCM_EXPANSION = 13 + 8 + 16;
    /** DTLS 1.2 record expansion of ChaCha20-Poly1305 (RFC 7905: header 13, tag 16, no explicit nonce), bytes. */
    static final int DTLS_CHACHA_EXPANSION = 13 + 16;
    /**
     * Largest DTLS record plaintext, bytes (RFC 5246 §6.2.1, which DTLS 1.2 keeps: 2^14): what DTLS's
     * send limit is after the handshake with our suites; for callers that have no DTLS transport at
     * hand (the e2e harness sizing its raw UDP reference).
     */
    public static final int DTLS_MAX_PLAINTEXT = 1 << 14;
    /**
     * Largest automatic MAX_PLPMTU, bytes, on every path. libwebrtc (Chromium, and stacks built on
     * it) reads each received DTLS record's plaintext into a buffer of {@code kMaxDtlsPacketLen} =
     * 2048 bytes, and its stream adapter turns a longer record into a read error ("short DTLS read",
     * SSE_MSG_TRUNC) that fails the DTLS transport: a probe above 2048 bytes that reaches such a peer
     * (over a path with jumbo frames, over loopback, or in IP fragments) would end the connection
     * instead of being lost. Browsers do not use loopback, but libwebrtc in Node or in native
     * applications can, so loopback gets the cap too; only an explicit {@code sctpMaxPacketSize}
     * lifts it, for peers known to accept larger records (jdatachannel does).
     */
    public static final int BROWSER_SAFE = 2048;
    /** Largest SCTP packet a MAX_PLPMTU may name (the sctp module's bound), bytes. */
    public static final int MAX = 65535;

    /** How long an interface MTU is reused before it is looked up again, ns. */
    private static final long CACHE_NANOS = 30_000_000_000L;
    /** Bound of the interface MTU cache (entries; cleared when full). */
    private static final int CACHE_MAX = 64;
    private static final Map<InetAddress, long[]> MTU_CACHE = new ConcurrentHashMap<>();

    private PathMtu() {
    }

    /**
     * @param cipherSuite the negotiated suite's IANA name (null or unknown: the worst case of ours)
     * @return bytes DTLS adds to a record's plaintext
     */
    static int dtlsExpansion(String cipherSuite) {
        if (cipherSuite != null && cipherSuite.toUpperCase(Locale.ROOT).contains("CHACHA20_POLY1305")) {
            return DTLS_CHACHA_EXPANSION;
        }
        return DTLS_AES_GCM_EXPANSION;
    }

    /**
     * The rule, pure: the largest SCTP packet whose datagram fits the interface and DTLS's send limit.
     *
     * @param dtlsSendLimit largest plaintext DTLS sends in one record after the handshake, bytes; &lt;= 0 unknown
     * @param interfaceMtu MTU of the interface the datagram leaves from, bytes; &lt;= 0 unknown
     * @param ipv6 whether that interface's address (the outer IP header) is IPv6
     * @param dtlsExpansion bytes DTLS adds per record ({@link #dtlsExpansion}); nothing else wraps the
     *     record (relayed paths, whose TURN framing would, get no discovery: see the class comment)
     * @return MAX_PLPMTU in {@code BASE+1..MAX}, a multiple of 4 ({@link #align}), or 0 (PLPMTUD off)
     *     when a limit is unknown or leaves no room above {@link #BASE}
     */
    public static int maxPlpmtu(int dtlsSendLimit, int interfaceMtu, boolean ipv6, int dtlsExpansion) {
        if (dtlsSendLimit <= 0 || interfaceMtu <= 0) {
            return 0;
        }
        long fit = (long) interfaceMtu - (ipv6 ? IPV6_HEADER : IPV4_HEADER) - UDP_HEADER - dtlsExpansion;
        int max = align((int) Math.max(0, Math.min(Math.min(fit, dtlsSendLimit), MAX)));
        return max > BASE ? max : 0;
    }

    /**
     * Every SCTP packet is a multiple of 4 bytes long (12-byte common header, and RFC 9260 §3.2: "The
     * total length of a chunk (including Type, Length, and Value fields) MUST be a multiple of 4
     * bytes"), so the largest packet that fits {@code bytes} is {@code bytes} rounded down to a
     * multiple of 4: a MAX_PLPMTU of 1435 would be reached as 1432.
     *
     * @param bytes a size, &gt;= 0
     * @return {@code bytes} rounded down to a multiple of 4
     */
    static int align(int bytes) {
        return bytes & ~3;
    }

    /**
     * Applies {@link org.jdatachannel.RtcConfiguration.Builder#sctpMaxPacketSize(int)} to the rule: an
     * automatic value ({@code configured} 0) stays at most {@link #BROWSER_SAFE}; an explicit one is
     * capped by the rule only.
     *
     * @param configured 0 automatic, {@link #BASE} off, else a cap in {@code BASE..MAX}
     * @param rule {@link #maxPlpmtu}'s result (0: off)
     * @return MAX_PLPMTU to give SCTP (a multiple of 4), 0 for off
     */
    public static int apply(int configured, int rule) {
        if (rule == 0 || configured == BASE) {
            return 0;
        }
        int m = align(configured != 0 ? Math.min(configured, rule) : Math.min(rule, BROWSER_SAFE));
        return m > BASE ? m : 0;
    }

    /**
     * The rule for the path ICE uses now.
     *
     * @param path the ICE data path ({@link IceAgent#dataPath()}); null: unknown. Its interface MTU
     *     if known (ICE reads it while gathering), else {@link #interfaceMtu} looks it up
     * @param dtlsSendLimit DTLS's send limit after the handshake, bytes
     * @param cipherSuite the negotiated suite, for its record expansion
     * @param configured {@link org.jdatachannel.RtcConfiguration#sctpMaxPacketSize()}
     * @return MAX_PLPMTU, 0 for off: also for an unknown path and a relayed one (class comment)
     */
    static int forPath(IceAgent.DataPathInfo path, int dtlsSendLimit, String cipherSuite, int configured) {
        if (configured == BASE || path == null || path.localSocket() == null || path.relayed()) {
            return 0;
        }
        InetAddress local = path.localSocket().getAddress();
        boolean v6 = local instanceof Inet6Address;
        // the MTU ICE listed when it bound the socket; a lookup (cached) only if it has none
        int mtu = path.interfaceMtu() > 0 ? path.interfaceMtu() : interfaceMtu(local);
        return apply(configured, maxPlpmtu(dtlsSendLimit, mtu, v6, dtlsExpansion(cipherSuite)));
    }

    /**
     * A data path and the MAX_PLPMTU computed for it.
     *
     * @param path the ICE data path, null if unknown (none yet, or finding it failed)
     * @param maxPlpmtu MAX_PLPMTU for it, bytes; 0: off
     */
    record Sizing(IceAgent.DataPathInfo path, int maxPlpmtu) {
    }

    /**
     * {@link #forPath} for the path {@code path} yields, never throwing: finding the path or the
     * interface MTU can fail (ICE internals, NetworkInterface lookups); any failure means an unknown
     * path and no discovery (0), logged at debug. Runs on the caller's thread.
     *
     * @param who for the log (the connection's name)
     * @param path yields the ICE data path ({@link IceAgent#dataPath()}), null if unknown
     * @param dtlsSendLimit DTLS's send limit after the handshake, bytes
     * @param cipherSuite the negotiated suite, for its record expansion
     * @param configured {@link org.jdatachannel.RtcConfiguration#sctpMaxPacketSize()}
     * @return the path (null if unknown or failed) and its MAX_PLPMTU (0: off)
     */
    static Sizing size(String who, Supplier<IceAgent.DataPathInfo> path, int dtlsSendLimit, String cipherSuite,
                       int configured) {
        IceAgent.DataPathInfo p;
        try {
            p = path.get();
        } catch (RuntimeException e) {
            LOG.debug("{}: ICE data path unknown ({}): no SCTP path MTU discovery", who, e.toString());
            return new Sizing(null, 0);
        }
        try {
            return new Sizing(p, forPath(p, dtlsSendLimit, cipherSuite, configured));
        } catch (RuntimeException e) {
            LOG.debug("{}: MAX_PLPMTU of {} unknown ({}): no SCTP path MTU discovery", who, p, e.toString());
            return new Sizing(p, 0);
        }
    }

    /**
     * @param address a local address
     * @return the MTU of the interface holding it, bytes, or -1 if unknown (no such interface, or the
     *     lookup failed); cached for 30 s
     */
    public static int interfaceMtu(InetAddress address) {
        if (address == null) {
            return -1;
        }
        long now = System.nanoTime();
        long[] c = MTU_CACHE.get(address);
        if (c != null && now - c[1] < CACHE_NANOS) {
            return (int) c[0];
        }
        int mtu;
        try {
            NetworkInterface nif = NetworkInterface.getByInetAddress(address);
            mtu = nif == null ? -1 : nif.getMTU();
        } catch (SocketException | RuntimeException e) {
            mtu = -1;
        }
        if (MTU_CACHE.size() >= CACHE_MAX) {
            MTU_CACHE.clear();
        }
        MTU_CACHE.put(address, new long[] {mtu, now});
        return mtu;
    }
}
