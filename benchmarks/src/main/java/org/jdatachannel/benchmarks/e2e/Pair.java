package org.jdatachannel.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jdatachannel.DataChannel;
import org.jdatachannel.IceConnectionState;
import org.jdatachannel.PeerConnection;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;

/**
 * Two {@link PeerConnection}s of this JVM connected over 127.0.0.1 (offer/answer without trickle),
 * the offerer ({@link #a}) having opened {@code n} ordered reliable channels, with the time line of
 * the connection's set-up taken from state callbacks.
 */
final class Pair implements AutoCloseable {
    /** Phases of {@link Timeline}, in the order they happen. */
    static final List<String> PHASES = List.of("constructed", "signaled", "iceConnected", "dtlsConnected",
            "remoteChannel", "open");

    final PeerConnection a;
    final PeerConnection b;
    final List<DataChannel> channels;
    final Timeline timeline;

    /**
     * Times since the start of {@link #connect} (before the two constructors, whose certificate
     * generation is therefore inside the window unless the configuration carries a certificate), ns;
     * -1 if it did not happen.
     *
     * <ul>
     *   <li>constructed: both {@code new PeerConnection} returned (certificate generation);</li>
     *   <li>signaled: offer and answer applied on both sides (host candidates gathered);</li>
     *   <li>iceConnected: the offerer's ICE connection state became CONNECTED (a pair nominated).
     *       DTLS starts before that, on the first working pair (RFC 8445 §12.1), so this may come
     *       after "open"; {@link #connect} waits for it (bounded) after "open" so that it is
     *       recorded, without moving "open";</li>
     *   <li>dtlsConnected: the offerer's connection state became CONNECTED (ICE CONNECTED and DTLS
     *       up: so it may come after "open" too, and is waited for likewise);</li>
     *   <li>remoteChannel: the answerer announced the last channel (its {@code onDataChannel}: SCTP is
     *       up on the answerer and the DCEP DATA_CHANNEL_OPEN arrived; no public callback gives "SCTP
     *       up" alone). The callback is deferred on the answerer's loop, so it may come after
     *       "open";</li>
     *   <li>open: every channel of the offerer is open (its DATA_CHANNEL_OPEN is sent once SCTP is
     *       up; the ACK is not waited for, RFC 8832 §6, as libwebrtc does). This is the end of the
     *       set-up window; {@link #connect} also waits for remoteChannel, iceConnected and
     *       dtlsConnected before returning.</li>
     * </ul>
     */
    static final class Timeline {
        final long t0 = System.nanoTime();
        final AtomicLong[] at = new AtomicLong[PHASES.size()];

        Timeline() {
            for (int i = 0; i < at.length; i++) {
                at[i] = new AtomicLong(-1);
            }
        }

        void mark(int phase) {
            at[phase].compareAndSet(-1, System.nanoTime() - t0);
        }

        /** @return ms since the start per phase, -1 if it did not happen */
        double[] ms() {
            double[] m = new double[at.length];
            for (int i = 0; i < at.length; i++) {
                long v = at[i].get();
                m[i] = v < 0 ? -1 : v / 1e6;
            }
            return m;
        }
    }

    private Pair(PeerConnection a, PeerConnection b, List<DataChannel> channels, Timeline timeline) {
        this.a = a;
        this.b = b;
        this.channels = channels;
        this.timeline = timeline;
    }

    /**
     * Connects a pair.
     *
     * @param cfg configuration of both ends (ICE restricted to 127.0.0.1 by the caller)
     * @param n channels the offerer opens, 1..64
     * @param onRemoteChannel receives each channel the answerer sees (on its event loop); set before connecting
     * @param timeoutMs bound for each step, ms
     * @return the connected pair; its channels are open
     * @throws Exception on a timeout or a FAILED connection (both ends are closed then)
     */
    static Pair connect(RtcConfiguration cfg, int n, Consumer<DataChannel> onRemoteChannel, long timeoutMs)
            throws Exception {
        Timeline tl = new Timeline();
        PeerConnection a = new PeerConnection(cfg);
        PeerConnection b;
        try {
            b = new PeerConnection(cfg);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
        tl.mark(0);
        try {
            CompletableFuture<Void> failed = new CompletableFuture<>();
            CompletableFuture<Void> iceConnected = new CompletableFuture<>();
            CompletableFuture<Void> connected = new CompletableFuture<>();
            a.onIceConnectionStateChange(s -> {
                if (s == IceConnectionState.CONNECTED) {
                    tl.mark(2);
                    iceConnected.complete(null);
                }
            });
            for (PeerConnection pc : List.of(a, b)) {
                pc.onConnectionStateChange(s -> {
                    if (s == PeerConnectionState.CONNECTED && pc == a) {
                        tl.mark(3);
                        connected.complete(null);
                    } else if (s == PeerConnectionState.FAILED) {
                        failed.completeExceptionally(new IllegalStateException((pc == a ? "offerer" : "answerer")
                                + " FAILED: " + pc.failureReason().orElse("?")));
                    }
                });
            }
            java.util.concurrent.atomic.AtomicInteger remote = new java.util.concurrent.atomic.AtomicInteger();
            CompletableFuture<Void> allRemote = new CompletableFuture<>();
            b.onDataChannel(ch -> {
                onRemoteChannel.accept(ch);
                if (remote.incrementAndGet() == n) {
                    tl.mark(4);
                    allRemote.complete(null);
                }
            });
            List<DataChannel> chs = new ArrayList<>();
            List<CompletableFuture<Void>> opens = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                DataChannel ch = a.createDataChannel("e2e-" + i);
                CompletableFuture<Void> open = new CompletableFuture<>();
                ch.onOpen(() -> open.complete(null));
                chs.add(ch);
                opens.add(open);
            }
            get(a.setLocalDescription(get(a.createOffer(), timeoutMs)), timeoutMs);
            get(b.setRemoteDescription(a.localDescription()), timeoutMs);
            get(b.setLocalDescription(get(b.createAnswer(), timeoutMs)), timeoutMs);
            get(a.setRemoteDescription(b.localDescription()), timeoutMs);
            tl.mark(1);
            CompletableFuture<Object> all = CompletableFuture.anyOf(
                    CompletableFuture.allOf(opens.toArray(new CompletableFuture[0])), failed);
            try {
                get(all, timeoutMs);
            } catch (TimeoutException e) {
                throw new TimeoutException("channels not open after " + timeoutMs + " ms: offerer ICE "
                        + a.iceConnectionState() + " connection " + a.connectionState() + ", answerer ICE "
                        + b.iceConnectionState() + " connection " + b.connectionState());
            }
            tl.mark(5);
            // the answerer announces its channels on its own loop, possibly after the offerer saw them open
            get(CompletableFuture.anyOf(allRemote, failed), timeoutMs);
            // ICE nominates a pair after its first working one, on which DTLS already started: the
            // offerer's ICE CONNECTED (and so its connection CONNECTED) can come after "open".
            // Without this wait the two phases read -1 in most set-ups of a fast row (session 3's
            // shared-certificate row printed -1.0 for both).
            get(CompletableFuture.anyOf(CompletableFuture.allOf(iceConnected, connected), failed), timeoutMs);
            return new Pair(a, b, List.copyOf(chs), tl);
        } catch (Exception | Error e) {
            a.close();
            b.close();
            throw e;
        }
    }

    static <T> T get(CompletableFuture<T> f, long timeoutMs) throws Exception {
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** @return the offerer's first channel */
    DataChannel channel() {
        return channels.get(0);
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
