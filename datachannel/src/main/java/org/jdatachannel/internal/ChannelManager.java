package org.jdatachannel.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.DataChannelState;
import org.jdatachannel.dcep.ChannelType;
import org.jdatachannel.dcep.DataChannelAck;
import org.jdatachannel.dcep.DataChannelOpen;
import org.jdatachannel.dcep.DcepMessage;
import org.jdatachannel.dcep.DcepParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DCEP (RFC 8832) and data-channel state for one association: stream-id allocation, OPEN/ACK,
 * message PPIDs (RFC 8831 §6.6), stream-reset closing (RFC 8831 §6.7). Driven by the event loop
 * with SCTP events; talks to SCTP only through {@link SctpLink}, so tests can feed it events
 * without a network. All methods except {@link #remoteMaxMessageSize()} and {@link
 * #setOnDataChannel(Consumer)} must be called on the loop thread. Not part of the public API.
 */
public final class ChannelManager {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelManager.class);

    // RFC 8831 §8 / RFC 8832 §8.1 payload protocol identifiers.
    /** WebRTC DCEP. */
    public static final int PPID_DCEP = 50;
    /** WebRTC String. */
    public static final int PPID_STRING = 51;
    /** WebRTC Binary Partial (deprecated). */
    public static final int PPID_BINARY_PARTIAL = 52;
    /** WebRTC Binary. */
    public static final int PPID_BINARY = 53;
    /** WebRTC String Partial (deprecated). */
    public static final int PPID_STRING_PARTIAL = 54;
    /** WebRTC String Empty. */
    public static final int PPID_STRING_EMPTY = 56;
    /** WebRTC Binary Empty. */
    public static final int PPID_BINARY_EMPTY = 57;

    /** Highest usable stream id (W3C: "id ... greater than 65534" is rejected; 65535 is reserved). */
    public static final int MAX_STREAM_ID = 65534;
    /** Bound on channels waiting for an id (created before the DTLS role is known). */
    static final int MAX_PENDING_CHANNELS = 1024;
    /**
     * Most messages (DCEP OPEN included) held for one stream whose previous channel is still
     * finishing its close (see {@link #onDcep}); beyond it they are dropped with a warning.
     */
    static final int MAX_HELD_MESSAGES = 256;
    /**
     * Most bytes held over all such streams; each message is charged {@link #HELD_OVERHEAD} bytes
     * on top of its payload, so many tiny messages cannot take more memory than this suggests.
     */
    static final long MAX_HELD_BYTES = 4L * 1024 * 1024;
    /** Bookkeeping bytes charged per held message. */
    static final int HELD_OVERHEAD = 64;

    /**
     * Most user bytes the whole connection may hold: accepted by {@code send()} but not yet handed
     * to SCTP, plus what SCTP still has queued for first transmission, over all channels. A send
     * beyond it throws IllegalStateException, so the SCTP send queue (sized by {@link
     * #SCTP_SEND_BUFFER_SIZE}) never has to refuse an accepted message.
     */
    public static final long MAX_CONNECTION_BUFFERED = 16L * 1024 * 1024;
    /**
     * Room the SCTP send queue keeps above {@link #MAX_CONNECTION_BUFFERED} for what admission does
     * not refuse: DCEP messages (a DATA_CHANNEL_OPEN is at most 12 + 2 × 65535 bytes) are counted
     * in the connection's total as soon as they are queued but are queued even when that total is
     * at the limit; and a channel that closed while SCTP still held its data leaves the total
     * although SCTP still holds those bytes.
     */
    static final long SCTP_SEND_BUFFER_HEADROOM = 4L * 1024 * 1024;
    /** The SCTP association's whole-association send buffer (SctpOptions.maxSendBufferSize), bytes. */
    public static final long SCTP_SEND_BUFFER_SIZE = MAX_CONNECTION_BUFFERED + SCTP_SEND_BUFFER_HEADROOM;

    /**
     * Most channels the peer may have open at once on this connection (opened by its
     * DATA_CHANNEL_OPEN and not yet CLOSED). A further OPEN is refused like one with invalid
     * parameters: no DATA_CHANNEL_ACK, the stream is reset (RFC 8832 §6). The stream-id space alone
     * would allow 32,767 peer-opened channels (every id of the peer's parity up to 65534).
     */
    public static final int MAX_PEER_CHANNELS = 4096;
    /**
     * Most UTF-8 bytes of label plus protocol over all channels the peer has open at once. One
     * DATA_CHANNEL_OPEN may carry 2 × 65,535 bytes (RFC 8832 §5.1: 16-bit lengths); an OPEN that
     * would exceed this is refused like {@link #MAX_PEER_CHANNELS}. Each channel is charged
     * {@link #PEER_CHANNEL_OVERHEAD} bytes on top, so that label-less channels count as well.
     */
    public static final long MAX_PEER_CHANNEL_TEXT_BYTES = 2L * 1024 * 1024;
    /** Bytes charged per peer-opened channel on top of its label and protocol (its bookkeeping). */
    static final int PEER_CHANNEL_OVERHEAD = 64;
    /**
     * Most bytes of received messages waiting for an onMessage handler, over all channels of the
     * connection (each channel also has its own bound, {@link DataChannelImpl#MAX_UNHANDLED_BYTES}).
     * Each message is charged {@link DataChannelImpl#UNHANDLED_OVERHEAD} bytes on top of its size.
     * Beyond it, received messages are dropped (counted, logged at 1, 2, 4, ... drops).
     */
    public static final long MAX_CONNECTION_UNHANDLED_BYTES = 16L * 1024 * 1024;

    private final EventLoop loop;
    /** Bytes accepted by {@code send()} on any channel and not yet handed to SCTP; any thread. */
    private final AtomicLong admittedBytes = new AtomicLong();
    /** Sum of the channels' SCTP buffered amounts; written on the loop thread only. */
    private volatile long sctpBufferedTotal;
    /**
     * {@link #admittedBytes} plus {@link #sctpBufferedTotal}, kept as one counter so that admission
     * reads both in one atomic step: the loop moves a message from "admitted" to "SCTP" with a
     * single update ({@link #updateSctpBuffered(DataChannelImpl, long, long)}). Reading the two
     * counters one after the other counted every message the loop moved in between twice, and
     * refused sends spuriously (the connection looked fuller than it was).
     */
    private final AtomicLong connectionBuffered = new AtomicLong();
    private volatile long remoteMaxMessageSize = 65536;
    private volatile Consumer<DataChannel> onDataChannel;

    private SctpLink link;
    private boolean connected;
    private boolean closed;
    /** null until known: true if we are the DTLS client (even stream ids). */
    private Boolean dtlsClient;
    private final Map<Integer, DataChannelImpl> byStream = new TreeMap<>();
    private final Set<DataChannelImpl> unassigned = new LinkedHashSet<>();
    /**
     * Streams being reset that belong to no channel (an OPEN we rejected, or the peer reset a
     * stream we have no channel for): value {outgoing done, incoming done}. Their ids are not
     * given to new channels until both directions are reset (INTEROP-NOTES: "reuse a stream id only
     * after both directions are reset"). At most one entry per stream id.
     */
    private final Map<Integer, boolean[]> orphanResets = new TreeMap<>();
    /** Messages the peer sent on a reused stream id before our side of the old channel's close completed. */
    private final Map<Integer, ArrayDeque<Held>> held = new HashMap<>();
    private long heldBytes;
    /** Messages ever held (for tests and logs). */
    private long heldTotal;
    /** Messages dropped because the held-message bounds were reached. */
    private long heldDropped;
    /** Channels the peer opened that are not CLOSED yet; loop thread. */
    private int peerChannels;
    /** Label + protocol bytes (+ overhead) of those channels; loop thread. */
    private long peerChannelTextBytes;
    /** DATA_CHANNEL_OPENs refused because of {@link #MAX_PEER_CHANNELS} or {@link #MAX_PEER_CHANNEL_TEXT_BYTES}. */
    private long opensRefusedForLimits;
    /** DATA_CHANNEL_OPENs refused for the stream id (wrong parity, beyond 65534, still being reset). */
    private long opensRefusedForStream;
    /** DCEP messages that did not parse (unknown type, lengths that lie, bad UTF-8, ...). */
    private long dcepMalformed;
    /** OPENs on a stream whose channel was live (that channel was closed); only counts log lines. */
    private long opensOnStreamInUse;
    /** Peer channels opened while no onDataChannel handler was set; only counts log lines. */
    private long unannouncedPeerChannels;
    /** Bytes (with per-message overhead) waiting for an onMessage handler over all channels; loop thread. */
    private long unhandledBytes;
    /** Received messages dropped because an unhandled-message bound was reached (any channel). */
    private long unhandledDropped;

    /** One message held by {@link #held}. */
    private record Held(int ppid, byte[] payload) {
    }

    /** @param loop the owning event loop */
    public ChannelManager(EventLoop loop) {
        this.loop = loop;
    }

    /** @param handler receives channels the peer opened; any thread */
    public void setOnDataChannel(Consumer<DataChannel> handler) {
        onDataChannel = handler;
    }

    /** @return the peer's a=max-message-size in bytes (65536 until known); any thread */
    public long remoteMaxMessageSize() {
        return remoteMaxMessageSize;
    }

    /** @param bytes the peer's limit; 0 means "any size" (RFC 8841 §6), kept as Integer.MAX_VALUE - 8 */
    public void setRemoteMaxMessageSize(long bytes) {
        // RFC 8841 §6.1 (paraphrased): max-message-size 0 means the peer accepts messages of any
        // size; the sdp module reports it as NO_LIMIT. We still keep one message within an array.
        remoteMaxMessageSize = bytes <= 0 || bytes > Integer.MAX_VALUE - 8 ? Integer.MAX_VALUE - 8 : bytes;
    }

    /** @return true once the DTLS role is known */
    public boolean roleKnown() {
        return dtlsClient != null;
    }

    /** @return every live channel: those with a stream id in id order, then those still waiting for one (snapshot) */
    public List<DataChannelImpl> channels() {
        List<DataChannelImpl> all = new ArrayList<>(byStream.values());
        all.addAll(unassigned);
        return all;
    }

    /**
     * Fixes the DTLS role and gives pending channels their stream ids.
     * RFC 8832 §6: "If the side is acting as the DTLS client, it MUST choose an even stream
     * identifier; if the side is acting as the DTLS server, it MUST choose an odd one."
     *
     * @param client true if we are the DTLS client
     */
    public void setDtlsRole(boolean client) {
        if (dtlsClient != null && dtlsClient != client) {
            LOG.warn("DTLS role changed from {} to {}; keeping the first", dtlsClient ? "client" : "server",
                    client ? "client" : "server");
            return;
        }
        dtlsClient = client;
        for (DataChannelImpl ch : new ArrayList<>(unassigned)) {
            Integer sid = allocateId();
            if (sid == null) {
                failChannel(ch, new IllegalStateException("no free SCTP stream id for data channel \"" + ch.label() + "\""));
                continue;
            }
            unassigned.remove(ch);
            ch.setId(sid);
            byStream.put(sid, ch);
        }
    }

    /**
     * The lowest free id of our parity. A stream is not free while a channel holds it (a closing
     * channel keeps it until both directions are reset) or while an orphan reset is pending on it.
     */
    private Integer allocateId() {
        for (int sid = dtlsClient ? 0 : 1; sid <= MAX_STREAM_ID; sid += 2) {
            if (!byStream.containsKey(sid) && !orphanResets.containsKey(sid)) {
                return sid;
            }
        }
        return null;
    }

    /**
     * Creates a channel (loop thread). Validation follows the W3C createDataChannel steps.
     *
     * @throws IllegalArgumentException for bad options (message says which)
     * @throws IllegalStateException    if the connection is closed or no stream id is free
     */
    public DataChannelImpl createChannel(String label, DataChannelInit init) {
        if (closed) {
            throw new IllegalStateException("the peer connection is closed");
        }
        if (label == null) {
            throw new IllegalArgumentException("label must not be null");
        }
        DataChannelInit o = init == null ? new DataChannelInit() : init.build();
        if (o.maxRetransmits() != null && o.maxPacketLifeTime() != null) {
            throw new IllegalArgumentException("maxRetransmits and maxPacketLifeTime cannot both be set");
        }
        if (o.maxRetransmits() != null && o.maxRetransmits() < 0) {
            throw new IllegalArgumentException("maxRetransmits must be >= 0, got " + o.maxRetransmits());
        }
        if (o.maxPacketLifeTime() != null && o.maxPacketLifeTime() < 0) {
            throw new IllegalArgumentException("maxPacketLifeTime must be >= 0, got " + o.maxPacketLifeTime());
        }
        Integer maxRexmit = o.maxRetransmits() == null ? null : Math.min(o.maxRetransmits(), 65535);
        Integer maxLife = o.maxPacketLifeTime() == null ? null : Math.min(o.maxPacketLifeTime(), 65535);
        // Validate label/protocol sizes the way the DCEP message will need them.
        try {
            new DataChannelOpen(ChannelType.RELIABLE, 0, 0, label, o.protocol());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data channel \"" + abbreviate(label) + "\": " + e.getMessage(), e);
        }
        Integer id = o.id();
        if (o.negotiated()) {
            if (id == null) {
                throw new IllegalArgumentException("a negotiated data channel needs an id");
            }
        }
        if (id != null) {
            if (id < 0 || id > MAX_STREAM_ID) {
                throw new IllegalArgumentException("data channel id must be 0.." + MAX_STREAM_ID + ", got " + id);
            }
            DataChannelImpl holder = byStream.get(id);
            if (holder != null) {
                // W3C createDataChannel: "If [[DataChannelId]] is equal to the identifier of another
                // RTCDataChannel, throw an OperationError". A closing channel keeps its id until
                // both directions of its stream are reset (RFC 8831 §6.7).
                throw new IllegalArgumentException("data channel id " + id + " is already in use by \""
                        + abbreviate(holder.label()) + "\" (" + holder.readyState()
                        + (holder.readyState() == DataChannelState.CLOSING ? ", its stream reset is not complete yet; "
                        + "retry after its onClose" : "") + ")");
            }
            if (orphanResets.containsKey(id)) {
                throw new IllegalArgumentException("data channel id " + id + " is still being reset; retry later");
            }
        }
        DataChannelImpl ch = new DataChannelImpl(this, loop, label, o.protocol(), o.ordered(), maxRexmit, maxLife,
                o.negotiated(), id, true);
        if (id != null) {
            byStream.put(id, ch);
        } else if (dtlsClient != null) {
            Integer sid = allocateId();
            if (sid == null) {
                throw new IllegalStateException("no free SCTP stream id");
            }
            ch.setId(sid);
            byStream.put(sid, ch);
        } else {
            if (unassigned.size() >= MAX_PENDING_CHANNELS) {
                throw new IllegalStateException("too many data channels waiting for the connection (" + MAX_PENDING_CHANNELS + ")");
            }
            unassigned.add(ch);
        }
        if (ch.id() != null) {
            applyThreshold(ch);
        }
        if (connected) {
            open(ch);
        }
        return ch;
    }

    /** Longest prefix of a label or protocol written to the log, in chars. */
    static final int LOG_TEXT_CHARS = 64;

    /**
     * A label or protocol for the log: peer-chosen text may be 64 KiB, so at most the first
     * {@link #LOG_TEXT_CHARS} chars, then "... (N chars)" with the full length.
     */
    static String abbreviate(String s) {
        return s.length() > LOG_TEXT_CHARS ? s.substring(0, LOG_TEXT_CHARS) + "... (" + s.length() + " chars)" : s;
    }

    /** @param link the association, once it exists (before {@link #onConnected()}) */
    public void attach(SctpLink link) {
        this.link = link;
        for (DataChannelImpl ch : byStream.values()) {
            applyThreshold(ch);
        }
    }

    /** SCTP association established: open every waiting channel. */
    public void onConnected() {
        if (connected || closed) {
            return;
        }
        connected = true;
        for (DataChannelImpl ch : new ArrayList<>(byStream.values())) {
            if (ch.readyState() == DataChannelState.CONNECTING) {
                open(ch);
            }
        }
        for (DataChannelImpl ch : new ArrayList<>(unassigned)) {
            failChannel(ch, new IllegalStateException("data channel \"" + ch.label() + "\" never got a stream id"));
        }
    }

    private void open(DataChannelImpl ch) {
        ch.streamUsed = true;
        if (ch.negotiated()) {
            markOpen(ch);
            return;
        }
        ChannelType type = ChannelType.of(!ch.ordered(), ch.maxRetransmits() != null, ch.maxPacketLifeTime() != null);
        long param = ch.maxRetransmits() != null ? ch.maxRetransmits()
                : ch.maxPacketLifeTime() != null ? ch.maxPacketLifeTime() : 0;
        DataChannelOpen msg = new DataChannelOpen(type, DataChannelOpen.PRIORITY_NORMAL, param, ch.label(), ch.protocol());
        byte[] open = msg.toBytes();
        try {
            // RFC 8832 §6: "All DCEP messages MUST be sent using ordered delivery and reliable
            // transmission."
            link.send(ch.id(), PPID_DCEP, open, false, -1, -1);
        } catch (RuntimeException e) {
            failChannel(ch, e);
            return;
        }
        LOG.debug("sent {} on stream {}", msg, ch.id());
        // SCTP holds the OPEN on the stream now: count it at once, not at the stream's next
        // refresh, so that admission sees it (else a burst of sends admitted before that refresh
        // could exceed MAX_CONNECTION_BUFFERED by the DCEP bytes). The connection's budget only:
        // the channel's bufferedAmount() counts what send() queued (W3C).
        updateSctpBuffered(ch, link.bufferedAmount(ch.id()), 0, open.length);
        // RFC 8832 §6 (paraphrased): the opener may send user data before the DATA_CHANNEL_ACK
        // arrives (ordered until then, see sendUser), so the channel is OPEN once OPEN is queued.
        markOpen(ch);
    }

    private void markOpen(DataChannelImpl ch) {
        // false if close() made it CLOSING meanwhile: its closing task resets the stream
        if (ch.setState(DataChannelState.OPEN)) {
            loop.defer(ch::reportOpen);
        }
    }

    private void failChannel(DataChannelImpl ch, RuntimeException e) {
        LOG.warn("data channel \"{}\" (id {}) failed: {}", abbreviate(ch.label()), ch.id(), e.toString());
        loop.defer(() -> ch.reportError(e));
        finishClose(ch);
    }

    /**
     * One SCTP user message.
     *
     * @param streamId the stream
     * @param ppid     payload protocol identifier
     * @param payload  the message (owned by the callee from now on)
     */
    public void onMessage(int streamId, int ppid, byte[] payload) {
        if (closed) {
            return;
        }
        if (ppid == PPID_DCEP && !held.containsKey(streamId)) {
            onDcep(streamId, payload);
            return;
        }
        if (held.containsKey(streamId)) {
            hold(streamId, ppid, payload);
            return;
        }
        DataChannelImpl ch = byStream.get(streamId);
        if (ch == null) {
            LOG.debug("dropping {}-byte message with PPID {} on stream {} without a channel", payload.length, ppid, streamId);
            return;
        }
        if (ch.incomingResetDone) {
            // RFC 6525 §5.2.2: the reset was performed once every message before it had arrived, so
            // this message belongs to a later use of the stream id, not to this closing channel.
            LOG.debug("dropping {}-byte message on stream {}: the peer already reset it for \"{}\"", payload.length,
                    streamId, ch.label());
            return;
        }
        DataChannelState s = ch.readyState();
        if (s != DataChannelState.OPEN && s != DataChannelState.CLOSING) {
            LOG.debug("dropping message on stream {} in state {}", streamId, s);
            return;
        }
        DataChannelMessage m;
        switch (ppid) {
            // RFC 8831 §8: 54 "WebRTC String Partial" and 52 "WebRTC Binary Partial" are deprecated;
            // we treat them as complete messages of their kind.
            case PPID_STRING, PPID_STRING_PARTIAL -> m = new DataChannelMessage(false, ByteBuffer.wrap(payload));
            case PPID_BINARY, PPID_BINARY_PARTIAL -> m = new DataChannelMessage(true, ByteBuffer.wrap(payload));
            // RFC 8831 §6.6: empty messages are sent as one zero byte with PPID 56/57.
            case PPID_STRING_EMPTY -> m = new DataChannelMessage(false, ByteBuffer.allocate(0));
            case PPID_BINARY_EMPTY -> m = new DataChannelMessage(true, ByteBuffer.allocate(0));
            default -> {
                LOG.debug("dropping message with unknown PPID {} on stream {}", ppid, streamId);
                return;
            }
        }
        ch.deliver(m);
    }

    private void onDcep(int streamId, byte[] payload) {
        DcepMessage msg;
        try {
            msg = DcepMessage.parse(ByteBuffer.wrap(payload));
        } catch (DcepParseException e) {
            // RFC 8832 §5 defines only OPEN and ACK; anything else is dropped. Logged at 1, 2, 4, ...
            // so that a flooding peer cannot flood the log too.
            if (Long.bitCount(++dcepMalformed) == 1) {
                LOG.warn("ignoring malformed DCEP message on stream {}: {} ({} so far)", streamId, e.getMessage(),
                        dcepMalformed);
            }
            return;
        }
        LOG.debug("received {} on stream {}", msg, streamId);
        if (msg instanceof DataChannelAck) {
            DataChannelImpl ch = byStream.get(streamId);
            if (ch != null && ch.locallyOpened) {
                ch.ackReceived = true;
            } else {
                LOG.debug("unexpected DATA_CHANNEL_ACK on stream {}", streamId);
            }
            return;
        }
        DataChannelOpen open = (DataChannelOpen) msg;
        // RFC 8832 §6: "If a DATA_CHANNEL_OPEN message is received on an unused stream, the stream
        // identifier corresponds to the role of the peer, and all parameters in the
        // DATA_CHANNEL_OPEN message are valid, then a corresponding DATA_CHANNEL_ACK message is
        // sent" ... otherwise "the receiver MUST close the corresponding data channel using the
        // procedure described in [RFC8831] and MUST NOT send a DATA_CHANNEL_ACK message".
        boolean ourParity = dtlsClient != null && (streamId % 2 == 0) == dtlsClient;
        DataChannelImpl existing = byStream.get(streamId);
        if (existing != null && existing.incomingResetDone && existing.outgoingResetRequested) {
            // The peer reset its side of the old channel and may reuse the id only after our reset
            // of the other direction was performed there (RFC 8831 §6.7, INTEROP-NOTES); SCTP has
            // not told us yet (the response may be lost or in flight). Until it does, SCTP does not
            // let us send on the stream, so the OPEN and whatever follows it wait (bounded).
            LOG.debug("DATA_CHANNEL_OPEN \"{}\" on stream {} before our reset of \"{}\" completed: held",
                    abbreviate(open.label()), streamId, abbreviate(existing.label()));
            hold(streamId, PPID_DCEP, payload);
            return;
        }
        if (existing != null) {
            // A peer can repeat this (OPEN on a live stream, reopen, again): logged at 1, 2, 4, 8, ...
            if (Long.bitCount(++opensOnStreamInUse) == 1) {
                LOG.warn("DATA_CHANNEL_OPEN \"{}\" on stream {} which is in use by \"{}\": closing that channel "
                        + "({} such OPENs so far)", abbreviate(open.label()), streamId, abbreviate(existing.label()),
                        opensOnStreamInUse);
            }
            closeChannel(existing);
            return;
        }
        if (dtlsClient == null || link == null) {
            // Cannot happen through SCTP (it runs over DTLS, so the role is known first); without the
            // role the odd/even rule cannot be checked, so nothing is opened.
            LOG.warn("ignoring DATA_CHANNEL_OPEN \"{}\" on stream {}: the DTLS role is not known yet",
                    abbreviate(open.label()), streamId);
            return;
        }
        if (streamId < 0 || streamId > MAX_STREAM_ID) {
            // W3C: ids above 65534 are not channel ids (65535 is reserved); SCTP negotiates at most
            // 65535 streams (0..65534), so there is no stream of ours to reset either: dropped.
            if (Long.bitCount(++opensRefusedForStream) == 1) {
                LOG.warn("ignoring DATA_CHANNEL_OPEN \"{}\" on stream {}: ids above {} are reserved ({} refused for "
                        + "their stream id so far)", abbreviate(open.label()), streamId, MAX_STREAM_ID,
                        opensRefusedForStream);
            }
            return;
        }
        if (ourParity) {
            if (Long.bitCount(++opensRefusedForStream) == 1) {
                LOG.warn("rejecting DATA_CHANNEL_OPEN \"{}\" on stream {}: the odd/even rule gives that id to our side "
                        + "({} refused for their stream id so far)", abbreviate(open.label()), streamId,
                        opensRefusedForStream);
            }
            orphanReset(streamId, false);
            return;
        }
        if (orphanResets.containsKey(streamId)) {
            if (Long.bitCount(++opensRefusedForStream) == 1) {
                LOG.warn("rejecting DATA_CHANNEL_OPEN \"{}\" on stream {}: the stream is still being reset "
                        + "({} refused for their stream id so far)", abbreviate(open.label()), streamId,
                        opensRefusedForStream);
            }
            return;
        }
        long text = peerChannelCost(open);
        if (peerChannels >= MAX_PEER_CHANNELS || peerChannelTextBytes + text > MAX_PEER_CHANNEL_TEXT_BYTES) {
            // Connection-wide bounds on what the peer can make us keep (SECURITY.md). RFC 8832 §6:
            // when the OPEN cannot be accepted, "the receiver MUST close the corresponding data
            // channel using the procedure described in [RFC8831] and MUST NOT send a
            // DATA_CHANNEL_ACK message" -- the opener sees the reset before an ACK as a failure.
            if (Long.bitCount(++opensRefusedForLimits) == 1) {
                LOG.warn("rejecting DATA_CHANNEL_OPEN \"{}\" on stream {}: the peer already has {} channels open "
                        + "({} label/protocol bytes; limits {} channels, {} bytes); {} refused so far",
                        abbreviate(open.label()), streamId, peerChannels, peerChannelTextBytes, MAX_PEER_CHANNELS,
                        MAX_PEER_CHANNEL_TEXT_BYTES, opensRefusedForLimits);
            }
            orphanReset(streamId, false);
            return;
        }
        ChannelType t = open.channelType();
        long p = open.reliabilityParameter();
        Integer maxRexmit = t.limitsRetransmits() ? (int) Math.min(p, Integer.MAX_VALUE) : null;
        Integer maxLife = t.limitsLifetime() ? (int) Math.min(p, Integer.MAX_VALUE) : null;
        DataChannelImpl ch = new DataChannelImpl(this, loop, open.label(), open.protocol(), !t.unordered(), maxRexmit,
                maxLife, false, streamId, false);
        byte[] ack = new DataChannelAck().toBytes();
        try {
            // RFC 8832 §6: the DATA_CHANNEL_ACK "is sent on the stream with the same stream
            // identifier as the one the DATA_CHANNEL_OPEN message was received on".
            link.send(streamId, PPID_DCEP, ack, false, -1, -1);
        } catch (RuntimeException e) {
            LOG.warn("could not ACK DATA_CHANNEL_OPEN on stream {}: {}", streamId, e.toString());
            return;
        }
        byStream.put(streamId, ch);
        // the ACK is in SCTP's queue: counted at once in the connection's budget, like an OPEN (see open)
        updateSctpBuffered(ch, link.bufferedAmount(streamId), 0, ack.length);
        peerChannels++;
        peerChannelTextBytes += text;
        applyThreshold(ch);
        ch.streamUsed = true;
        ch.setState(DataChannelState.OPEN);
        loop.defer(() -> {
            Consumer<DataChannel> h = onDataChannel;
            if (h != null) {
                h.accept(ch);
            } else {
                if (Long.bitCount(++unannouncedPeerChannels) == 1) {
                    LOG.info("data channel \"{}\" opened by the peer but no onDataChannel handler is set ({} so far)",
                            abbreviate(ch.label()), unannouncedPeerChannels);
                }
            }
        });
        loop.defer(ch::reportOpen);
    }

    /** What a peer-opened channel costs against {@link #MAX_PEER_CHANNEL_TEXT_BYTES}. */
    private static long peerChannelCost(DataChannelOpen open) {
        return (long) utf8Length(open.label()) + utf8Length(open.protocol()) + PEER_CHANNEL_OVERHEAD;
    }

    /** UTF-8 length of a string without encoding it (the strings came from valid UTF-8). */
    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Loop thread: reserves room for one received message in the connection-wide unhandled budget.
     *
     * @param cost the message's size plus {@link DataChannelImpl#UNHANDLED_OVERHEAD}
     * @return false if {@link #MAX_CONNECTION_UNHANDLED_BYTES} would be exceeded (nothing reserved)
     */
    boolean reserveUnhandled(long cost) {
        if (unhandledBytes + cost > MAX_CONNECTION_UNHANDLED_BYTES) {
            return false;
        }
        unhandledBytes += cost;
        return true;
    }

    /** Loop thread: gives back a reservation of {@link #reserveUnhandled}. */
    void releaseUnhandled(long cost) {
        unhandledBytes -= cost;
    }

    /**
     * Loop thread: a received message was dropped because an unhandled-message bound was reached.
     *
     * @return true if this drop should be logged (the 1st, 2nd, 4th, 8th, ... of the connection)
     */
    boolean countUnhandledDrop() {
        return Long.bitCount(++unhandledDropped) == 1;
    }

    /**
     * Reserves room for one message in the connection-wide send budget (any thread). The caller
     * has already reserved it in the channel's own budget and hands the message to {@link
     * #sendUser} afterwards, which releases the reservation once SCTP has the message.
     *
     * @param ch    the sending channel (for the error message)
     * @param bytes the SCTP payload size, at least 1 (an empty message is one zero byte on the wire)
     * @throws IllegalStateException if the connection's buffered bytes would exceed {@link
     *                               #MAX_CONNECTION_BUFFERED}; nothing is reserved then
     */
    void admit(DataChannelImpl ch, long bytes) {
        // One compare-and-set on the combined counter: a message the loop is moving to SCTP counts
        // once, and a send refused here never touched this counter. (A message admitted here whose
        // loop.execute is then rejected -- the connection closed -- is counted until unadmit.)
        long before;
        do {
            before = connectionBuffered.get();
            if (before + bytes > MAX_CONNECTION_BUFFERED) {
                // W3C send(): if the data would overflow the buffer, "throw an OperationError".
                throw connectionFull(ch, before, bytes);
            }
        } while (!connectionBuffered.compareAndSet(before, before + bytes));
        admittedBytes.addAndGet(bytes);
    }

    private static IllegalStateException connectionFull(DataChannelImpl ch, long buffered, long bytes) {
        return new IllegalStateException("data channel \"" + ch.label() + "\": the connection's send buffer is full ("
                + buffered + " bytes buffered over all channels + " + bytes + " > limit "
                + MAX_CONNECTION_BUFFERED + "); message not sent, the channel stays open; retry once "
                + "bufferedAmount() of the busy channels has fallen (onBufferedAmountLow)");
    }

    /** Gives back a reservation made by {@link #admit} whose message never reached the loop. */
    void unadmit(long bytes) {
        admittedBytes.addAndGet(-bytes);
        connectionBuffered.addAndGet(-bytes);
    }

    /**
     * @return {@link #admittedBytes()} plus {@link #sctpBufferedTotal()} as the one counter send()
     *         checks; any thread
     */
    long connectionBuffered() {
        return connectionBuffered.get();
    }

    /** @return bytes accepted by send() and not yet handed to SCTP, over all channels; any thread */
    long admittedBytes() {
        return admittedBytes.get();
    }

    /** @return bytes SCTP holds for first transmission, over all channels (last refreshed view); any thread */
    long sctpBufferedTotal() {
        return sctpBufferedTotal;
    }

    /** Loop thread: records the channel's SCTP buffered amount and keeps the connection total. */
    private void updateSctpBuffered(DataChannelImpl ch, long bytes) {
        updateSctpBuffered(ch, bytes, 0, 0);
    }

    /**
     * Loop thread: records the channel's SCTP buffered amount and releases {@code released}
     * admitted bytes (a message SCTP now holds) in the same step, so that no reader of the
     * combined counters sees the message twice or not at all. {@code dcep} bytes of {@code bytes}
     * are a DCEP message just queued: the connection counts them, the channel's bufferedAmount()
     * does not ({@link DataChannelImpl#moveToSctp}).
     */
    private void updateSctpBuffered(DataChannelImpl ch, long bytes, long released, long dcep) {
        long delta = bytes - ch.sctpBuffered();
        sctpBufferedTotal += delta;
        ch.moveToSctp(bytes, released, dcep);
        if (released != 0) {
            admittedBytes.addAndGet(-released);
        }
        connectionBuffered.addAndGet(delta - released);
    }

    /** Loop thread: gives back both reservations of a message that did not reach SCTP. */
    private void releaseAdmitted(DataChannelImpl ch, long bytes) {
        ch.releasePending(bytes);
        admittedBytes.addAndGet(-bytes);
        connectionBuffered.addAndGet(-bytes);
    }

    /**
     * A user message from {@link DataChannelImpl#send}, already admitted by the channel and by
     * {@link #admit}; loop thread. Releases both reservations once SCTP has the message, in the
     * same step that raises the SCTP buffered amount, or once it was refused.
     */
    void sendUser(DataChannelImpl ch, int ppid, byte[] payload) {
        boolean released = false;
        try {
            released = sendAdmitted(ch, ppid, payload);
        } finally {
            if (!released) {
                releaseAdmitted(ch, payload.length);
            }
        }
        if (ch.resetWhenSent && ch.pendingBytes() == 0 && link != null && !closed) {
            // The last message accepted before the peer's reset is with SCTP: answer the reset now.
            ch.resetWhenSent = false;
            requestReset(ch);
        }
    }

    /** @return true if SCTP took the message and its reservations were released with it */
    private boolean sendAdmitted(DataChannelImpl ch, int ppid, byte[] payload) {
        // A message sent before close() is still sent: close() only sets CLOSING, and its closing
        // task (queued behind this message) requests the stream reset.
        DataChannelState state = ch.readyState();
        boolean sendable = state == DataChannelState.OPEN
                || (state == DataChannelState.CLOSING && !ch.outgoingResetRequested
                        && (!ch.closeHandled || ch.resetWhenSent));
        if (!sendable || link == null) {
            loop.defer(() -> ch.reportError(new IllegalStateException(
                    "data channel \"" + ch.label() + "\" is " + ch.readyState() + "; message of " + payload.length
                            + " bytes not sent")));
            return false;
        }
        // RFC 8832 §6 (paraphrased): until the DATA_CHANNEL_ACK is received, the opener sends all
        // user messages of the channel ordered, whether or not the channel is ordered.
        boolean unordered = !ch.ordered() && ch.ackReceived;
        int maxRexmit = ch.maxRetransmits() == null ? -1 : ch.maxRetransmits();
        long life = ch.maxPacketLifeTime() == null ? -1 : ch.maxPacketLifeTime();
        try {
            link.send(ch.id(), ppid, payload, unordered, maxRexmit, life);
        } catch (RuntimeException e) {
            // send() already returned for this message, and later messages may be queued behind it:
            // going on would leave a hole in the channel's sequence. The issue: "never close it or
            // drop data silently" -- so say so and close the channel (RFC 8831 §6.7 stream reset;
            // what SCTP already holds is still delivered first). Admission control above keeps this
            // from happening for a full send queue; it remains for unexpected refusals.
            IllegalStateException err = new IllegalStateException("data channel \"" + ch.label() + "\": SCTP refused an "
                    + "accepted " + payload.length + "-byte message (" + e.getMessage() + "); closing the channel "
                    + "so that no later message follows a gap", e);
            LOG.warn("{}", err.getMessage());
            loop.defer(() -> ch.reportError(err));
            if (ch.resetWhenSent) {
                // Already closing on the peer's reset: answer it now, later queued messages are refused.
                ch.resetWhenSent = false;
                requestReset(ch);
            }
            closeChannel(ch);
            return false;
        }
        updateSctpBuffered(ch, link.bufferedAmount(ch.id()), payload.length, 0);
        return true;
    }

    /** Applies the channel's buffered-amount-low threshold to SCTP; loop thread. */
    void applyThreshold(DataChannelImpl ch) {
        Integer sid = ch.id();
        if (link != null && sid != null && byStream.get(sid) == ch) {
            link.setBufferedAmountLowThreshold(sid, ch.bufferedAmountLowThreshold());
        }
    }

    /**
     * {@link DataChannel#close()} on the loop thread (the W3C closing procedure; the caller may
     * already have set CLOSING). Idempotent.
     */
    void closeChannel(DataChannelImpl ch) {
        if (ch.closeHandled || ch.readyState() == DataChannelState.CLOSED) {
            return;
        }
        ch.closeHandled = true;
        Integer sid = ch.id();
        if (sid == null || !connected || closed || link == null || !ch.streamUsed) {
            // Nothing was ever sent on the stream, so there is nothing to reset: closed at once.
            finishClose(ch);
            return;
        }
        ch.setState(DataChannelState.CLOSING);
        // W3C "closing procedure": the stream is reset once the buffered data is sent; SCTP
        // (Association.resetStreams) sends everything queued on the stream before the reset request.
        requestReset(ch);
    }

    private void requestReset(DataChannelImpl ch) {
        if (ch.outgoingResetRequested) {
            return;
        }
        ch.outgoingResetRequested = true;
        // RFC 8831 §6.7: "Closing of a data channel MUST be signaled by resetting the corresponding
        // outgoing streams [RFC6525]."
        try {
            link.resetStream(ch.id());
        } catch (RuntimeException e) {
            LOG.debug("stream reset of {} failed: {}; closing locally", ch.id(), e.toString());
            finishClose(ch);
        }
    }

    /**
     * Resets our outgoing stream {@code sid}, which no channel owns, and keeps the id from new
     * channels until both directions are reset.
     *
     * @param incomingDone true if the peer already reset its outgoing stream
     */
    private void orphanReset(int sid, boolean incomingDone) {
        if (orphanResets.containsKey(sid)) {
            return;
        }
        try {
            link.resetStream(sid);
        } catch (RuntimeException e) {
            LOG.debug("stream reset of {} failed: {}", sid, e.toString());
            return;
        }
        orphanResets.put(sid, new boolean[] {false, incomingDone});
    }

    private void orphanResetProgress(int sid, boolean outgoing) {
        boolean[] done = orphanResets.get(sid);
        if (done == null) {
            return;
        }
        done[outgoing ? 0 : 1] = true;
        if (done[0] && done[1]) {
            orphanResets.remove(sid);
            LOG.debug("stream {} reset in both directions; its id is free", sid);
        }
    }

    private void hold(int sid, int ppid, byte[] payload) {
        ArrayDeque<Held> q = held.computeIfAbsent(sid, k -> new ArrayDeque<>());
        long cost = (long) payload.length + HELD_OVERHEAD;
        if (q.size() >= MAX_HELD_MESSAGES || heldBytes + cost > MAX_HELD_BYTES) {
            // Logged at 1, 2, 4, 8, ... drops, so that a flooding peer cannot flood the log too.
            if (Long.bitCount(++heldDropped) == 1) {
                LOG.warn("stream {}: {} messages ({} bytes on all streams) already wait for the previous channel's "
                        + "close to complete; dropping a {}-byte message ({} dropped so far)", sid, q.size(), heldBytes,
                        payload.length, heldDropped);
            }
            return;
        }
        q.add(new Held(ppid, payload));
        heldBytes += cost;
        heldTotal++;
    }

    /** The previous channel on {@code sid} is gone: handles what the peer sent for the next one. */
    private void releaseHeld(int sid) {
        ArrayDeque<Held> q = held.remove(sid);
        if (q == null) {
            return;
        }
        for (Held h : q) {
            heldBytes -= (long) h.payload().length + HELD_OVERHEAD;
        }
        for (Held h : q) {
            onMessage(sid, h.ppid(), h.payload());
        }
    }

    /** The peer reset these outgoing streams of its own (our incoming streams). */
    public void onIncomingStreamsReset(int[] streamIds) {
        if (closed) {
            return;
        }
        for (int sid : streamIds) {
            DataChannelImpl ch = byStream.get(sid);
            if (ch == null) {
                if (orphanResets.containsKey(sid)) {
                    orphanResetProgress(sid, false);
                } else if (link != null && sid >= 0 && sid <= MAX_STREAM_ID) {
                    // RFC 8831 §6.7: "When the peer sees that an incoming stream was reset, it also
                    // resets its corresponding outgoing stream." Also with no channel here (say a
                    // negotiated channel we never created), so that the peer's channel can close.
                    orphanReset(sid, true);
                }
                continue;
            }
            ch.incomingResetDone = true;
            if (ch.locallyOpened && !ch.ackReceived && ch.readyState() == DataChannelState.OPEN) {
                // RFC 8832 §6: "receiving an SCTP stream-reset request for a stream on which no
                // DATA_CHANNEL_ACK message has been received indicates to the sender of the
                // corresponding DATA_CHANNEL_OPEN message the failure of the data channel setup
                // procedure."
                IllegalStateException e = new IllegalStateException("the peer rejected data channel \""
                        + ch.label() + "\" (stream " + sid + " reset before DATA_CHANNEL_ACK)");
                LOG.warn(e.getMessage());
                loop.defer(() -> ch.reportError(e));
            }
            if (ch.readyState() != DataChannelState.CLOSED) {
                // RFC 8831 §6.7: "When the peer sees that an incoming stream was reset, it also
                // resets its corresponding outgoing stream."
                ch.setState(DataChannelState.CLOSING);
                ch.closeHandled = true;
                if (ch.pendingBytes() > 0 && !ch.outgoingResetRequested && link != null) {
                    // Messages send() accepted are still queued on this loop (it reads datagrams
                    // between task batches, so the peer's reset can overtake them). W3C closing
                    // procedure: "Finish sending all currently pending messages of the channel."
                    // They go to SCTP first, then our reset (sendUser), so the reset's Sender's
                    // Last Assigned TSN (RFC 6525 §4.1) covers them and the peer delivers them.
                    ch.resetWhenSent = true;
                } else {
                    requestReset(ch);
                }
            }
            maybeFinishClose(ch);
        }
    }

    /** Our reset request for these streams was performed. */
    public void onOutgoingStreamsReset(int[] streamIds) {
        if (closed) {
            return;
        }
        for (int sid : streamIds) {
            DataChannelImpl ch = byStream.get(sid);
            if (ch == null) {
                orphanResetProgress(sid, true);
                continue;
            }
            if (!ch.outgoingResetRequested) {
                LOG.debug("stream {} reported reset but we never asked to reset it for \"{}\"", sid,
                        abbreviate(ch.label()));
                continue;
            }
            ch.outgoingResetDone = true;
            maybeFinishClose(ch);
        }
    }

    /**
     * The peer refused our reset request for these streams (RFC 6525 §5.2.1 Denied or an error
     * result). The closing channel cannot complete the RFC 8831 §6.7 procedure, so it is closed
     * locally: CLOSED and onClose (once) now, instead of staying CLOSING forever. Its stream id is
     * not given to a new channel (nor accepted for an incoming or negotiated one) for the rest of the
     * association, because the peer never reset the stream and may still hold its old sequence
     * (INTEROP-NOTES: "reuse a stream id only after both directions are reset"); a peer restart frees
     * it. An id reserved by an orphan reset stays reserved the same way.
     */
    public void onStreamResetFailed(int[] streamIds) {
        if (closed) {
            return;
        }
        for (int sid : streamIds) {
            DataChannelImpl ch = byStream.get(sid);
            if (ch == null || !ch.outgoingResetRequested) {
                // an orphan reset (its entry stays: the id is never freed) or a reset we did not ask for
                LOG.debug("stream {}: reset refused by the peer; the id stays reserved", sid);
                continue;
            }
            LOG.warn("data channel \"{}\" (stream {}): the peer refused to reset the stream; closing the channel "
                    + "locally and keeping id {} out of use", abbreviate(ch.label()), sid, sid);
            // reserve the id first, so that messages held for a next channel on it are refused
            orphanResets.put(sid, new boolean[] {false, ch.incomingResetDone});
            finishClose(ch);
        }
    }

    private void maybeFinishClose(DataChannelImpl ch) {
        // RFC 8831 §6.7: "Once this is completed, the data channel is closed." The id may be reused
        // only now that both directions are reset (INTEROP-NOTES).
        if (ch.outgoingResetDone && ch.incomingResetDone) {
            finishClose(ch);
        }
    }

    private void finishClose(DataChannelImpl ch) {
        if (ch.readyState() == DataChannelState.CLOSED) {
            return;
        }
        Integer sid = ch.id();
        boolean owner = sid != null && byStream.get(sid) == ch;
        long sctpLeft = ch.sctpBuffered();
        if (owner && link != null) {
            try {
                sctpLeft = link.bufferedAmount(sid);
            } catch (RuntimeException e) {
                LOG.debug("bufferedAmount of stream {}: {}", sid, e.toString());
            }
        }
        if (owner) {
            byStream.remove(sid);
        }
        unassigned.remove(ch);
        if (!ch.locallyOpened && !ch.negotiated()) {
            peerChannels--;
            peerChannelTextBytes -= (long) utf8Length(ch.label()) + utf8Length(ch.protocol()) + PEER_CHANNEL_OVERHEAD;
        }
        ch.setState(DataChannelState.CLOSED);
        // what SCTP never sent of the channel's user data, plus what never reached SCTP
        updateSctpBuffered(ch, sctpLeft);
        ch.freezeBufferedAmount(ch.bufferedCounter());
        updateSctpBuffered(ch, 0);
        // After the flushes already deferred (a handler set by now still gets its messages, before
        // onClose), what still waits for a handler is dropped: a closed channel cannot keep
        // connection memory for a handler that may never come.
        loop.defer(ch::discardUnhandled);
        loop.defer(ch::reportClose);
        if (owner && !closed) {
            releaseHeld(sid);
        }
    }

    /** SCTP says the stream's buffered amount fell to its threshold. */
    public void onBufferedAmountLow(int streamId) {
        DataChannelImpl ch = byStream.get(streamId);
        if (ch != null) {
            if (link != null) {
                updateSctpBuffered(ch, link.bufferedAmount(streamId));
            }
            loop.defer(ch::reportBufferedAmountLow);
        }
    }

    /**
     * Refreshes the channels' view of the SCTP buffered amount; call after draining outputs. Only
     * the streams the link reports as changed are read (issue 6: this ran over every channel on
     * every drain); a link that cannot tell ({@link SctpLink#pollBufferedAmountChanges} false, e.g.
     * right after an SCTP restart) gets the full walk.
     */
    public void refreshBufferedAmounts() {
        if (link == null) {
            return;
        }
        if (link.pollBufferedAmountChanges(refreshStream)) {
            return;
        }
        for (Map.Entry<Integer, DataChannelImpl> e : byStream.entrySet()) {
            updateSctpBuffered(e.getValue(), link.bufferedAmount(e.getKey()));
        }
    }

    /** Re-reads one stream's buffered amount (a stream without a channel is ignored). */
    private final java.util.function.IntConsumer refreshStream = streamId -> {
        DataChannelImpl ch = byStream.get(streamId);
        if (ch != null && link != null) {
            updateSctpBuffered(ch, link.bufferedAmount(streamId));
        }
    };

    /**
     * The peer restarted the SCTP association (RFC 9260 §5.2.4 A): its DCEP state is gone, and SCTP
     * discarded what we had queued, so every channel becomes CLOSED (its onClose runs; no stream reset
     * is needed, all streams start over). The connection stays usable: channels created afterwards
     * open on the new association, and every stream id is free again. Chromium's dcSCTP transport
     * only logs a restart and keeps its channels, whose messages would go to a peer that no longer
     * knows them; closing them tells the application what happened.
     */
    public void onRestarted() {
        if (closed) {
            return;
        }
        // every stream starts over: no reset is pending any more, nothing waits for one
        held.clear();
        heldBytes = 0;
        orphanResets.clear();
        for (DataChannelImpl ch : channels()) {
            if (ch.id() != null) {
                finishClose(ch);
            }
        }
    }

    /** The association is gone (closed, aborted, or the connection closed): every channel CLOSED. */
    public void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        connected = false;
        held.clear();
        heldBytes = 0;
        orphanResets.clear();
        for (DataChannelImpl ch : channels()) {
            finishClose(ch);
        }
    }

    /** Loop-thread counters for tests and diagnostics (see {@link #counters()}). */
    record Counters(int peerChannels, long peerChannelTextBytes, long opensRefusedForLimits,
                    long opensRefusedForStream, long dcepMalformed, long unhandledBytes, long unhandledDropped,
                    long heldBytes, int orphanResets) {
    }

    /** @return a snapshot of the resource counters; loop thread */
    Counters counters() {
        return new Counters(peerChannels, peerChannelTextBytes, opensRefusedForLimits, opensRefusedForStream,
                dcepMalformed, unhandledBytes, unhandledDropped, heldBytes, orphanResets.size());
    }

    /** @return how many messages ever waited for a previous channel's close to complete; loop thread */
    long heldTotal() {
        return heldTotal;
    }

    /** @return true after {@link #onClosed()} */
    public boolean isClosed() {
        return closed;
    }

    /** @return a short description for logs */
    @Override
    public String toString() {
        return "ChannelManager{" + byStream.size() + " channels, connected=" + connected + ", closed=" + closed + "}";
    }
}
