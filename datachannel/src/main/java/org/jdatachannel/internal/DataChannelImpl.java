package org.jdatachannel.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.DataChannelState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DataChannel} implementation. Immutable options and volatile state are readable from
 * any thread; everything else is owned by the event loop and changed by {@link ChannelManager}.
 * Not part of the public API.
 */
public final class DataChannelImpl implements DataChannel {
    private static final Logger LOG = LoggerFactory.getLogger(DataChannelImpl.class);

    /**
     * Most messages one channel keeps while no onMessage handler is installed; beyond it (or
     * {@link #MAX_UNHANDLED_BYTES}, or the connection's {@link
     * ChannelManager#MAX_CONNECTION_UNHANDLED_BYTES}) received messages are dropped, counted and
     * logged at the 1st, 2nd, 4th, ... drop. What still waits when the channel becomes CLOSED is
     * dropped too.
     */
    static final int MAX_UNHANDLED_MESSAGES = 1024;
    /** Most errors one channel keeps for an onError handler installed later (the oldest go first). */
    static final int MAX_UNREPORTED_ERRORS = 16;
    /** Most bytes (with {@link #UNHANDLED_OVERHEAD} per message) one channel keeps for a handler to come. */
    static final long MAX_UNHANDLED_BYTES = 4L * 1024 * 1024;
    /** Bookkeeping bytes charged per waiting message, so that empty messages count too. */
    static final int UNHANDLED_OVERHEAD = 64;
    /**
     * Most bytes one channel may have buffered; a send beyond it throws IllegalStateException. The
     * connection as a whole is limited too ({@link ChannelManager#MAX_CONNECTION_BUFFERED}).
     */
    public static final long MAX_BUFFERED_AMOUNT = 16L * 1024 * 1024;

    private final ChannelManager manager;
    private final EventLoop loop;
    private final String label;
    private final String protocol;
    private final boolean ordered;
    private final Integer maxRetransmits;
    private final Integer maxPacketLifeTime;
    private final boolean negotiated;
    /** True if we sent (or will send) the DATA_CHANNEL_OPEN. */
    final boolean locallyOpened;

    private volatile Integer id;
    /**
     * Written by the loop (every transition) and by {@link #close()} on any thread (OPEN or
     * CONNECTING to CLOSING, W3C close() step "set readyState to closing"); CLOSED is final.
     */
    private final AtomicReference<DataChannelState> state = new AtomicReference<>(DataChannelState.CONNECTING);
    private final AtomicLong pendingBytes = new AtomicLong();
    /** What SCTP holds on the stream, DCEP messages included (last update); written by the loop only. */
    private volatile long sctpBuffered;
    /** DCEP bytes within {@link #sctpBuffered}, not counted in {@link #buffered}; loop thread only. */
    private long dcepUnsent;
    /**
     * {@link #pendingBytes} plus {@link #sctpBuffered} minus {@link #dcepUnsent} as one counter:
     * send() checks it and bufferedAmount() reads it in one atomic step, while the loop moves a
     * message from one part to the other in one update ({@link #moveToSctp}).
     */
    private final AtomicLong buffered = new AtomicLong();
    private volatile long lowThreshold;
    /** bufferedAmount() once CLOSED (W3C: it "does not reset to zero once the channel closes"); -1 before. */
    private volatile long closedBufferedAmount = -1;

    private volatile Runnable onOpen;
    private volatile Consumer<DataChannelMessage> onMessage;
    private volatile Runnable onClose;
    private volatile Runnable onBufferedAmountLow;
    private volatile Consumer<Throwable> onError;

    // ---- loop-thread state ----
    /** DATA_CHANNEL_ACK received (or not needed): user messages may follow the channel's ordering. */
    boolean ackReceived;
    boolean outgoingResetRequested;
    boolean outgoingResetDone;
    boolean incomingResetDone;
    /** DCEP OPEN sent, or the channel was OPEN: closing it needs a stream reset the peer answers. */
    boolean streamUsed;
    /** {@link ChannelManager#closeChannel} ran for this channel. */
    boolean closeHandled;
    /**
     * The peer reset its stream while messages accepted by send() were still on their way to the
     * loop: our answering reset is requested once they reached SCTP
     * ({@link ChannelManager#sendUser}).
     */
    boolean resetWhenSent;
    private boolean wasOpened;
    private boolean openReported;
    private boolean closeReported;
    private final ArrayDeque<DataChannelMessage> unhandled = new ArrayDeque<>();
    private long unhandledBytes;
    /** Errors reported while no onError handler was installed (at most {@link #MAX_UNREPORTED_ERRORS}). */
    private final ArrayDeque<Throwable> unreportedErrors = new ArrayDeque<>();

    DataChannelImpl(ChannelManager manager, EventLoop loop, String label, String protocol, boolean ordered,
                    Integer maxRetransmits, Integer maxPacketLifeTime, boolean negotiated, Integer id,
                    boolean locallyOpened) {
        this.manager = manager;
        this.loop = loop;
        this.label = label;
        this.protocol = protocol;
        this.ordered = ordered;
        this.maxRetransmits = maxRetransmits;
        this.maxPacketLifeTime = maxPacketLifeTime;
        this.negotiated = negotiated;
        this.id = id;
        this.locallyOpened = locallyOpened;
        this.ackReceived = negotiated || !locallyOpened;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public Integer id() {
        return id;
    }

    void setId(int id) {
        this.id = id;
    }

    @Override
    public boolean ordered() {
        return ordered;
    }

    @Override
    public Integer maxRetransmits() {
        return maxRetransmits;
    }

    @Override
    public Integer maxPacketLifeTime() {
        return maxPacketLifeTime;
    }

    @Override
    public boolean negotiated() {
        return negotiated;
    }

    @Override
    public DataChannelState readyState() {
        return state.get();
    }

    /**
     * Loop thread only; callers defer the matching callback afterwards. OPEN is entered only from
     * CONNECTING (close() may have made the channel CLOSING meanwhile), CLOSING from anything but
     * CLOSED, CLOSED from anything.
     *
     * @return true if the state changed to {@code s} (or already was {@code s})
     */
    boolean setState(DataChannelState s) {
        switch (s) {
            case OPEN -> {
                if (!state.compareAndSet(DataChannelState.CONNECTING, DataChannelState.OPEN)
                        && state.get() != DataChannelState.OPEN) {
                    return false;
                }
                wasOpened = true;
                return true;
            }
            case CLOSING -> {
                DataChannelState old;
                do {
                    old = state.get();
                    if (old == DataChannelState.CLOSED) {
                        return false;
                    }
                } while (!state.compareAndSet(old, DataChannelState.CLOSING));
                return true;
            }
            default -> {
                state.set(s);
                return true;
            }
        }
    }

    // ---- sending ----

    @Override
    public void send(String text) {
        Objects.requireNonNull(text, "text");
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        // RFC 8831 §6.6: "SCTP does not support the sending of empty user messages. Therefore, if
        // an empty message has to be sent, the appropriate PPID (WebRTC String Empty or WebRTC
        // Binary Empty) is used, and the SCTP user message of one zero byte is sent."
        if (bytes.length == 0) {
            enqueue(ChannelManager.PPID_STRING_EMPTY, new byte[1]);
        } else {
            enqueue(ChannelManager.PPID_STRING, bytes);
        }
    }

    @Override
    public void send(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        int n = data.remaining();
        if (n == 0) {
            enqueue(ChannelManager.PPID_BINARY_EMPTY, new byte[1]);
            return;
        }
        checkSendable(n);
        byte[] bytes = new byte[n];
        data.duplicate().get(bytes);
        enqueue(ChannelManager.PPID_BINARY, bytes);
    }

    private void checkSendable(long size) {
        DataChannelState s = state.get();
        if (s != DataChannelState.OPEN) {
            throw new IllegalStateException("data channel \"" + label + "\" is " + s + ", not OPEN");
        }
        long max = manager.remoteMaxMessageSize();
        // RFC 8841 §6 (paraphrased): the peer's a=max-message-size is the largest message it can
        // receive; a larger send fails here, without closing the channel (INTEROP-NOTES).
        if (size > max) {
            throw new IllegalArgumentException("message of " + size + " bytes exceeds the peer's max-message-size of "
                    + max + " bytes; not sent, the channel stays open");
        }
    }

    /**
     * Admits one SCTP payload against the channel's and the connection's send budgets, then posts
     * it to the loop. Every payload counts its wire size, so an empty message (one zero byte,
     * RFC 8831 §6.6) counts 1 byte: a loop of empty sends is throttled like any other.
     */
    private void enqueue(int ppid, byte[] payload) {
        checkSendable(payload.length);
        long n = payload.length;
        // One compare-and-set on pending + SCTP-buffered: concurrent senders cannot both pass the
        // check, and a message the loop is moving to SCTP is counted exactly once. The channel's
        // budget is reserved before the connection's: a message the connection then refuses stays
        // in this counter (and bufferedAmount()) until the rollback below, so a concurrent send on
        // the same channel may be refused meanwhile. Reversing the order would only move that
        // window to the connection's budget, shared by every channel.
        long before;
        do {
            before = buffered.get();
            if (before + n > MAX_BUFFERED_AMOUNT) {
                // W3C send(): if the data would overflow the buffer, "throw an OperationError".
                throw new IllegalStateException("data channel \"" + label + "\": send buffer full (" + before
                        + " bytes buffered + " + n + " > limit " + MAX_BUFFERED_AMOUNT
                        + "); message not sent, the channel stays open; wait for onBufferedAmountLow");
            }
        } while (!buffered.compareAndSet(before, before + n));
        try {
            manager.admit(this, n);
        } catch (IllegalStateException e) {
            buffered.addAndGet(-n);
            throw e;
        }
        // Pending only once both budgets took the message, right before it is posted: the loop
        // treats pending bytes as messages still to come (onIncomingStreamsReset defers the reset
        // to sendUser), so a message refused here must never have looked pending.
        pendingBytes.addAndGet(n);
        try {
            // ChannelManager.sendUser releases both reservations.
            loop.execute(() -> manager.sendUser(this, ppid, payload));
        } catch (RejectedExecutionException e) {
            releasePending(n);
            manager.unadmit(n);
            throw new IllegalStateException("data channel \"" + label + "\": the peer connection is closed", e);
        }
    }

    /** Loop thread: the message's bytes moved to SCTP (or were refused). */
    void releasePending(long bytes) {
        pendingBytes.addAndGet(-bytes);
        buffered.addAndGet(-bytes);
    }

    /**
     * Loop thread: SCTP now holds {@code sctpBytes} on this channel's stream, of which {@code
     * released} bytes were just handed over from pending (a user message SCTP took, or 0) and
     * {@code dcepAdded} bytes are a DCEP message just queued (DATA_CHANNEL_OPEN or ACK, or 0);
     * {@link #bufferedAmount()} changes in one step. DCEP bytes are not part of bufferedAmount()
     * (W3C: it counts data queued by send()); they count in the connection's budget only.
     */
    void moveToSctp(long sctpBytes, long released, long dcepAdded) {
        long oldPart = sctpBuffered - dcepUnsent;
        // The DCEP message is the first message on the stream and is sent ordered (RFC 8832 §6:
        // "All DCEP messages MUST be sent using ordered delivery and reliable transmission."), so
        // what left SCTP's queue since the last update (sent or abandoned) left it first.
        long left = Math.max(0, sctpBuffered + released + dcepAdded - sctpBytes);
        dcepUnsent = Math.min(Math.max(0, sctpBytes), Math.max(0, dcepUnsent + dcepAdded - left));
        sctpBuffered = sctpBytes;
        if (released != 0) {
            pendingBytes.addAndGet(-released);
        }
        buffered.addAndGet(sctpBytes - dcepUnsent - oldPart - released);
    }

    /**
     * @return DCEP bytes SCTP still holds on the stream: part of {@link #sctpBuffered()}, not of
     *         bufferedAmount(); loop thread
     */
    long dcepUnsent() {
        return dcepUnsent;
    }

    /** @return bytes accepted by send() and not yet handed to SCTP (or refused); any thread */
    long pendingBytes() {
        return pendingBytes.get();
    }

    @Override
    public long bufferedAmount() {
        // buffered first, the frozen value second: the loop freezes before it zeroes the SCTP part
        // (ChannelManager.finishClose), so a -1 read second means the first read preceded the zeroing
        long live = buffered.get();
        long frozen = closedBufferedAmount;
        return frozen >= 0 ? frozen : live;
    }

    /**
     * @return the send budget's counter, pending plus SCTP-buffered bytes less unsent DCEP bytes,
     *         also once CLOSED (unlike {@link #bufferedAmount()}); any thread
     */
    long bufferedCounter() {
        return buffered.get();
    }

    /**
     * Loop thread, when the channel becomes CLOSED: keeps {@code bytes} as the final buffered amount.
     * W3C RTCDataChannel bufferedAmount: "the slot does not reset to zero once the channel closes";
     * after a graceful close everything was sent, so it is 0; after a failure it is what was never
     * sent.
     */
    void freezeBufferedAmount(long bytes) {
        closedBufferedAmount = Math.max(0, bytes);
    }

    /** @return what SCTP holds on the stream as last seen by the loop, DCEP bytes included */
    long sctpBuffered() {
        return sctpBuffered;
    }

    @Override
    public long bufferedAmountLowThreshold() {
        return lowThreshold;
    }

    @Override
    public void setBufferedAmountLowThreshold(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bufferedAmountLowThreshold must be >= 0, got " + bytes);
        }
        lowThreshold = bytes;
        postQuietly(() -> manager.applyThreshold(this));
    }

    // ---- handlers ----

    @Override
    public void onOpen(Runnable handler) {
        onOpen = handler;
        if (handler != null) {
            postQuietly(() -> {
                if (wasOpened && !openReported) {
                    loop.defer(this::reportOpen);
                }
            });
        }
    }

    @Override
    public void onMessage(Consumer<DataChannelMessage> handler) {
        onMessage = handler;
        if (handler != null) {
            postQuietly(() -> {
                if (!unhandled.isEmpty()) {
                    loop.defer(this::flushUnhandled);
                }
            });
        }
    }

    @Override
    public void onClose(Runnable handler) {
        onClose = handler;
        if (handler != null) {
            postQuietly(() -> {
                if (state.get() == DataChannelState.CLOSED && !closeReported) {
                    loop.defer(this::reportClose);
                }
            });
        }
    }

    @Override
    public void onBufferedAmountLow(Runnable handler) {
        onBufferedAmountLow = handler;
    }

    @Override
    public void onError(Consumer<Throwable> handler) {
        onError = handler;
        if (handler != null) {
            // As for onOpen/onMessage/onClose: an error that happened between createDataChannel
            // returning and this registration (e.g. the peer refusing the channel) is not lost.
            postQuietly(() -> {
                if (!unreportedErrors.isEmpty()) {
                    loop.defer(this::flushErrors);
                }
            });
        }
    }

    private void postQuietly(Runnable r) {
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            LOG.debug("peer connection closed; handler registration not re-checked");
        }
    }

    // ---- callbacks, run by the loop's deferred queue ----

    void reportOpen() {
        Runnable h = onOpen;
        if (h != null && !openReported) {
            openReported = true;
            h.run();
        }
    }

    void reportClose() {
        Runnable h = onClose;
        if (h != null && !closeReported) {
            if (wasOpened && !openReported && onOpen != null) {
                reportOpen();
            }
            closeReported = true;
            h.run();
        }
    }

    void reportBufferedAmountLow() {
        Runnable h = onBufferedAmountLow;
        if (h != null && state.get() != DataChannelState.CLOSED) {
            h.run();
        }
    }

    void reportError(Throwable t) {
        if (onError == null || !unreportedErrors.isEmpty()) {
            if (onError == null) {
                LOG.warn("data channel \"{}\" (id {}): {}", ChannelManager.abbreviate(label), id, t.toString());
            }
            if (unreportedErrors.size() == MAX_UNREPORTED_ERRORS) {
                unreportedErrors.poll(); // bounded: the oldest goes, it was logged
            }
            unreportedErrors.add(t);
            flushErrors();
            return;
        }
        onError.accept(t);
    }

    /** Loop thread (deferred queue): hands kept errors, oldest first, to the handler if there is one now. */
    private void flushErrors() {
        Consumer<Throwable> h;
        Throwable t;
        while ((h = onError) != null && (t = unreportedErrors.poll()) != null) {
            h.accept(t);
        }
    }

    /** Loop thread: deliver now (deferred) or keep until a handler is installed. */
    void deliver(DataChannelMessage m) {
        if (onMessage == null || !unhandled.isEmpty()) {
            long cost = (long) m.size() + UNHANDLED_OVERHEAD;
            boolean fits = unhandled.size() < MAX_UNHANDLED_MESSAGES && unhandledBytes + cost <= MAX_UNHANDLED_BYTES;
            if (!fits || !manager.reserveUnhandled(cost)) {
                if (manager.countUnhandledDrop()) {
                    LOG.warn("data channel \"{}\" (id {}): no onMessage handler and {} messages ({} bytes) waiting{}; "
                            + "dropping a {}-byte message (further drops on this connection are logged at 2, 4, 8, "
                            + "... drops)", label, id, unhandled.size(), unhandledBytes,
                            fits ? ", and the connection's limit for all channels is reached" : "", m.size());
                }
                return;
            }
            unhandled.add(m);
            unhandledBytes += cost;
            loop.defer(this::flushUnhandled);
            return;
        }
        loop.defer(() -> {
            Consumer<DataChannelMessage> h = onMessage;
            if (h != null) {
                h.accept(m);
            }
        });
    }

    private void flushUnhandled() {
        DataChannelMessage m;
        Consumer<DataChannelMessage> h;
        while ((h = onMessage) != null && (m = unhandled.poll()) != null) {
            long cost = (long) m.size() + UNHANDLED_OVERHEAD;
            unhandledBytes -= cost;
            manager.releaseUnhandled(cost);
            try {
                h.accept(m);
            } catch (RuntimeException e) {
                LOG.warn("onMessage handler threw; ignored", e);
            }
        }
    }

    /**
     * Loop thread, deferred when the channel became CLOSED (after any flush deferred before):
     * drops what still waits for an onMessage handler and gives its bytes back to the connection.
     */
    void discardUnhandled() {
        if (unhandled.isEmpty()) {
            return;
        }
        LOG.info("data channel \"{}\" (id {}) closed with {} received messages ({} bytes) that no onMessage handler "
                + "took; dropped", label, id, unhandled.size(), unhandledBytes);
        manager.releaseUnhandled(unhandledBytes);
        unhandled.clear();
        unhandledBytes = 0;
    }

    /** @return bytes (with per-message overhead) waiting for an onMessage handler; loop thread (tests) */
    long unhandledBytes() {
        return unhandledBytes;
    }

    /** @return messages waiting for an onMessage handler; loop thread (tests) */
    int unhandledCount() {
        return unhandled.size();
    }

    @Override
    public void close() {
        // W3C RTCDataChannel close(): "If channel.[[ReadyState]] is "closing" or "closed", then
        // abort these steps. Set channel.[[ReadyState]] to "closing"." -- at once, so that a send()
        // after close() throws; messages sent before close() are already queued on the loop ahead
        // of the closing task below, and are handed to SCTP before the stream reset.
        setState(DataChannelState.CLOSING);
        postQuietly(() -> manager.closeChannel(this));
    }

    @Override
    public String toString() {
        return "DataChannel{label=\"" + label + "\", id=" + id + ", " + state.get() + "}";
    }
}
