package org.jdatachannel.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jdatachannel.PeerConnection;
import org.jdatachannel.PeerConnectionState;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client peer connection to a {@link PeerServer}, set up through its signaling protocol in either
 * role: we offer ({@code POST /offer}) or the server offers ({@code POST /session}, then our answer
 * to its Location). Collects the server's {@code hello} message.
 *
 * <p>Thread-safe; {@link #close()} releases the connection.
 */
public final class ClientSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    /**
     * What to connect to and how.
     *
     * @param url the server, e.g. {@code http://127.0.0.1:8080}
     * @param answer {@code true}: the server offers and we answer; {@code false}: we offer
     * @param iceFilter local addresses ICE may use
     * @param timeout bound on the whole test, including connection setup
     */
    public record Options(URI url, boolean answer, Predicate<InetAddress> iceFilter, Duration timeout) {
        public Options {
            if (url == null || iceFilter == null || timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("url, iceFilter and a positive timeout are required");
            }
        }

        /** {@code "offer"} or {@code "answer"}: the client's role. */
        public String role() {
            return answer ? "answer" : "offer";
        }
    }

    private final PeerConnection pc;
    private final long createdNanos;
    private final CompletableFuture<String> hello = new CompletableFuture<>();
    private final CompletableFuture<PeerConnectionState> ended = new CompletableFuture<>();

    private ClientSession(PeerConnection pc, long createdNanos) {
        this.pc = pc;
        this.createdNanos = createdNanos;
    }

    /**
     * Creates the peer connection, lets {@code createChannels} create the client's channels, and
     * runs the signaling exchange. Returns once the remote description is applied; channels open
     * later.
     *
     * @throws IOException on HTTP or signaling errors (the server's message included)
     * @throws ExecutionException if a description could not be created or applied
     * @throws TimeoutException if a step did not finish before {@code deadline}
     */
    static ClientSession connect(Options o, Consumer<PeerConnection> createChannels, Deadline deadline)
            throws IOException, ExecutionException, TimeoutException, InterruptedException {
        long created = System.nanoTime();
        PeerConnection pc = new PeerConnection(RtcConfiguration.builder().iceAddressFilter(o.iceFilter())
                .maxMessageSize(PeerServer.MAX_MESSAGE_SIZE).build());
        ClientSession s = new ClientSession(pc, created);
        boolean ok = false;
        try {
            pc.onConnectionStateChange(st -> {
                LOG.info("connection state {}", st);
                if (st == PeerConnectionState.FAILED || st == PeerConnectionState.CLOSED) {
                    s.ended.complete(st);
                }
            });
            pc.onDataChannel(ch -> {
                LOG.info("server opened channel '{}' (id {})", ch.label(), ch.id());
                if (ch.label().equals(Scenario.HELLO)) {
                    ch.onMessage(m -> s.hello.complete(m.binary() ? "<binary message of " + m.data().remaining()
                            + " bytes>" : m.text()));
                }
            });
            SignalingClient sig = new SignalingClient(o.url(), Duration.ofMillis(Math.max(1, deadline.remainingMs())));
            if (!o.answer()) {
                createChannels.accept(pc);
                SessionDescriptionInit offer = deadline.await(pc.createOffer(), "createOffer");
                deadline.await(pc.setLocalDescription(offer), "setLocalDescription(offer)");
                deadline.await(pc.gatheringComplete(), "ICE gathering");
                String answer = sig.postOffer(pc.localDescription().sdp());
                deadline.await(pc.setRemoteDescription(
                        new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER, answer)), "setRemoteDescription(answer)");
            } else {
                SignalingClient.SessionOffer offer = sig.newSession();
                deadline.await(pc.setRemoteDescription(
                        new SessionDescriptionInit(SessionDescriptionInit.Type.OFFER, offer.sdp())), "setRemoteDescription(offer)");
                createChannels.accept(pc);
                SessionDescriptionInit answer = deadline.await(pc.createAnswer(), "createAnswer");
                deadline.await(pc.setLocalDescription(answer), "setLocalDescription(answer)");
                deadline.await(pc.gatheringComplete(), "ICE gathering");
                sig.postAnswer(offer.answerLocation(), pc.localDescription().sdp());
            }
            ok = true;
            return s;
        } finally {
            if (!ok) {
                s.close();
            }
        }
    }

    /** The peer connection. */
    PeerConnection peerConnection() {
        return pc;
    }

    /** Milliseconds since the peer connection was created. */
    long elapsedMs() {
        return (System.nanoTime() - createdNanos) / 1_000_000;
    }

    /** Completes with the text of the server's hello message. */
    CompletableFuture<String> hello() {
        return hello;
    }

    /** Completes when the connection failed or closed. */
    CompletableFuture<PeerConnectionState> ended() {
        return ended;
    }

    @Override
    public void close() {
        try {
            pc.close();
        } catch (RuntimeException e) {
            LOG.warn("close failed", e);
        }
    }
}
