package org.jdatachannel.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A trivial stand-in for SCTP over a reliable, ordered DTLS-on-loopback path: one packet per
 * message, instant resets, no timers. Lets the driver and DCEP be tested end to end without the
 * sctp module. Packet formats: HELLO [1]; DATA [2, sid(2), ppid(4), payload]; RESET [3, sid(2)];
 * SHUTDOWN [4].
 */
public final class FakeSctp implements SctpPort {
    /** Creates fakes. */
    public static final SctpPort.Factory FACTORY = (params, clock) -> new FakeSctp(params);

    private final Params params;
    private final ArrayDeque<SctpEvent> out = new ArrayDeque<>();
    private boolean helloSent;
    private boolean helloReceived;
    private boolean connected;
    private boolean closed;

    FakeSctp(Params params) {
        this.params = params;
    }

    @Override
    public void connect(long nowMs) {
        helloSent = true;
        out.add(new SctpEvent.SendPacket(new byte[] {1}));
        maybeConnected();
    }

    private void maybeConnected() {
        if (helloSent && helloReceived && !connected) {
            connected = true;
            out.add(new SctpEvent.Connected());
        }
    }

    @Override
    public void handleInput(byte[] packet, long nowMs) {
        if (closed || packet.length == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(packet);
        switch (b.get()) {
            case 1 -> {
                helloReceived = true;
                maybeConnected();
            }
            case 2 -> {
                int sid = b.getShort() & 0xffff;
                int ppid = b.getInt();
                byte[] payload = new byte[b.remaining()];
                b.get(payload);
                out.add(new SctpEvent.MessageReceived(sid, ppid, payload));
            }
            case 3 -> out.add(new SctpEvent.IncomingStreamsReset(new int[] {b.getShort() & 0xffff}));
            case 4 -> {
                closed = true;
                out.add(new SctpEvent.Closed("peer shut down", false));
            }
            default -> {
            }
        }
    }

    @Override
    public void handleTimeout(long nowMs) {
    }

    @Override
    public long pollTimeout() {
        return Long.MAX_VALUE;
    }

    @Override
    public SctpEvent poll() {
        return out.poll();
    }

    @Override
    public void shutdown(long nowMs) {
        if (closed) {
            return;
        }
        out.add(new SctpEvent.SendPacket(new byte[] {4}));
        out.add(new SctpEvent.Closed("shut down", false));
        closed = true;
    }

    @Override
    public void abort(String reason, long nowMs) {
        shutdown(nowMs);
    }

    @Override
    public void send(int streamId, int ppid, byte[] payload, boolean unordered, int maxRetransmits, long lifetimeMs) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (payload.length > params.maxSendMessageSize()) {
            throw new IllegalArgumentException("too large");
        }
        ByteBuffer b = ByteBuffer.allocate(7 + payload.length);
        b.put((byte) 2).putShort((short) streamId).putInt(ppid).put(payload);
        out.add(new SctpEvent.SendPacket(b.array()));
    }

    @Override
    public void resetStream(int streamId) {
        out.add(new SctpEvent.SendPacket(new byte[] {3, (byte) (streamId >> 8), (byte) streamId}));
        out.add(new SctpEvent.OutgoingStreamsReset(new int[] {streamId}));
    }

    @Override
    public long bufferedAmount(int streamId) {
        return 0;
    }

    @Override
    public void setBufferedAmountLowThreshold(int streamId, long bytes) {
    }
}
