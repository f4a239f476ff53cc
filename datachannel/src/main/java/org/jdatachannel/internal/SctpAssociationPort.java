package org.jdatachannel.internal;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.function.LongSupplier;
import org.jdatachannel.sctp.Association;
import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.SctpOutput;
import org.jdatachannel.sctp.SendOptions;
import org.jdatachannel.sctp.rx.ReassemblyQueue;

/**
 * {@link SctpPort} over the sctp module's sans-IO {@link Association}. Loop thread only. Not part
 * of the public API.
 */
public final class SctpAssociationPort implements SctpPort {

    /** Factory used by {@link org.jdatachannel.PeerConnection}. */
    public static final SctpPort.Factory FACTORY = SctpAssociationPort::new;

    /** Smallest receive window we configure (the sctp default). */
    static final int MIN_RECEIVE_WINDOW = 1024 * 1024;
    /**
     * Smallest fragment payload, in bytes, for which the window leaves room for a largest message
     * with its bookkeeping charge (browsers fragment at about 1,100 to 1,200 bytes).
     */
    static final int MIN_FRAGMENT = 512;

    /**
     * The receive window for messages of up to {@code maxReceive} bytes: the whole message plus the
     * per-chunk charge of the reassembly queue ({@link ReassemblyQueue#ENTRY_OVERHEAD} per fragment
     * of at least {@value #MIN_FRAGMENT} bytes) must fit, at least {@value #MIN_RECEIVE_WINDOW}, at
     * most 2^30. RFC 9260 §6.2: the receiver drops DATA beyond its window except the next expected
     * TSN, so with a window of exactly {@code maxReceive} the last fragments of a largest message
     * only trickle in one per zero-window probe (seen with Firefox's usrsctp: a 1 MiB message took
     * about 10 s instead of 0.3 s).
     */
    static int receiveWindow(long maxReceive) {
        if (maxReceive >= 1L << 30) {
            return 1 << 30;
        }
        long fragments = maxReceive / MIN_FRAGMENT + 1;
        long needed = maxReceive + fragments * ReassemblyQueue.ENTRY_OVERHEAD;
        return (int) Math.min(1L << 30, Math.max(MIN_RECEIVE_WINDOW, needed));
    }

    private final Association association;
    private final LongSupplier clock;
    /** True while packets handed in since the last poll form an open input batch. */
    private boolean batchOpen;

    /**
     * @param params ports and message limits
     * @param clock  the driver's millisecond clock
     */
    public SctpAssociationPort(Params params, LongSupplier clock) {
        this.clock = clock;
        long maxReceive = params.maxReceiveMessageSize();
        // The whole message must fit the receive window (SctpOptions rejects the opposite), with
        // the reassembly queue's per-chunk charge: see receiveWindow.
        int window = receiveWindow(maxReceive);
        SctpOptions options = SctpOptions.builder()
                .localPort(params.localPort())
                .remotePort(params.remotePort())
                .maxSendMessageSize(params.maxSendMessageSize())
                .maxReceiveMessageSize(maxReceive)
                .receiveWindow(window)
                // Admission control (ChannelManager.admit) keeps accepted user data within
                // MAX_CONNECTION_BUFFERED; the queue is larger by a headroom for DCEP, so SCTP never
                // refuses a message that send() already accepted.
                .maxSendBufferSize(ChannelManager.SCTP_SEND_BUFFER_SIZE)
                // SCTP runs over DTLS (RFC 8261), whose integrity check is the RFC 9653 §6 alternate
                // error detection method: announce it and skip CRC32c towards peers that announce it too.
                .zeroChecksumOverDtls(true)
                // RFC 8260: offered; used only when the peer offers it too.
                .enableMessageInterleaving(params.messageInterleaving())
                // RFC 8899 Datagram PLPMTUD up to what the DTLS/ICE path allows (PathMtu); 0 = off.
                .maxPlpmtu(params.maxPlpmtu())
                .build();
        // Verification tags and initial TSNs must be unpredictable (RFC 9260 §5.3.1).
        this.association = new Association(options, new SecureRandom());
    }

    @Override
    public void connect(long nowMs) {
        association.connect(nowMs);
    }

    @Override
    public void handleInput(byte[] packet, long nowMs) {
        handleInput(packet, 0, packet.length, nowMs); // the same input batch rules as the slice form
    }

    /**
     * No copy: {@link Association#handleInput} reads the packet during the call only (I-DATA payloads
     * are borrowed while parsing and copied straight into their message by the reassembly queue, DATA
     * payloads are copied when parsed; nothing keeps a reference to the input).
     *
     * <p>The packets handed in here between two {@link #poll()} calls form one input batch
     * ({@link Association#beginInputBatch()}): the driver decrypts a burst of datagrams and drains
     * once after it, so the every-second-packet SACKs of the burst are coalesced into one SACK per
     * burst (at most {@link SctpOptions#batchAckPackets()} packets per SACK). The first
     * {@link #poll()} or {@link #pollTimeout()} ends the batch.
     */
    @Override
    public void handleInput(byte[] buf, int off, int len, long nowMs) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        if (!batchOpen) {
            batchOpen = true;
            association.beginInputBatch();
        }
        association.handleInput(ByteBuffer.wrap(buf, off, len), nowMs);
    }

    /** Ends the input batch opened by {@link #handleInput(byte[], int, int, long)}, if any. */
    private void endBatch() {
        if (batchOpen) {
            batchOpen = false;
            association.endInputBatch(clock.getAsLong());
        }
    }

    @Override
    public void recyclePacket(byte[] packet) {
        association.recyclePacket(packet);
    }

    @Override
    public void handleTimeout(long nowMs) {
        endBatch();
        association.handleTimeout(nowMs);
    }

    @Override
    public long pollTimeout() {
        endBatch();
        return association.pollTimeout();
    }

    @Override
    public SctpEvent poll() {
        endBatch();
        return next();
    }

    /**
     * The batch stays open: {@link Association#pollOutput()} without {@link Association#endInputBatch},
     * so the SACK due at its end is bundled with the DATA of a reply sent before the next {@link #poll()}
     * (within an open batch {@link Association#send} flushes a pending SACK together with the new DATA).
     */
    @Override
    public SctpEvent pollHoldingBatch() {
        return next();
    }

    private SctpEvent next() {
        SctpOutput o = association.pollOutput();
        if (o == null) {
            return null;
        }
        if (o instanceof SctpOutput.SendPacket p) {
            return new SctpEvent.SendPacket(p.packet());
        } else if (o instanceof SctpOutput.Connected) {
            return new SctpEvent.Connected();
        } else if (o instanceof SctpOutput.MessageReceived m) {
            return new SctpEvent.MessageReceived(m.streamId(), m.ppid(), m.payload());
        } else if (o instanceof SctpOutput.IncomingStreamsReset r) {
            return new SctpEvent.IncomingStreamsReset(r.streamIds());
        } else if (o instanceof SctpOutput.OutgoingStreamsReset r) {
            return new SctpEvent.OutgoingStreamsReset(r.streamIds());
        } else if (o instanceof SctpOutput.StreamResetFailed f) {
            return new SctpEvent.StreamResetFailed(f.streamIds(), f.result());
        } else if (o instanceof SctpOutput.BufferedAmountLow b) {
            return new SctpEvent.BufferedAmountLow(b.streamId());
        } else if (o instanceof SctpOutput.Restarted) {
            return new SctpEvent.Restarted();
        } else if (o instanceof SctpOutput.Closed c) {
            return new SctpEvent.Closed(c.reason(), c.aborted());
        }
        throw new IllegalStateException("unknown SCTP output " + o);
    }

    @Override
    public int pathMtu() {
        return association.pathMtu();
    }

    @Override
    public void restartPathMtuDiscovery(int maxPlpmtu, long nowMs) {
        association.restartPathMtuDiscovery(maxPlpmtu, nowMs);
    }

    @Override
    public void shutdown(long nowMs) {
        association.shutdown(nowMs);
    }

    @Override
    public void abort(String reason, long nowMs) {
        association.abort(reason, nowMs);
    }

    @Override
    public void send(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits, long lifetimeMs) {
        association.send(streamId, ppid, payload, new SendOptions(unordered, maxRetransmits, lifetimeMs), clock.getAsLong());
    }

    @Override
    public void resetStream(int streamId) {
        association.resetStreams(new int[] {streamId}, clock.getAsLong());
    }

    @Override
    public long bufferedAmount(int streamId) {
        return association.bufferedAmount(streamId);
    }

    @Override
    public void setBufferedAmountLowThreshold(int streamId, long bytes) {
        association.setBufferedAmountLowThreshold(streamId, bytes);
    }

    @Override
    public boolean pollBufferedAmountChanges(java.util.function.IntConsumer streamIds) {
        return association.pollBufferedAmountChanges(streamIds);
    }

    @Override
    public String toString() {
        return "SctpAssociationPort{" + association.state() + "}";
    }
}
