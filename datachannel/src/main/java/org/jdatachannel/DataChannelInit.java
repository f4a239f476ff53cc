package org.jdatachannel;

/**
 * W3C {@code RTCDataChannelInit}: options for {@link PeerConnection#createDataChannel(String,
 * DataChannelInit)}. A mutable holder with fluent setters; {@code createDataChannel} copies it, so
 * one instance may be reused. Not thread-safe (use one per thread, or do not modify it while it is
 * being passed). Validation happens in {@code createDataChannel}.
 *
 * <pre>{@code
 * DataChannelInit init = new DataChannelInit().ordered(false).maxRetransmits(0);
 * }</pre>
 */
public final class DataChannelInit {
    private boolean ordered = true;
    private Integer maxRetransmits;
    private Integer maxPacketLifeTime;
    private String protocol = "";
    private boolean negotiated;
    private Integer id;

    /** Defaults: ordered, reliable, protocol "", not negotiated, id chosen by the stack. */
    public DataChannelInit() {
    }

    /** @return a new instance with the defaults */
    public static DataChannelInit defaults() {
        return new DataChannelInit();
    }

    /** @return a new instance with the defaults (builder style; finish with {@link #build()}) */
    public static DataChannelInit builder() {
        return new DataChannelInit();
    }

    /** @return a copy of this instance */
    public DataChannelInit build() {
        DataChannelInit c = new DataChannelInit();
        c.ordered = ordered;
        c.maxRetransmits = maxRetransmits;
        c.maxPacketLifeTime = maxPacketLifeTime;
        c.protocol = protocol;
        c.negotiated = negotiated;
        c.id = id;
        return c;
    }

    /** @return true (default) if messages are delivered in order */
    public boolean ordered() {
        return ordered;
    }

    /** @param ordered false for unordered delivery @return this */
    public DataChannelInit ordered(boolean ordered) {
        this.ordered = ordered;
        return this;
    }

    /** @return the retransmission limit, or null (default) for no limit */
    public Integer maxRetransmits() {
        return maxRetransmits;
    }

    /**
     * @param maxRetransmits retransmissions per message, 0..65535 (larger values are clamped to
     *                       65535 as in the W3C API), or null for no limit; exclusive with
     *                       {@link #maxPacketLifeTime(Integer)}
     * @return this
     */
    public DataChannelInit maxRetransmits(Integer maxRetransmits) {
        this.maxRetransmits = maxRetransmits;
        return this;
    }

    /** @return the lifetime limit in milliseconds, or null (default) for no limit */
    public Integer maxPacketLifeTime() {
        return maxPacketLifeTime;
    }

    /**
     * @param maxPacketLifeTime milliseconds a message may be retransmitted, 0..65535 (clamped), or
     *                          null for no limit; exclusive with {@link #maxRetransmits(Integer)}
     * @return this
     */
    public DataChannelInit maxPacketLifeTime(Integer maxPacketLifeTime) {
        this.maxPacketLifeTime = maxPacketLifeTime;
        return this;
    }

    /** @return the sub-protocol name, "" by default */
    public String protocol() {
        return protocol;
    }

    /** @param protocol sub-protocol name, at most 65535 UTF-8 bytes; null means "" @return this */
    public DataChannelInit protocol(String protocol) {
        this.protocol = protocol == null ? "" : protocol;
        return this;
    }

    /** @return true if the application negotiated the channel out of band (no DCEP) */
    public boolean negotiated() {
        return negotiated;
    }

    /** @param negotiated true to skip DCEP; then {@link #id(Integer)} is required @return this */
    public DataChannelInit negotiated(boolean negotiated) {
        this.negotiated = negotiated;
        return this;
    }

    /** @return the requested SCTP stream id, or null */
    public Integer id() {
        return id;
    }

    /** @param id SCTP stream id 0..65534 for a negotiated channel, or null @return this */
    public DataChannelInit id(Integer id) {
        this.id = id;
        return this;
    }

    @Override
    public String toString() {
        return "DataChannelInit{ordered=" + ordered + ", maxRetransmits=" + maxRetransmits + ", maxPacketLifeTime="
                + maxPacketLifeTime + ", protocol=\"" + protocol + "\", negotiated=" + negotiated + ", id=" + id + "}";
    }
}
