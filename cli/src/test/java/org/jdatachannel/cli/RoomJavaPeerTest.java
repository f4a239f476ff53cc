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
import org.jdatachannel.PeerConnection;
import org.jdatachannel.RtcConfiguration;
import org.jdatachannel.SessionDescriptionInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Java {@link PeerConnection} joins a room over WebSocket and talks to the server's JVM peer on
 * loopback with trickle signaling: its offer goes without candidates, each candidate follows in
 * its own {@code candidate} message (RFC 8838 §4), then {@code end-of-candidates}; the JVM peer
 * adds them as they come. Then a chat line is acknowledged and a file's SHA-256 is confirmed.
 */
@Timeout(90)
class RoomJavaPeerTest {

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

                SessionDescriptionInit offer = pc.createOffer().get(20, TimeUnit.SECONDS);
                pc.setLocalDescription(offer).get(20, TimeUnit.SECONDS);
                pc.gatheringComplete().get(20, TimeUnit.SECONDS);
                String sdp = pc.localDescription().sdp();
                // Trickle: the offer without its candidates, then each candidate on its own.
                List<String> candidates = new ArrayList<>();
                StringBuilder bare = new StringBuilder();
                String mid = "0";
                for (String line : sdp.split("\r\n")) {
                    if (line.startsWith("a=candidate:")) {
                        candidates.add(line.substring(2));
                    } else if (!line.equals("a=end-of-candidates")) {
                        bare.append(line).append("\r\n");
                        if (line.startsWith("a=mid:")) {
                            mid = line.substring(6);
                        }
                    }
                }
                assertTrue(!candidates.isEmpty(), "the offer had candidates to trickle: " + sdp);
                ws.send(msg("offer").put("to", Rooms.JVM_ID).put("sdp", bare.toString()));
                for (String c : candidates) {
                    var m = msg("candidate").put("to", Rooms.JVM_ID);
                    m.putObject("candidate").put("candidate", c).put("sdpMid", mid).put("sdpMLineIndex", 0);
                    ws.send(m);
                }
                ws.send(msg("end-of-candidates").put("to", Rooms.JVM_ID));
                JsonNode answer = ws.next("answer");
                assertEquals(Rooms.JVM_ID, answer.path("from").asText());
                pc.setRemoteDescription(new SessionDescriptionInit(SessionDescriptionInit.Type.ANSWER,
                        answer.path("sdp").asText())).get(20, TimeUnit.SECONDS);

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
                System.out.printf("room Java peer: %d candidates trickled, chat acknowledged, %d-byte file confirmed%n",
                        candidates.size(), data.length);

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
}
