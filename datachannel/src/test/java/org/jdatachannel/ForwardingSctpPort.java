package org.jdatachannel;

import java.util.function.IntConsumer;
import org.jdatachannel.internal.SctpEvent;
import org.jdatachannel.internal.SctpPort;

/**
 * Test support: an {@link SctpPort} that forwards every call to a delegate (a real association's
 * port), for tests that wrap it to inject a fault or record a call by overriding one method.
 * {@link PacketArrayReuseLoopbackTest#association} looks through it to the association.
 */
class ForwardingSctpPort implements SctpPort {
    final SctpPort delegate;

    ForwardingSctpPort(SctpPort delegate) {
        this.delegate = delegate;
    }

    @Override
    public void connect(long nowMs) {
        delegate.connect(nowMs);
    }

    @Override
    public void handleInput(byte[] packet, long nowMs) {
        delegate.handleInput(packet, nowMs);
    }

    @Override
    public void handleInput(byte[] buf, int off, int len, long nowMs) {
        delegate.handleInput(buf, off, len, nowMs);
    }

    @Override
    public void recyclePacket(byte[] packet) {
        delegate.recyclePacket(packet);
    }

    @Override
    public void handleTimeout(long nowMs) {
        delegate.handleTimeout(nowMs);
    }

    @Override
    public long pollTimeout() {
        return delegate.pollTimeout();
    }

    @Override
    public SctpEvent poll() {
        return delegate.poll();
    }

    @Override
    public SctpEvent pollHoldingBatch() {
        return delegate.pollHoldingBatch();
    }

    @Override
    public int pathMtu() {
        return delegate.pathMtu();
    }

    @Override
    public void restartPathMtuDiscovery(int maxPlpmtu, long nowMs) {
        delegate.restartPathMtuDiscovery(maxPlpmtu, nowMs);
    }

    @Override
    public void shutdown(long nowMs) {
        delegate.shutdown(nowMs);
    }

    @Override
    public void abort(String reason, long nowMs) {
        delegate.abort(reason, nowMs);
    }

    @Override
    public void send(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits, long lifetimeMs) {
        delegate.send(streamId, ppid, payload, unordered, maxRetransmits, lifetimeMs);
    }

    @Override
    public void resetStream(int streamId) {
        delegate.resetStream(streamId);
    }

    @Override
    public long bufferedAmount(int streamId) {
        return delegate.bufferedAmount(streamId);
    }

    @Override
    public void setBufferedAmountLowThreshold(int streamId, long bytes) {
        delegate.setBufferedAmountLowThreshold(streamId, bytes);
    }

    @Override
    public boolean pollBufferedAmountChanges(IntConsumer streamIds) {
        return delegate.pollBufferedAmountChanges(streamIds);
    }
}
