package org.jdatachannel.sctp;

/**
 * Immutable configuration of an {@link Association}; build with {@link #builder()}.
 * All sizes are in bytes and all durations in milliseconds. Thread-safe.
 */
public final class SctpOptions {
    private final int localPort;
    private final int remotePort;
    private final long maxReceiveMessageSize;
    private final long maxSendMessageSize;
    private final int mtu;
    private final long initialRtoMs;
    private final long minRtoMs;
    private final long maxRtoMs;
    private final int maxInitRetransmits;
    private final int maxRetransmits;
    private final int outboundStreams;
    private final int inboundStreams;
    private final int receiveWindow;
    private final long maxSendBufferSize;
    private final long delayedAckMs;
    private final long cookieLifetimeMs;
    private final long heartbeatIntervalMs;
    private final boolean messageInterleaving;
    private final boolean zeroChecksumOverDtls;
    private final long minRttVarianceMs;
    private final int maxBurst;
    private final int batchAckPackets;
    private final int maxPlpmtu;
    private final long probeTimerMs;
    private final long pmtuRaiseTimerMs;

    private SctpOptions(Builder b) {
        localPort = b.localPort;
        remotePort = b.remotePort;
        maxReceiveMessageSize = b.maxReceiveMessageSize;
        maxSendMessageSize = b.maxSendMessageSize;
        mtu = b.mtu;
        initialRtoMs = b.initialRtoMs;
        minRtoMs = b.minRtoMs;
        maxRtoMs = b.maxRtoMs;
        maxInitRetransmits = b.maxInitRetransmits;
        maxRetransmits = b.maxRetransmits;
        outboundStreams = b.outboundStreams;
        inboundStreams = b.inboundStreams;
        receiveWindow = b.receiveWindow;
        maxSendBufferSize = b.maxSendBufferSize;
        delayedAckMs = b.delayedAckMs;
        cookieLifetimeMs = b.cookieLifetimeMs;
        heartbeatIntervalMs = b.heartbeatIntervalMs;
        messageInterleaving = b.messageInterleaving;
        zeroChecksumOverDtls = b.zeroChecksumOverDtls;
        minRttVarianceMs = b.minRttVarianceMs;
        maxBurst = b.maxBurst;
        batchAckPackets = b.batchAckPackets;
        maxPlpmtu = b.maxPlpmtu;
        probeTimerMs = b.probeTimerMs;
        pmtuRaiseTimerMs = b.pmtuRaiseTimerMs;
    }

    /** @return a builder with the defaults documented on each setter */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults */
    public static SctpOptions defaults() {
        return builder().build();
    }

    /** @return our SCTP port (source port of sent packets) */
    public int localPort() {
        return localPort;
    }

    /** @return the peer's SCTP port (from its {@code a=sctp-port}) */
    public int remotePort() {
        return remotePort;
    }

    /** @return the largest message we accept; larger incoming messages ABORT the association */
    public long maxReceiveMessageSize() {
        return maxReceiveMessageSize;
    }

    /**
     * @return the largest message {@code send} accepts (the peer's {@code a=max-message-size});
     *     Long.MAX_VALUE when unlimited
     */
    public long maxSendMessageSize() {
        return maxSendMessageSize;
    }

    /**
     * @return the largest SCTP packet we send, common header included, bytes; with Datagram PLPMTUD on
     *     ({@link #maxPlpmtu()} above it) this is BASE_PLPMTU, the size used until a larger one is
     *     confirmed and after a black hole (see {@link Association#pathMtu()})
     */
    public int mtu() {
        return mtu;
    }

    /** @return RTO.Initial, ms (RFC 9260 §16 default 1 s; ours 1000) */
    public long initialRtoMs() {
        return initialRtoMs;
    }

    /**
     * @return RTO.Min, ms. RFC 9260 §16 suggests 1 s; ours defaults to 400 ms like browser stacks,
     *     which is safe against the peer's delayed SACK together with {@link #minRttVarianceMs()}
     */
    public long minRtoMs() {
        return minRtoMs;
    }

    /** @return RTO.Max, ms, the cap of the exponential backoff (RFC 9260 §16 default 60 s; ours 60000) */
    public long maxRtoMs() {
        return maxRtoMs;
    }

    /** @return Max.Init.Retransmits: INIT / COOKIE ECHO retransmissions before giving up */
    public int maxInitRetransmits() {
        return maxInitRetransmits;
    }

    /** @return Association.Max.Retrans: consecutive T3-rtx / T2 / reconfig expiries before ABORT */
    public int maxRetransmits() {
        return maxRetransmits;
    }

    /** @return OS we request (the negotiated value is the minimum with the peer's MIS) */
    public int outboundStreams() {
        return outboundStreams;
    }

    /** @return MIS we accept */
    public int inboundStreams() {
        return inboundStreams;
    }

    /** @return our advertised receive window (a_rwnd in INIT) */
    public int receiveWindow() {
        return receiveWindow;
    }

    /** @return the bound on bytes accepted by {@code send} and not yet sent, over all streams */
    public long maxSendBufferSize() {
        return maxSendBufferSize;
    }

    /** @return the delayed SACK timeout */
    public long delayedAckMs() {
        return delayedAckMs;
    }

    /** @return the State Cookie lifetime (RFC 9260 Valid.Cookie.Life) */
    public long cookieLifetimeMs() {
        return cookieLifetimeMs;
    }

    /**
     * @return HB.interval of RFC 9260 §8.3 in ms: an idle association sends a HEARTBEAT about every
     *     HB.interval + RTO (jittered by ±50 % of the RTO); 0 means heartbeats are disabled
     */
    public long heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    /**
     * @return true if I-DATA / I-FORWARD-TSN (RFC 8260) are offered; used only when the peer offers
     *     them too
     */
    public boolean messageInterleaving() {
        return messageInterleaving;
    }

    /**
     * @return true if the packets travel over DTLS and the RFC 9653 zero checksum is announced (and
     *     used towards a peer that announced it)
     */
    public boolean zeroChecksumOverDtls() {
        return zeroChecksumOverDtls;
    }

    /**
     * @return the floor on RTTVAR used in RTO = SRTT + 4 * RTTVAR, ms (deviation from RFC 9260 §6.3.1,
     *     as dcSCTP's {@code min_rtt_variance}): the RTO always exceeds SRTT by at least four times
     *     this, so a SACK delayed by the peer (usrsctp: up to 200 ms) does not fire T3-rtx spuriously
     */
    public long minRttVarianceMs() {
        return minRttVarianceMs;
    }

    /**
     * @return Max.Burst (RFC 9260 §6.1 D): the most packets of new DATA sent in answer to one
     *     received packet beyond what it acknowledged; 0 disables the limit
     */
    public int maxBurst() {
        return maxBurst;
    }

    /**
     * @return the most received packets with DATA that one SACK acknowledges while the caller
     *     hands packets in as a batch ({@link Association#beginInputBatch()}); outside a batch a SACK
     *     goes for every second packet (RFC 9260 §6.2)
     */
    public int batchAckPackets() {
        return batchAckPackets;
    }

    /**
     * @return MAX_PLPMTU of RFC 8899 §5.1.2, the largest SCTP packet (common header included, bytes)
     *     that Datagram PLPMTUD probes for; 0 when PLPMTUD is off and every packet stays within
     *     {@link #mtu()}, which is also BASE_PLPMTU, the size used until a larger one is confirmed.
     *     Over DTLS one SCTP packet is one record, whose plaintext may not exceed 2^14 = 16384 bytes
     *     (RFC 6347 §4.1 via RFC 5246 §6.2.1), so a DTLS driver should not set more than that. Some
     *     peers' receive buffers are smaller still and fail the transport instead of dropping the
     *     datagram (libwebrtc fails its DTLS transport on a record above 2048 bytes), so a probe that
     *     is "lost" is not always harmless: a driver talking to such peers should cap this value at
     *     what they accept. Probes are sized in multiples of 4 bytes (chunk padding), so the largest
     *     size confirmed is this value rounded down to 4
     */
    public int maxPlpmtu() {
        return maxPlpmtu;
    }

    /** @return PROBE_TIMER of RFC 8899 §5.1.1, ms: how long a PLPMTUD probe waits for its HEARTBEAT ACK */
    public long probeTimerMs() {
        return probeTimerMs;
    }

    /** @return PMTU_RAISE_TIMER of RFC 8899 §5.1.1, ms: after this long in Search Complete, search again */
    public long pmtuRaiseTimerMs() {
        return pmtuRaiseTimerMs;
    }

    @Override
    public String toString() {
        return "SctpOptions(ports " + localPort + "->" + remotePort + ", mtu=" + mtu + ", maxRecv="
                + maxReceiveMessageSize + ", maxSend=" + maxSendMessageSize + ", rwnd=" + receiveWindow + ")";
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private int localPort = 5000;
        private int remotePort = 5000;
        private long maxReceiveMessageSize = 262144;
        private long maxSendMessageSize = 65536;
        private int mtu = 1191;
        private long initialRtoMs = 1000;
        private long minRtoMs = 400;
        private long maxRtoMs = 60000;
        private int maxInitRetransmits = 8;
        private int maxRetransmits = 10;
        private int outboundStreams = 65535;
        private int inboundStreams = 65535;
        private int receiveWindow = 1024 * 1024;
        private long maxSendBufferSize = 16L * 1024 * 1024;
        private long delayedAckMs = 200;
        private long cookieLifetimeMs = 60000;
        private long heartbeatIntervalMs = 30000;
        private boolean messageInterleaving;
        private boolean zeroChecksumOverDtls;
        private long minRttVarianceMs = 55;
        private int maxBurst = 4;
        private int batchAckPackets = 3;
        private int maxPlpmtu;
        private long probeTimerMs = 20_000;
        private long pmtuRaiseTimerMs = 600_000;

        private Builder() {
        }

        private static int port(String what, int p) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException(what + " " + p + " not in 1..65535");
            }
            return p;
        }

        /** @param p our port, 1..65535, default 5000 */
        public Builder localPort(int p) {
            localPort = port("localPort", p);
            return this;
        }

        /** @param p the peer's port, 1..65535, default 5000 */
        public Builder remotePort(int p) {
            remotePort = port("remotePort", p);
            return this;
        }

        /** @param n bytes, &gt;= 1, default 262144; must not exceed the receive window */
        public Builder maxReceiveMessageSize(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxReceiveMessageSize " + n + " < 1");
            }
            maxReceiveMessageSize = n;
            return this;
        }

        /**
         * @param n bytes, &gt;= 0, default 65536 (RFC 8841 §6 default when the SDP has none); 0 means
         *     unlimited (RFC 8841 §6: "A 'max-message-size' attribute value of 0 indicates that the
         *     SCTP endpoint will handle messages of any size")
         */
        public Builder maxSendMessageSize(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxSendMessageSize " + n + " < 0");
            }
            maxSendMessageSize = n == 0 ? Long.MAX_VALUE : n;
            return this;
        }

        /** @param n max SCTP packet size in bytes, 256..65535, default 1191 */
        public Builder mtu(int n) {
            if (n < 256 || n > 65535) {
                throw new IllegalArgumentException("mtu " + n + " not in 256..65535");
            }
            mtu = n;
            return this;
        }

        /** @param ms RTO.Initial, &gt;= 1, default 1000 */
        public Builder initialRtoMs(long ms) {
            if (ms < 1) {
                throw new IllegalArgumentException("initialRtoMs " + ms + " < 1");
            }
            initialRtoMs = ms;
            return this;
        }

        /** @param ms RTO.Min, &gt;= 1, default 400 */
        public Builder minRtoMs(long ms) {
            if (ms < 1) {
                throw new IllegalArgumentException("minRtoMs " + ms + " < 1");
            }
            minRtoMs = ms;
            return this;
        }

        /** @param ms RTO.Max, &gt;= 1, default 60000 */
        public Builder maxRtoMs(long ms) {
            if (ms < 1) {
                throw new IllegalArgumentException("maxRtoMs " + ms + " < 1");
            }
            maxRtoMs = ms;
            return this;
        }

        /** @param n 0..100, default 8 */
        public Builder maxInitRetransmits(int n) {
            if (n < 0 || n > 100) {
                throw new IllegalArgumentException("maxInitRetransmits " + n + " not in 0..100");
            }
            maxInitRetransmits = n;
            return this;
        }

        /** @param n 1..100, default 10 */
        public Builder maxRetransmits(int n) {
            if (n < 1 || n > 100) {
                throw new IllegalArgumentException("maxRetransmits " + n + " not in 1..100");
            }
            maxRetransmits = n;
            return this;
        }

        /** @param n 1..65535, default 65535 */
        public Builder outboundStreams(int n) {
            if (n < 1 || n > 65535) {
                throw new IllegalArgumentException("outboundStreams " + n + " not in 1..65535");
            }
            outboundStreams = n;
            return this;
        }

        /** @param n 1..65535, default 65535 */
        public Builder inboundStreams(int n) {
            if (n < 1 || n > 65535) {
                throw new IllegalArgumentException("inboundStreams " + n + " not in 1..65535");
            }
            inboundStreams = n;
            return this;
        }

        /** @param n bytes, 1500..2^30, default 1 MiB */
        public Builder receiveWindow(int n) {
            if (n < 1500 || n > (1 << 30)) {
                throw new IllegalArgumentException("receiveWindow " + n + " not in 1500..2^30");
            }
            receiveWindow = n;
            return this;
        }

        /** @param n bytes, &gt;= 1, default 16 MiB */
        public Builder maxSendBufferSize(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxSendBufferSize " + n + " < 1");
            }
            maxSendBufferSize = n;
            return this;
        }

        /** @param ms 1..500 (RFC 9260 §6.2: "MUST NOT be more than 500 ms"), default 200 */
        public Builder delayedAckMs(long ms) {
            if (ms < 1 || ms > 500) {
                throw new IllegalArgumentException("delayedAckMs " + ms + " not in 1..500");
            }
            delayedAckMs = ms;
            return this;
        }

        /** @param ms &gt;= 1000, default 60000 */
        public Builder cookieLifetimeMs(long ms) {
            if (ms < 1000) {
                throw new IllegalArgumentException("cookieLifetimeMs " + ms + " < 1000");
            }
            cookieLifetimeMs = ms;
            return this;
        }

        /**
         * @param ms HB.interval (RFC 9260 §8.3), 0 (no HEARTBEAT is sent; received ones are still
         *     answered) or 100..86400000, default 30000
         */
        public Builder heartbeatIntervalMs(long ms) {
            if (ms != 0 && (ms < 100 || ms > 86_400_000)) {
                throw new IllegalArgumentException("heartbeatIntervalMs " + ms + " is neither 0 nor in 100..86400000");
            }
            heartbeatIntervalMs = ms;
            return this;
        }

        /**
         * Offers RFC 8260 user message interleaving: I-DATA and I-FORWARD-TSN are listed in Supported
         * Extensions, and used when the peer lists both too (RFC 8260 §2.2.1: "User message
         * interleaving has been negotiated for an association if both end points have indicated
         * I-DATA support"). A large message then no longer delays messages on other streams: the
         * sender interleaves fragments of different streams round-robin.
         *
         * <p>Default false, as in the browsers: Chromium's dcSCTP offers I-DATA only under the
         * {@code WebRTC-DataChannelMessageInterleaving} field trial (off by default) and Firefox does
         * not enable it in usrsctp, so against browsers the DATA path is used either way. With that
         * field trial on, Chromium 156 lists I-DATA and I-FORWARD-TSN and the browser test passed over
         * I-DATA.
         *
         * @param enable true to offer interleaving
         */
        public Builder enableMessageInterleaving(boolean enable) {
            messageInterleaving = enable;
            return this;
        }

        /**
         * @param ms floor on RTTVAR in the RTO formula, 0..10000, default 55 (so RTO &gt;= SRTT + 220 ms,
         *     dcSCTP's value; covers usrsctp's 200 ms delayed SACK)
         */
        public Builder minRttVarianceMs(long ms) {
            if (ms < 0 || ms > 10000) {
                throw new IllegalArgumentException("minRttVarianceMs " + ms + " not in 0..10000");
            }
            minRttVarianceMs = ms;
            return this;
        }

        /**
         * Declares that packets are carried over DTLS (RFC 8261), whose record integrity protection
         * is an alternate error detection method (RFC 9653 §6, method 1). We then announce the Zero
         * Checksum Acceptable parameter in INIT and INIT ACK, accept packets with a checksum of zero,
         * and send a zero checksum ourselves when the peer announced the same method (except on the
         * packets RFC 9653 §5.2 excludes). Correct CRC32c checksums are always accepted.
         *
         * <p>Default false (the sctp module does not know its lower layer); the data channel stack
         * turns it on for its DTLS transport. dcSCTP implements RFC 9653, but Chromium 156 does not
         * announce it by default (seen in the browser test's INIT parameters), so against it CRC32c
         * stays in use both ways.
         *
         * @param overDtls true when the lower layer is DTLS
         */
        public Builder zeroChecksumOverDtls(boolean overDtls) {
            zeroChecksumOverDtls = overDtls;
            return this;
        }

        /**
         * @param n Max.Burst, packets of new DATA per received packet beyond those it acknowledged,
         *     0..1000, default 4 (RFC 9260 §16); 0 disables the limit
         */
        public Builder maxBurst(int n) {
            if (n < 0 || n > 1000) {
                throw new IllegalArgumentException("maxBurst " + n + " not in 0..1000");
            }
            maxBurst = n;
            return this;
        }

        /**
         * @param n packets with DATA, 2..64, default 3: inside an input batch
         *     ({@link Association#beginInputBatch()}) one SACK goes at the end of the batch, or
         *     earlier once this many packets are unacknowledged. A sender applying Max.Burst 4 (RFC
         *     9260 §6.1 D; usrsctp, dcSCTP and this class send at most 4 packets of new data in
         *     answer to one SACK) may then send one packet more than each SACK acknowledged, so its
         *     flight still grows; with 4 it could not grow at all when a whole flight arrives in one
         *     batch (network simulator, 16 MiB at 20 ms RTT: 34 MB/s per packet, 31 MB/s batched
         *     with 3, 5 MB/s with 4). Fewer SACKs also slow slow start (§7.2.1 grows cwnd by at most
         *     one MTU per SACK). 2 is RFC 9260 §6.2's every second packet. Values of 4 and more
         *     are for peers known not to apply Max.Burst 4 (browsers do): against those they can
         *     stall the peer's flight as measured above.
         */
        public Builder batchAckPackets(int n) {
            if (n < 2 || n > 64) {
                throw new IllegalArgumentException("batchAckPackets " + n + " not in 2..64");
            }
            batchAckPackets = n;
            return this;
        }

        /**
         * @param n MAX_PLPMTU (RFC 8899 §5.1.2), bytes of SCTP packet: 0 (default) turns Datagram
         *     PLPMTUD off; otherwise {@link #mtu(int)}..65535, and PLPMTUD probes for packets up to
         *     this size starting from {@link #mtu(int)} (BASE_PLPMTU)
         */
        public Builder maxPlpmtu(int n) {
            if (n != 0 && (n < 256 || n > 65535)) {
                throw new IllegalArgumentException("maxPlpmtu " + n + " not 0 or in 256..65535");
            }
            maxPlpmtu = n;
            return this;
        }

        /**
         * @param ms PROBE_TIMER (RFC 8899 §5.1.1: "MUST NOT be smaller than 1 second"), 1000..600000,
         *     default 20000
         */
        public Builder probeTimerMs(long ms) {
            if (ms < 1000 || ms > 600_000) {
                throw new IllegalArgumentException("probeTimerMs " + ms + " not in 1000..600000");
            }
            probeTimerMs = ms;
            return this;
        }

        /** @param ms PMTU_RAISE_TIMER (RFC 8899 §5.1.1), 1000..86400000, default 600000 */
        public Builder pmtuRaiseTimerMs(long ms) {
            if (ms < 1000 || ms > 86_400_000L) {
                throw new IllegalArgumentException("pmtuRaiseTimerMs " + ms + " not in 1000..86400000");
            }
            pmtuRaiseTimerMs = ms;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException if minRto &gt; maxRto, the initial RTO is outside them, or
         *     maxReceiveMessageSize exceeds the receive window
         */
        public SctpOptions build() {
            if (minRtoMs > maxRtoMs) {
                throw new IllegalArgumentException("minRtoMs " + minRtoMs + " > maxRtoMs " + maxRtoMs);
            }
            if (initialRtoMs < minRtoMs || initialRtoMs > maxRtoMs) {
                throw new IllegalArgumentException("initialRtoMs " + initialRtoMs + " not in minRtoMs..maxRtoMs");
            }
            if (maxReceiveMessageSize > receiveWindow) {
                throw new IllegalArgumentException("maxReceiveMessageSize " + maxReceiveMessageSize
                        + " exceeds receiveWindow " + receiveWindow);
            }
            if (maxPlpmtu != 0 && maxPlpmtu < mtu) {
                throw new IllegalArgumentException("maxPlpmtu " + maxPlpmtu + " below mtu " + mtu);
            }
            return new SctpOptions(this);
        }
    }
}
