package org.jdatachannel;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.jdatachannel.dtls.DtlsCertificate;
import org.jdatachannel.ice.IceConfig;
import org.jdatachannel.ice.IceServer;

/**
 * Configuration of a {@link PeerConnection}. Immutable; thread-safe. Build with {@link #builder()}.
 *
 * <pre>{@code
 * RtcConfiguration cfg = RtcConfiguration.builder()
 *         .iceAddressFilter(InetAddress::isLoopbackAddress)
 *         .iceServers(List.of(IceServer.stun("stun:stun.example.org"),
 *                 IceServer.turn("turn:turn.example.org?transport=udp", "user", "secret")))
 *         .build();
 * }</pre>
 */
public final class RtcConfiguration {

    /** Default {@code a=max-message-size} we advertise, in bytes (what Chromium advertises). */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 262144;
    /** Default SCTP port (RFC 8841 §5.1: "the default value is 5000"). */
    public static final int DEFAULT_SCTP_PORT = 5000;
    /** Default of {@link Builder#busyPollMicros(int)}, µs: no busy polling. */
    public static final int DEFAULT_BUSY_POLL_MICROS = 0;
    /** Largest {@link Builder#busyPollMicros(int)}, µs. */
    public static final int MAX_BUSY_POLL_MICROS = 1000;
    /**
     * {@link Builder#sctpMaxPacketSize(int)} for no path MTU discovery: every SCTP packet at most
     * 1191 bytes, as browsers send them.
     */
    public static final int SCTP_BASE_PACKET_SIZE = 1191;
    /** Largest {@link Builder#sctpMaxPacketSize(int)}, bytes. */
    public static final int MAX_SCTP_PACKET_SIZE = 65535;
    /** Default DTLS handshake time limit in milliseconds. */
    public static final int DEFAULT_DTLS_HANDSHAKE_TIMEOUT_MS = 20_000;
    /** Upper bound on {@link Builder#maxMessageSize(long)}: messages are held in memory whole. */
    public static final long MAX_MAX_MESSAGE_SIZE = 64L * 1024 * 1024;

    /**
     * The default ICE address filter: every address except loopback, link-local, wildcard and
     * multicast ones.
     */
    public static final Predicate<InetAddress> DEFAULT_ICE_ADDRESS_FILTER = a -> !a.isLoopbackAddress()
            && !a.isLinkLocalAddress() && !a.isAnyLocalAddress() && !a.isMulticastAddress();

    private final Predicate<InetAddress> iceAddressFilter;
    private final DtlsCertificate certificate;
    private final long maxMessageSize;
    private final int sctpPort;
    private final int dtlsHandshakeTimeoutMs;
    private final boolean messageInterleaving;
    private final List<IceServer> iceServers;
    private final IceTransportPolicy iceTransportPolicy;
    private final int iceConsentTimeoutMs;
    private final int iceDisconnectedTimeoutMs;
    private final EventLoopGroup eventLoopGroup;
    private final int busyPollMicros;
    private final int sctpMaxPacketSize;

    private RtcConfiguration(Builder b) {
        this.iceAddressFilter = b.iceAddressFilter;
        this.certificate = b.certificate;
        this.maxMessageSize = b.maxMessageSize;
        this.sctpPort = b.sctpPort;
        this.dtlsHandshakeTimeoutMs = b.dtlsHandshakeTimeoutMs;
        this.messageInterleaving = b.messageInterleaving;
        this.iceServers = b.iceServers;
        this.iceTransportPolicy = b.iceTransportPolicy;
        this.iceConsentTimeoutMs = b.iceConsentTimeoutMs;
        this.iceDisconnectedTimeoutMs = b.iceDisconnectedTimeoutMs;
        this.eventLoopGroup = b.eventLoopGroup;
        this.busyPollMicros = b.busyPollMicros;
        this.sctpMaxPacketSize = b.sctpMaxPacketSize;
    }

    /**
     * @return the largest SCTP packet path MTU discovery may use, bytes: 0 automatic (the default),
     *     {@link #SCTP_BASE_PACKET_SIZE} for no discovery, else a cap; see
     *     {@link Builder#sctpMaxPacketSize(int)}
     */
    public int sctpMaxPacketSize() {
        return sctpMaxPacketSize;
    }

    /**
     * @return µs the event-loop thread polls its sockets without sleeping after sending user data or
     *     delivering a message, 0..{@link #MAX_BUSY_POLL_MICROS}; see {@link Builder#busyPollMicros(int)}
     */
    public int busyPollMicros() {
        return busyPollMicros;
    }

    /** @return the shared event-loop threads connections run on, or null (the default: a thread each) */
    public EventLoopGroup eventLoopGroup() {
        return eventLoopGroup;
    }

    /** @return a new builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the default configuration */
    public static RtcConfiguration defaults() {
        return new Builder().build();
    }

    /** @return which local addresses ICE may gather host candidates on */
    public Predicate<InetAddress> iceAddressFilter() {
        return iceAddressFilter;
    }

    /** @return the DTLS certificate, or null to generate one per connection */
    public DtlsCertificate certificate() {
        return certificate;
    }

    /** @return the {@code a=max-message-size} we advertise (RFC 8841), in bytes */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /** @return our {@code a=sctp-port} */
    public int sctpPort() {
        return sctpPort;
    }

    /** @return the DTLS handshake time limit in milliseconds */
    public int dtlsHandshakeTimeoutMs() {
        return dtlsHandshakeTimeoutMs;
    }

    /**
     * @return whether we offer RFC 8260 message interleaving (I-DATA); see
     *     {@link Builder#messageInterleaving(boolean)}
     */
    public boolean messageInterleaving() {
        return messageInterleaving;
    }

    /** @return the STUN/TURN servers (W3C {@code RTCConfiguration.iceServers}), possibly empty */
    public List<IceServer> iceServers() {
        return iceServers;
    }

    /** @return which candidates ICE may use (W3C {@code iceTransportPolicy}) */
    public IceTransportPolicy iceTransportPolicy() {
        return iceTransportPolicy;
    }

    /** @return ms without an answered consent check before the connection fails (RFC 7675 §5.1) */
    public int iceConsentTimeoutMs() {
        return iceConsentTimeoutMs;
    }

    /** @return ms without an answered consent check before the connection is "disconnected" */
    public int iceDisconnectedTimeoutMs() {
        return iceDisconnectedTimeoutMs;
    }

    /** @return a builder initialised from this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.certificate = certificate; // kept as is, even if it has expired since (the constructor checks)
        return b.iceAddressFilter(iceAddressFilter).maxMessageSize(maxMessageSize)
                .sctpPort(sctpPort).dtlsHandshakeTimeoutMs(dtlsHandshakeTimeoutMs)
                .messageInterleaving(messageInterleaving).iceServers(iceServers)
                .iceTransportPolicy(iceTransportPolicy)
                .iceTimeouts(iceConsentTimeoutMs, iceDisconnectedTimeoutMs)
                .eventLoopGroup(eventLoopGroup).busyPollMicros(busyPollMicros)
                .sctpMaxPacketSize(sctpMaxPacketSize);
    }

    @Override
    public String toString() {
        return "RtcConfiguration{maxMessageSize=" + maxMessageSize + ", sctpPort=" + sctpPort + ", certificate="
                + (certificate == null ? "generated" : "given") + ", messageInterleaving=" + messageInterleaving
                + ", iceServers=" + iceServers + ", iceTransportPolicy=" + iceTransportPolicy
                + ", eventLoopGroup=" + (eventLoopGroup == null ? "none (a thread per connection)" : eventLoopGroup)
                + ", busyPollMicros=" + busyPollMicros + ", sctpMaxPacketSize=" + sctpMaxPacketSize + "}";
    }

    /** Builder for {@link RtcConfiguration}. Not thread-safe. */
    public static final class Builder {
        private Predicate<InetAddress> iceAddressFilter = DEFAULT_ICE_ADDRESS_FILTER;
        private DtlsCertificate certificate;
        private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int sctpPort = DEFAULT_SCTP_PORT;
        private int dtlsHandshakeTimeoutMs = DEFAULT_DTLS_HANDSHAKE_TIMEOUT_MS;
        private boolean messageInterleaving = true;
        private List<IceServer> iceServers = List.of();
        private IceTransportPolicy iceTransportPolicy = IceTransportPolicy.ALL;
        private int iceConsentTimeoutMs = IceConfig.DEFAULT_CONSENT_TIMEOUT_MS;
        private int iceDisconnectedTimeoutMs = IceConfig.DEFAULT_DISCONNECTED_TIMEOUT_MS;
        private int busyPollMicros = DEFAULT_BUSY_POLL_MICROS;
        private int sctpMaxPacketSize;
        private EventLoopGroup eventLoopGroup;

        private Builder() {
        }

        /**
         * @param servers STUN/TURN servers (W3C {@code RTCConfiguration.iceServers}), at most
         *                {@link IceConfig#MAX_ICE_SERVERS}; default none. Each {@link IceServer}
         *                was validated when built. Only {@code stun:} and {@code turn:} over UDP
         *                are used for gathering; TCP/TLS URLs are skipped with a log line
         * @return this
         * @throws IllegalArgumentException if there are more than {@link IceConfig#MAX_ICE_SERVERS}
         * @throws NullPointerException if the list or an element is null
         */
        public Builder iceServers(List<IceServer> servers) {
            List<IceServer> copy = List.copyOf(Objects.requireNonNull(servers, "iceServers"));
            if (copy.size() > IceConfig.MAX_ICE_SERVERS) {
                throw new IllegalArgumentException("at most " + IceConfig.MAX_ICE_SERVERS + " ICE servers, got "
                        + copy.size());
            }
            this.iceServers = copy;
            return this;
        }

        /**
         * @param policy W3C {@code iceTransportPolicy}: {@link IceTransportPolicy#ALL} (default) or
         *               {@link IceTransportPolicy#RELAY} (only TURN-relayed candidates)
         * @return this
         * @throws NullPointerException if null
         */
        public Builder iceTransportPolicy(IceTransportPolicy policy) {
            this.iceTransportPolicy = Objects.requireNonNull(policy, "iceTransportPolicy");
            return this;
        }

        /**
         * ICE consent timeouts (RFC 7675 §5.1). Consent checks run about every 5 s (4..6 s,
         * randomized; a JVM-wide ice4j setting, see {@code docs/ICE4J.md}).
         *
         * <p>Checked here only for range; the ICE agent checks them against the consent check
         * interval in effect when it is created (when the connection's ICE starts), and throws
         * IllegalArgumentException when {@code disconnectedMs} is shorter than the longest gap
         * between two checks plus two first-retransmission waits plus 500 ms: 7500 ms with the
         * default interval. Shorter timeouts would report a healthy path disconnected or failed
         * between two answered checks.
         *
         * @param consentMs      without an answered consent check for this long the connection
         *                       fails; 1000..3600000 ms and more than {@code disconnectedMs},
         *                       default 30000 ("Consent expires after 30 seconds")
         * @param disconnectedMs without one for this long the connection is reported
         *                       disconnected (and connected again when one is answered);
         *                       100..consentMs-1 here, at least 7500 with the default interval
         *                       (see above), default 8000
         * @return this
         * @throws IllegalArgumentException if out of range
         */
        public Builder iceTimeouts(int consentMs, int disconnectedMs) {
            if (consentMs < 1000 || consentMs > 3_600_000) {
                throw new IllegalArgumentException("consentMs must be 1000..3600000, got " + consentMs);
            }
            if (disconnectedMs < 100 || disconnectedMs >= consentMs) {
                throw new IllegalArgumentException("disconnectedMs must be 100..consentMs-1 (" + (consentMs - 1)
                        + "), got " + disconnectedMs);
            }
            this.iceConsentTimeoutMs = consentMs;
            this.iceDisconnectedTimeoutMs = disconnectedMs;
            return this;
        }

        /**
         * @param filter which local addresses ICE may gather (default
         *               {@link RtcConfiguration#DEFAULT_ICE_ADDRESS_FILTER}); tests pass
         *               {@code InetAddress::isLoopbackAddress}
         * @return this
         * @throws NullPointerException if null
         */
        public Builder iceAddressFilter(Predicate<InetAddress> filter) {
            this.iceAddressFilter = Objects.requireNonNull(filter, "iceAddressFilter");
            return this;
        }

        /**
         * @param certificate our DTLS identity (see {@link PeerConnection#generateCertificate} and
         *                    {@link DtlsCertificate#fromPem(String)}; one certificate may serve many
         *                    connections), or null (default) to generate an ECDSA P-256 one per
         *                    connection
         * @return this
         * @throws IllegalArgumentException if the certificate has expired (the W3C RTCPeerConnection
         *     constructor throws InvalidAccessError for a certificate whose expires is less than
         *     the current time); {@link PeerConnection}'s constructor checks again
         */
        public Builder certificate(DtlsCertificate certificate) {
            if (certificate != null && certificate.isExpired(java.time.Instant.now())) {
                throw new IllegalArgumentException("the DTLS certificate expired at " + certificate.expires()
                        + "; generate a new one");
            }
            this.certificate = certificate;
            return this;
        }

        /**
         * @param bytes largest message we accept, advertised as {@code a=max-message-size};
         *              1..{@link RtcConfiguration#MAX_MAX_MESSAGE_SIZE}, default 262144
         * @return this
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxMessageSize(long bytes) {
            if (bytes < 1 || bytes > MAX_MAX_MESSAGE_SIZE) {
                throw new IllegalArgumentException("maxMessageSize must be 1.." + MAX_MAX_MESSAGE_SIZE + ", got " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * @param port our SCTP port, 1..65535, default 5000
         * @return this
         * @throws IllegalArgumentException if out of range
         */
        public Builder sctpPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("sctpPort must be 1..65535, got " + port);
            }
            this.sctpPort = port;
            return this;
        }

        /**
         * @param ms DTLS handshake limit in milliseconds, &gt; 0, default 20000
         * @return this
         * @throws IllegalArgumentException if not positive
         */
        public Builder dtlsHandshakeTimeoutMs(int ms) {
            if (ms <= 0) {
                throw new IllegalArgumentException("dtlsHandshakeTimeoutMs must be > 0, got " + ms);
            }
            this.dtlsHandshakeTimeoutMs = ms;
            return this;
        }

        /**
         * Whether SCTP offers RFC 8260 user message interleaving (I-DATA and I-FORWARD-TSN in the
         * INIT's Supported Extensions). It is used only when the peer offers it too (RFC 8260
         * §2.2.1), and then a large message on one channel no longer delays the messages of other
         * channels. Default true. Chromium 156 offers it only under its
         * {@code WebRTC-DataChannelMessageInterleaving} field trial and Firefox not at all, so with
         * browsers the classic DATA path is used unless they enable it; two jdatachannel peers use
         * I-DATA. Set false to never offer it.
         *
         * @param enable true (default) to offer interleaving
         * @return this
         */
        public Builder messageInterleaving(boolean enable) {
            this.messageInterleaving = enable;
            return this;
        }

        /**
         * Runs connections made with this configuration on the threads of {@code group} instead of
         * an event-loop thread each (issue 6: fewer threads for many connections). See
         * {@link EventLoopGroup} for what sharing a thread means for callbacks. Default null.
         *
         * @param group the shared threads, or null for a thread per connection
         * @return this
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.eventLoopGroup = group;
            return this;
        }

        /**
         * Busy polling (issue 6, latency): after a connection sends a packet with user data (the
         * peer answers it with a SACK, and with its reply if it has one) or delivers a received
         * message (the application may answer it, from its callback or from another thread), its
         * event-loop thread, once it has nothing else to do, polls its sockets and its task queue
         * without sleeping for up to {@code micros} µs before it blocks. What arrives within that
         * time (the answer, or the application's send) is taken without the thread's sleep and
         * wake-up, which on a loaded or virtual machine cost tens of µs each, and without the
         * sender's kernel waking it. Helps only when the answer comes within the window: a window
         * shorter than the peer's turnaround costs CPU and saves nothing. Costs CPU: up to
         * {@code micros} µs of one core per such packet or message that gets no answer in time
         * (e.g. a one-way stream: the sender polls while it waits for SACKs), which on a machine
         * with no idle core slows the other threads. The thread polls only after these events,
         * never longer than {@code micros} after the last one and never past its next timer, so
         * an idle connection uses no CPU. On an {@link EventLoopGroup} thread the poll serves
         * every connection of that thread. The thread backs off: after 4 polls in a row that caught
         * nothing, it ignores the next 64 requests to poll (then tries once more), so a peer that
         * answers slower than the window costs at most one window per 64 packets or messages, and
         * an application whose answers are only sometimes slow also loses the poll for the 64
         * after a run of slow ones. Default {@value RtcConfiguration#DEFAULT_BUSY_POLL_MICROS}
         * (0: never poll, always sleep).
         *
         * @param micros 0..{@value RtcConfiguration#MAX_BUSY_POLL_MICROS} µs
         * @return this
         * @throws IllegalArgumentException if out of range
         */
        public Builder busyPollMicros(int micros) {
            if (micros < 0 || micros > MAX_BUSY_POLL_MICROS) {
                throw new IllegalArgumentException("busyPollMicros must be 0.." + MAX_BUSY_POLL_MICROS + ", got " + micros);
            }
            this.busyPollMicros = micros;
            return this;
        }

        /**
         * The largest SCTP packet (bytes of SCTP packet, common header included, i.e. the DTLS
         * record's plaintext) that path MTU discovery may use (our extension; RFC 8899 Datagram
         * PLPMTUD, MAX_PLPMTU). SCTP starts with packets of at most
         * {@value RtcConfiguration#SCTP_BASE_PACKET_SIZE} bytes (BASE_PLPMTU, what browsers use, safe on
         * a 1280-byte IPv6 path) and, once the connection is up, probes with padded HEARTBEATs for
         * larger ones, which it uses only after the peer acknowledged a probe of that size (any
         * RFC 9260 peer answers HEARTBEATs, so a peer needs no support of its own). Larger packets mean
         * fewer datagrams, DTLS records and SACKs per megabyte (issue 6: over loopback 1191-byte packets
         * carried about 155 MB/s and 16000-byte ones 780 MB/s).
         *
         * <ul>
         *   <li>0 (default): automatic. The largest packet is the smallest of: what DTLS sends in one
         *       record (16384 bytes), and the MTU of the local interface of the ICE pair in use minus
         *       the IP (20 or 40), UDP (8) and DTLS record (37 with AES-GCM, 29 with ChaCha20-Poly1305)
         *       headers, rounded down to a multiple of 4 (SCTP packets are), and at most 2048 on every
         *       path, loopback included: libwebrtc (Chromium, and libwebrtc in Node or native
         *       applications, which can use loopback) fails its DTLS transport on a record above 2048
         *       bytes, which a probe over a path with jumbo frames or over loopback would reach it
         *       with. If that is unknown or at most 1191 there is no discovery. Over loopback and with
         *       jumbo frames this is 2048; on a 1500-byte Ethernet interface 1432 over IPv4. A relayed
         *       path (our local candidate is a TURN relayed one) gets no discovery: our TURN client
         *       receives relayed datagrams of at most about 1500 bytes, and the server may change the
         *       TURN framing (4 or up to 75 bytes) under packets already sized. Discovery starts again
         *       when the ICE pair in use changes (ICE restart, another pair selected), and stops
         *       (packets back at 1191) if the pair in use becomes unknown. Without the IP Don't
         *       Fragment option (Java 17 cannot set it), a probe the local host fragments after an ICMP
         *       "too big" can be confirmed above the path's MTU; the interface MTU and the 2048 cap
         *       bound that.</li>
         *   <li>{@value RtcConfiguration#SCTP_BASE_PACKET_SIZE}: no discovery, every packet at most 1191
         *       bytes.</li>
         *   <li>1192..{@value RtcConfiguration#MAX_SCTP_PACKET_SIZE}: at most this (rounded down to a
         *       multiple of 4), and never more than what DTLS and the interface allow; the 2048-byte
         *       cap of the automatic value does not apply (for peers known to accept larger records,
         *       e.g. jdatachannel over a LAN with jumbo frames). Everything else of the automatic rule
         *       still holds: an unknown interface MTU or DTLS send limit, or a relayed path, means no
         *       discovery, as does a rule leaving no room above 1191.</li>
         * </ul>
         *
         * @param bytes 0, or {@value RtcConfiguration#SCTP_BASE_PACKET_SIZE}..{@value
         *     RtcConfiguration#MAX_SCTP_PACKET_SIZE}
         * @return this
         * @throws IllegalArgumentException "sctpMaxPacketSize must be 0 (automatic) or 1191..65535,
         *     got N" if out of range
         */
        public Builder sctpMaxPacketSize(int bytes) {
            if (bytes != 0 && (bytes < SCTP_BASE_PACKET_SIZE || bytes > MAX_SCTP_PACKET_SIZE)) {
                throw new IllegalArgumentException("sctpMaxPacketSize must be 0 (automatic) or "
                        + SCTP_BASE_PACKET_SIZE + ".." + MAX_SCTP_PACKET_SIZE + ", got " + bytes);
            }
            this.sctpMaxPacketSize = bytes;
            return this;
        }

        /** @return the configuration */
        public RtcConfiguration build() {
            return new RtcConfiguration(this);
        }
    }
}
