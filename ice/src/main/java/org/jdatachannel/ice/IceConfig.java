package org.jdatachannel.ice;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Configuration of one {@link IceAgent}. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <p>Only host candidates are gathered today. {@link #iceServers()} is where STUN/TURN servers
 * will go; a non-empty list is rejected until that is implemented.
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
 * @param iceServers            STUN/TURN server URLs; must be empty for now
 */
public record IceConfig(boolean controlling, Predicate<InetAddress> addressFilter,
                        boolean consentFreshness, int minPort, int maxPort,
                        int receiveQueueCapacity, List<String> iceServers) {

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
        if (!iceServers.isEmpty()) {
            throw new IllegalArgumentException("STUN/TURN servers are not supported yet, got " + iceServers);
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
        private List<String> iceServers = List.of();

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

        /** @param urls STUN/TURN URLs; only an empty list is accepted for now */
        public Builder iceServers(List<String> urls) {
            this.iceServers = Objects.requireNonNull(urls, "urls");
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
                    receiveQueueCapacity, iceServers);
        }
    }
}
