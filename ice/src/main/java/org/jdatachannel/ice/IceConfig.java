package org.jdatachannel.ice;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Configuration of one {@link IceAgent}. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <p>Host candidates are gathered synchronously; server-reflexive and relayed candidates from
 * {@link #iceServers()} in the background (see {@link IceAgent#gather()}).
 *
 * @param controlling           ICE role: {@code true} for the offerer (RFC 8445 §6.1.1: with two
 *                              full agents the initiating agent takes the controlling role),
 *                              {@code false} for the answerer
 * @param addressFilter         host addresses to gather; every address of every up interface
 *                              (loopback included) is offered to it and only accepted ones are
 *                              bound. Required: there is no default, so nothing is ever bound on
 *                              an address the caller did not choose
 * @param consentFreshness      whether to run RFC 7675 consent freshness on the selected pair
 *                              (default {@code true})
 * @param minPort               lowest local port to bind, 0 with {@code maxPort} 0 for ephemeral
 * @param maxPort               highest local port to bind (inclusive)
 * @param receiveQueueCapacity  datagrams buffered for {@link IceTransport#receive}, 1..65536
 *                              (default 1024)
 * @param iceServers            STUN/TURN servers (W3C {@code RTCConfiguration.iceServers}), at
 *                              most {@link #MAX_ICE_SERVERS}; default none
 * @param relayOnly             W3C {@code iceTransportPolicy: "relay"}: only relayed candidates
 *                              are advertised and paired; the host sockets still exist as the
 *                              base of the TURN allocations but accept datagrams only from the
 *                              TURN servers. Default {@code false}
 * @param consentTimeoutMs      RFC 7675 §5.1 "Consent expires after 30 seconds": when no consent
 *                              check on the selected pair has been answered for this long, the
 *                              agent goes {@link IceState#FAILED} and refuses to send.
 *                              1000..3600000 ms, default {@value #DEFAULT_CONSENT_TIMEOUT_MS}
 * @param disconnectedTimeoutMs after this long without an answered consent check the agent
 *                              reports {@link IceState#DISCONNECTED} (W3C: checks are failing but
 *                              the transport may recover), and {@link IceState#CONNECTED} again
 *                              when a check is answered. 100..{@code consentTimeoutMs} ms, default
 *                              {@value #DEFAULT_DISCONNECTED_TIMEOUT_MS}. With consent freshness on,
 *                              {@link IceAgent#IceAgent(IceConfig)} also requires it to cover ice4j's
 *                              JVM-wide check interval (at least 7500 ms with the default 5 s
 *                              randomized interval) and {@code consentTimeoutMs} to exceed it
 * @param gatheringTimeoutMs    bound on STUN/TURN gathering: {@link IceAgent#gatheringDone()}
 *                              completes at the latest this long after {@link IceAgent#gather()},
 *                              even when a server never answers. 100..60000 ms, default
 *                              {@value #DEFAULT_GATHERING_TIMEOUT_MS}
 * @param socketReceiveBufferBytes SO_RCVBUF requested for each host socket, in bytes: 0 keeps
 *                              the OS default, else {@value #MIN_SOCKET_BUFFER}..{@value
 *                              #MAX_SOCKET_BUFFER} (Linux doubles the value and caps it at
 *                              2 x net.core.rmem_max). Default {@value #DEFAULT_SOCKET_BUFFER}: bulk
 *                              transfers over a fast path drop datagrams with the usual 208 KiB.
 *                              The kernel buffer is the only receive queue since the event loop
 *                              reads the sockets itself (issue 6): with 1 MiB a busy loop on a
 *                              loaded machine overflowed it (~200 kernel drops per 64 MiB of
 *                              1 KiB messages, fast retransmits), with 4 MiB none. A limit, not
 *                              an allocation: memory is charged only while datagrams wait; many
 *                              idle connections may still want the OS default
 * @param socketSendBufferBytes SO_SNDBUF requested for each host socket, in bytes; as
 *                              {@code socketReceiveBufferBytes} (net.core.wmem_max)
 * @param datagramIo            the thread that reads the host sockets (issue 6: a peer
 *                              connection passes its event loop, so datagrams are handled on the
 *                              thread that owns the connection), or null (default) for ONE
 *                              JVM-wide daemon I/O thread shared by all agents without one
 */
public record IceConfig(boolean controlling, Predicate<InetAddress> addressFilter,
                        boolean consentFreshness, int minPort, int maxPort,
                        int receiveQueueCapacity, List<IceServer> iceServers, boolean relayOnly,
                        int consentTimeoutMs, int disconnectedTimeoutMs, int gatheringTimeoutMs,
                        int socketReceiveBufferBytes, int socketSendBufferBytes, DatagramIo datagramIo) {

    /** RFC 7675 §5.1: "Consent expires after 30 seconds." */
    public static final int DEFAULT_CONSENT_TIMEOUT_MS = 30_000;
    /**
     * Default {@link #disconnectedTimeoutMs()}: consent checks run every 5 s randomized to 4..6 s
     * (RFC 7675 §5.1, {@link Ice4jGlobals}), so on a healthy path an answer is at most about
     * 6 s + one round trip old; 8 s tolerates that plus a few retransmissions (the first ones
     * after 100, 200, 400 ms) without flapping, and still reports trouble within 2 missed checks.
     */
    public static final int DEFAULT_DISCONNECTED_TIMEOUT_MS = 8_000;
    /** Default {@link #gatheringTimeoutMs()}. */
    public static final int DEFAULT_GATHERING_TIMEOUT_MS = 5_000;
    /** Default {@link #socketReceiveBufferBytes()} and {@link #socketSendBufferBytes()}: 4 MiB. */
    public static final int DEFAULT_SOCKET_BUFFER = 4 << 20;
    /** Smallest socket buffer size accepted (other than 0 for the OS default), bytes. */
    public static final int MIN_SOCKET_BUFFER = 4096;
    /** Largest socket buffer size accepted, bytes (64 MiB). */
    public static final int MAX_SOCKET_BUFFER = 64 << 20;
    /** Most STUN/TURN server entries accepted. */
    public static final int MAX_ICE_SERVERS = 16;

    /** Accepts loopback addresses only (127.0.0.0/8, ::1): the filter for tests. */
    public static final Predicate<InetAddress> LOOPBACK_ONLY = InetAddress::isLoopbackAddress;

    /** Validates the configuration; see the record description for ranges. */
    public IceConfig {
        Objects.requireNonNull(addressFilter, "addressFilter");
        iceServers = List.copyOf(Objects.requireNonNull(iceServers, "iceServers"));
        if (minPort < 0 || maxPort > 65535 || minPort > maxPort) {
            throw new IllegalArgumentException("port range must satisfy 0 <= min <= max <= 65535, was "
                    + minPort + ".." + maxPort);
        }
        if ((minPort == 0) != (maxPort == 0)) {
            throw new IllegalArgumentException(
                    "port range must be 0..0 (ephemeral) or within 1..65535, was " + minPort + ".." + maxPort);
        }
        if (receiveQueueCapacity < 1 || receiveQueueCapacity > 65536) {
            throw new IllegalArgumentException("receiveQueueCapacity must be 1..65536, was " + receiveQueueCapacity);
        }
        if (iceServers.size() > MAX_ICE_SERVERS) {
            throw new IllegalArgumentException("at most " + MAX_ICE_SERVERS + " ICE servers, got " + iceServers.size());
        }
        if (consentTimeoutMs < 1000 || consentTimeoutMs > 3_600_000) {
            throw new IllegalArgumentException("consentTimeoutMs must be 1000..3600000, was " + consentTimeoutMs);
        }
        if (disconnectedTimeoutMs < 100 || disconnectedTimeoutMs > consentTimeoutMs) {
            throw new IllegalArgumentException("disconnectedTimeoutMs must be 100..consentTimeoutMs ("
                    + consentTimeoutMs + "), was " + disconnectedTimeoutMs);
        }
        if (gatheringTimeoutMs < 100 || gatheringTimeoutMs > 60_000) {
            throw new IllegalArgumentException("gatheringTimeoutMs must be 100..60000, was " + gatheringTimeoutMs);
        }
        checkSocketBuffer("socketReceiveBufferBytes", socketReceiveBufferBytes);
        checkSocketBuffer("socketSendBufferBytes", socketSendBufferBytes);
    }

    private static void checkSocketBuffer(String name, int bytes) {
        if (bytes != 0 && (bytes < MIN_SOCKET_BUFFER || bytes > MAX_SOCKET_BUFFER)) {
            throw new IllegalArgumentException(name + " must be 0 (OS default) or " + MIN_SOCKET_BUFFER + ".."
                    + MAX_SOCKET_BUFFER + ", was " + bytes);
        }
    }

    /** @return a new builder with the defaults listed in the record description */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link IceConfig}; not thread-safe. */
    public static final class Builder {
        private boolean controlling;
        private Predicate<InetAddress> addressFilter;
        private boolean consentFreshness = true;
        private int minPort;
        private int maxPort;
        private int receiveQueueCapacity = 1024;
        private List<IceServer> iceServers = List.of();
        private boolean relayOnly;
        private int consentTimeoutMs = DEFAULT_CONSENT_TIMEOUT_MS;
        private int disconnectedTimeoutMs = DEFAULT_DISCONNECTED_TIMEOUT_MS;
        private int gatheringTimeoutMs = DEFAULT_GATHERING_TIMEOUT_MS;
        private int socketReceiveBufferBytes = DEFAULT_SOCKET_BUFFER;
        private int socketSendBufferBytes = DEFAULT_SOCKET_BUFFER;
        private DatagramIo datagramIo;

        private Builder() {
        }

        /** @param controlling {@code true} when offering, {@code false} when answering */
        public Builder controlling(boolean controlling) {
            this.controlling = controlling;
            return this;
        }

        /** @param filter which host addresses to gather (required), e.g. {@link #LOOPBACK_ONLY} */
        public Builder addressFilter(Predicate<InetAddress> filter) {
            this.addressFilter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /** @param on whether to run RFC 7675 consent freshness (default on) */
        public Builder consentFreshness(boolean on) {
            this.consentFreshness = on;
            return this;
        }

        /**
         * @param min lowest port (1..65535), or 0 together with {@code max} 0 for ephemeral ports
         * @param max highest port, inclusive
         */
        public Builder portRange(int min, int max) {
            this.minPort = min;
            this.maxPort = max;
            return this;
        }

        /** @param datagrams receive queue bound, 1..65536 */
        public Builder receiveQueueCapacity(int datagrams) {
            this.receiveQueueCapacity = datagrams;
            return this;
        }

        /** @param servers STUN/TURN servers, at most {@link IceConfig#MAX_ICE_SERVERS} (default none) */
        public Builder iceServers(List<IceServer> servers) {
            this.iceServers = Objects.requireNonNull(servers, "servers");
            return this;
        }

        /** @param on W3C {@code iceTransportPolicy "relay"}: use relayed candidates only (default off) */
        public Builder relayOnly(boolean on) {
            this.relayOnly = on;
            return this;
        }

        /** @param ms consent expiry, 1000..3600000 ms (default 30000, RFC 7675 §5.1) */
        public Builder consentTimeoutMs(int ms) {
            this.consentTimeoutMs = ms;
            return this;
        }

        /** @param ms time without answered consent checks before DISCONNECTED, 100..consentTimeoutMs (default 8000) */
        public Builder disconnectedTimeoutMs(int ms) {
            this.disconnectedTimeoutMs = ms;
            return this;
        }

        /** @param ms bound on STUN/TURN gathering, 100..60000 ms (default 5000) */
        public Builder gatheringTimeoutMs(int ms) {
            this.gatheringTimeoutMs = ms;
            return this;
        }

        /**
         * @param receiveBytes SO_RCVBUF per host socket, 0 for the OS default, else
         *     {@value IceConfig#MIN_SOCKET_BUFFER}..{@value IceConfig#MAX_SOCKET_BUFFER} bytes
         * @param sendBytes SO_SNDBUF per host socket, same range
         */
        public Builder socketBuffers(int receiveBytes, int sendBytes) {
            this.socketReceiveBufferBytes = receiveBytes;
            this.socketSendBufferBytes = sendBytes;
            return this;
        }

        /**
         * @param io the thread that reads the host sockets (see {@link IceConfig#datagramIo()}),
         *     or null for the JVM-wide shared I/O thread
         */
        public Builder datagramIo(DatagramIo io) {
            this.datagramIo = io;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException if no address filter was set or a value is out of range
         */
        public IceConfig build() {
            if (addressFilter == null) {
                throw new IllegalArgumentException(
                        "addressFilter is required (e.g. IceConfig.LOOPBACK_ONLY for tests)");
            }
            return new IceConfig(controlling, addressFilter, consentFreshness, minPort, maxPort,
                    receiveQueueCapacity, iceServers, relayOnly, consentTimeoutMs, disconnectedTimeoutMs,
                    gatheringTimeoutMs, socketReceiveBufferBytes, socketSendBufferBytes, datagramIo);
        }
    }
}
