package org.jdatachannel.cli;

import static org.jdatachannel.cli.WsClient.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.jdatachannel.DataChannel;
import org.jdatachannel.IceCandidateInit;
import org.jdatachannel.PeerConnection;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Java {@link PeerConnection} joins a room over WebSocket and talks to the server's JVM peer on
 * loopback with trickle signaling both ways: offer and answer travel without candidates, each
 * candidate follows in its own {@code candidate} message ({@code PeerConnection.onIceCandidate} on
 * both sides), then {@code end-of-candidates}; each side adds them as they come. Then a chat line
 * is acknowledged and a file's SHA-256 is confirmed.
 */
@Timeout(90)
class RoomJavaPeerTest {

    /** The SDP without its a=candidate and a=end-of-candidates lines. */
    private static String withoutCandidates(String sdp) {
        StringBuilder b = new StringBuilder();
        for (String line : sdp.split("\r\n")) {
            if (!line.startsWith("a=candidate:") && !line.equals("a=end-of-candidates")) {
                b.append(line).append("\r\n");
            }
        }
        return b.toString();
    }

    @Test
    void javaPeerChatsAndSendsAFileToTheJvmPeerWithTrickledCandidates() throws Exception {
        long seed = Long.getLong("room.seed", System.nanoTime());
        System.out.println("RoomJavaPeerTest seed " + seed + " (-Droom.seed=" + seed + " repeats it)");
        var filter = IceAddresses.of(List.of("127.0.0.1"));
        try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), filter);
                PeerConnection pc = new PeerConnection(RtcConfiguration.builder().iceAddressFilter(filter).build())) {
            server.start();
            try (WsClient ws = WsClient.connect(server.port(), "?room=java")) {
                JsonNode joined = ws.next("joined");
                assertTrue(joined.path("peers").toString().contains("\"jvm\""), joined::toString);

                DataChannel chat = pc.createDataChannel(RoomChannels.CHAT, Channels.reliable(true));
                DataChannel file = pc.createDataChannel(RoomChannels.FILE, Channels.reliable(true));
                BlockingQueue<String> chatIn = new LinkedBlockingQueue<>();
                BlockingQueue<String> fileIn = new LinkedBlockingQueue<>();
                CompletableFuture<Void> chatOpen = new CompletableFuture<>();
                CompletableFuture<Void> fileOpen = new CompletableFuture<>();
                chat.onOpen(() -> chatOpen.complete(null));
                file.onOpen(() -> fileOpen.complete(null));
                chat.onMessage(m -> chatIn.add(m.text()));
                file.onMessage(m -> fileIn.add(m.binary() ? "(binary)" : m.text()));

                // Trickle our candidates as the PeerConnection reports them (pc.onIceCandidate).
                List<String> sentCandidates = new java.util.concurrent.CopyOnWriteArrayList<>();
                pc.onIceCandidate(c -> {
                    try {
                        if (c.isEndOfCandidates()) {
                            ws.send(msg("end-of-candidates").put("to", Rooms.JVM_ID));
                        } else {
                            var m = msg("candidate").put("to", Rooms.JVM_ID);
                            m.putObject("candidate").put("candidate", c.candidate()).put("sdpMid", c.sdpMid())
                                    .put("sdpMLineIndex", c.sdpMLineIndex()).put("usernameFragment", c.usernameFragment());
                            ws.send(m);
                            sentCandidates.add(c.candidate());
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot send a candidate", e);
                    }
                });
                SessionDescriptionInit offer = pc.createOffer().get(20, TimeUnit.SECONDS);
                pc.setLocalDescription(offer).get(20, TimeUnit.SECONDS);
                // The offer goes without candidates: connectivity must come from the trickled ones.
                ws.send(msg("offer").put("to", Rooms.JVM_ID).put("sdp", withoutCandidates(offer.sdp())));
                JsonNode answer = ws.next("answer");
                assertEquals(Rooms.JVM_ID, answer.path("from").asText());
                pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER,
                        withoutCandidates(answer.path("sdp").asText()))).get(20, TimeUnit.SECONDS);
                // The JVM peer's candidates, each in its own message, then end-of-candidates.
                int received = 0;
                while (true) {
                    JsonNode m = ws.next(n -> n.path("type").asText().matches("candidate|end-of-candidates"),
                            "candidate or end-of-candidates");
                    assertEquals(Rooms.JVM_ID, m.path("from").asText());
                    if (m.path("type").asText().equals("end-of-candidates")) {
                        break;
                    }
                    JsonNode c = m.path("candidate");
                    pc.addIceCandidate(new IceCandidateInit(c.path("candidate").asText(), c.path("sdpMid").asText(null),
                            c.path("sdpMLineIndex").isInt() ? c.path("sdpMLineIndex").asInt() : null,
                            c.path("usernameFragment").asText(null))).get(20, TimeUnit.SECONDS);
                    received++;
                }
                assertTrue(received > 0, "the JVM peer trickled at least one candidate");

                chatOpen.get(30, TimeUnit.SECONDS);
                fileOpen.get(30, TimeUnit.SECONDS);
                String line = "hello room \u2713 " + seed;
                chat.send(line);
                assertEquals(RoomChannels.ACK_PREFIX + line, chatIn.poll(20, TimeUnit.SECONDS));

                Random rnd = new Random(seed);
                byte[] data = new byte[200_000 + rnd.nextInt(100_000)];
                rnd.nextBytes(data);
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
                file.send(WsClient.JSON.createObjectNode().put("name", "random.bin").put("size", data.length)
                        .put("sha256", sha).toString());
                for (int off = 0; off < data.length; off += 16 * 1024) {
                    file.send(ByteBuffer.wrap(data, off, Math.min(16 * 1024, data.length - off)));
                }
                JsonNode ack = WsClient.JSON.readTree(fileIn.poll(30, TimeUnit.SECONDS));
                assertEquals("random.bin", ack.path("ack").asText(), ack::toString);
                assertEquals(data.length, ack.path("size").asLong(), ack::toString);
                assertEquals(sha, ack.path("sha256").asText(), ack::toString);
                assertTrue(ack.path("ok").asBoolean(), ack::toString);
                // A file whose announced SHA-256 is wrong is received but not confirmed; data without a
                // header and an unparsable header are answered with an error, and the channel stays usable.
                file.send(WsClient.JSON.createObjectNode().put("name", "wrong.bin").put("size", 3)
                        .put("sha256", "00".repeat(32)).toString());
                file.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                JsonNode wrong = WsClient.JSON.readTree(fileIn.poll(30, TimeUnit.SECONDS));
                assertEquals("wrong.bin", wrong.path("ack").asText(), wrong::toString);
                assertEquals(false, wrong.path("ok").asBoolean(true), wrong::toString);
                file.send(ByteBuffer.wrap(new byte[] {9}));
                assertTrue(WsClient.JSON.readTree(fileIn.poll(30, TimeUnit.SECONDS)).has("error"));
                file.send("{\"name\": 5}");
                assertTrue(WsClient.JSON.readTree(fileIn.poll(30, TimeUnit.SECONDS)).has("error"));
                file.send(WsClient.JSON.createObjectNode().put("name", "empty").put("size", 0)
                        .put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest())).toString());
                JsonNode empty = WsClient.JSON.readTree(fileIn.poll(30, TimeUnit.SECONDS));
                assertTrue(empty.path("ok").asBoolean(), empty::toString);

                assertTrue(!sentCandidates.isEmpty(), "we trickled at least one candidate");
                System.out.printf("room Java peer: %d candidates trickled each way (%d from the JVM peer), chat acknowledged,"
                        + " %d-byte file confirmed%n", sentCandidates.size(), received, data.length);

                // Leaving the room closes the JVM peer's connection to us.
                ws.send(msg("leave"));
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (server.peerCount() > 0 && System.nanoTime() < end) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // bounded poll
                }
                assertEquals(0, server.peerCount(), "the JVM peer closed its connection when we left");
            }
        }
    }

    /** Sends offer (without candidates), applies the answer, adds the JVM peer's candidates to its end. */
    private static int offerAndTrickle(WsClient ws, PeerConnection pc) throws Exception {
        SessionDescriptionInit offer = pc.createOffer().get(20, TimeUnit.SECONDS);
        pc.setLocalDescription(offer).get(20, TimeUnit.SECONDS);
        ws.send(msg("offer").put("to", Rooms.JVM_ID).put("sdp", withoutCandidates(offer.sdp())));
        JsonNode answer = ws.next("answer");
        pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER,
                withoutCandidates(answer.path("sdp").asText()))).get(20, TimeUnit.SECONDS);
        int received = 0;
        while (true) {
            JsonNode m = ws.next(n -> n.path("type").asText().matches("candidate|end-of-candidates"),
                    "candidate or end-of-candidates");
            if (m.path("type").asText().equals("end-of-candidates")) {
                return received;
            }
            JsonNode c = m.path("candidate");
            pc.addIceCandidate(new IceCandidateInit(c.path("candidate").asText(), c.path("sdpMid").asText(null),
                    c.path("sdpMLineIndex").isInt() ? c.path("sdpMLineIndex").asInt() : null,
                    c.path("usernameFragment").asText(null))).get(20, TimeUnit.SECONDS);
            received++;
        }
    }

    private static String ufrag(String sdp) {
        return PeerServer.ufragOf(sdp);
    }

    /**
     * A member with a live connection re-offers, once plainly and once with an ICE restart: the
     * JVM peer renegotiates the same connection (no new peer connection; new ICE credentials on
     * both sides for the restart) and the member's chat channel goes on carrying lines.
     */
    @Test
    void reOffersAndIceRestartsKeepTheConnectionAndItsChannels() throws Exception {
        var filter = IceAddresses.of(List.of("127.0.0.1"));
        try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), filter);
                PeerConnection pc = new PeerConnection(RtcConfiguration.builder().iceAddressFilter(filter).build())) {
            server.start();
            try (WsClient ws = WsClient.connect(server.port(), "?room=renegotiate")) {
                ws.next("joined");
                DataChannel chat = pc.createDataChannel(RoomChannels.CHAT, Channels.reliable(true));
                BlockingQueue<String> chatIn = new LinkedBlockingQueue<>();
                CompletableFuture<Void> chatOpen = new CompletableFuture<>();
                chat.onOpen(() -> chatOpen.complete(null));
                chat.onMessage(m -> chatIn.add(m.text()));
                CompletableFuture<Void> chatClosed = new CompletableFuture<>();
                chat.onClose(() -> chatClosed.complete(null));
                pc.onIceCandidate(c -> {
                    try {
                        if (c.isEndOfCandidates()) {
                            ws.send(msg("end-of-candidates").put("to", Rooms.JVM_ID));
                        } else {
                            var m = msg("candidate").put("to", Rooms.JVM_ID);
                            m.putObject("candidate").put("candidate", c.candidate()).put("sdpMid", c.sdpMid())
                                    .put("sdpMLineIndex", c.sdpMLineIndex()).put("usernameFragment", c.usernameFragment());
                            ws.send(m);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot send a candidate", e);
                    }
                });
                offerAndTrickle(ws, pc);
                chatOpen.get(30, TimeUnit.SECONDS);
                chat.send("before");
                assertEquals(RoomChannels.ACK_PREFIX + "before", chatIn.poll(20, TimeUnit.SECONDS));
                String ourUfrag = ufrag(pc.localDescription().sdp());
                String theirUfrag = ufrag(pc.remoteDescription().sdp());

                // A plain re-offer: same credentials, same connection.
                SessionDescriptionInit again = pc.createOffer().get(20, TimeUnit.SECONDS);
                pc.setLocalDescription(again).get(20, TimeUnit.SECONDS);
                ws.send(msg("offer").put("to", Rooms.JVM_ID).put("sdp", withoutCandidates(again.sdp())));
                JsonNode answer = ws.next("answer");
                pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER,
                        answer.path("sdp").asText())).get(20, TimeUnit.SECONDS);
                assertEquals(theirUfrag, ufrag(answer.path("sdp").asText()), "no restart: same credentials");
                chat.send("after a re-offer");
                assertEquals(RoomChannels.ACK_PREFIX + "after a re-offer", chatIn.poll(20, TimeUnit.SECONDS));
                assertEquals(1, server.peerCount());

                // An ICE restart: new credentials both ways, candidates of the new generation.
                pc.restartIce();
                int received = offerAndTrickle(ws, pc);
                assertTrue(received > 0, "the JVM peer trickled candidates of the new generation");
                assertTrue(!ourUfrag.equals(ufrag(pc.localDescription().sdp())), "we restarted");
                assertTrue(!theirUfrag.equals(ufrag(pc.remoteDescription().sdp())), "the JVM peer restarted too");
                chat.send("after an ICE restart");
                assertEquals(RoomChannels.ACK_PREFIX + "after an ICE restart", chatIn.poll(20, TimeUnit.SECONDS));
                assertEquals(1, server.peerCount(), "still the same peer connection");
                assertTrue(!chatClosed.isDone(), "the chat channel never closed");
            }
        }
    }
}
