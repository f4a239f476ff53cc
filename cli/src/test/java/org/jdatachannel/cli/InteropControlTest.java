package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jdatachannel.DataChannel;
import org.jdatachannel.DataChannelInit;
import org.jdatachannel.DataChannelMessage;
import org.jdatachannel.DataChannelState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control-channel protocol of {@link InteropControl} with a Java client over 127.0.0.1 (the
 * browser test drives the same protocol from interop.html): a served channel closed by the server
 * with data in flight, a watched client channel closed by the client, options reported on a
 * props- channel, and refused commands.
 */
@Timeout(120)
class InteropControlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T = 20;

    private static <X> X poll(BlockingQueue<X> q, String what) throws InterruptedException {
        X x = q.poll(T, TimeUnit.SECONDS);
        if (x == null) {
            throw new AssertionError(what + ": nothing within " + T + " s");
        }
        return x;
    }

    private static JsonNode event(BlockingQueue<JsonNode> events, String event, String label) throws Exception {
        List<JsonNode> skipped = new ArrayList<>();
        while (true) {
            JsonNode e = poll(events, "event " + event + " for " + label + " (skipped " + skipped + ")");
            if (e.path("event").asText().equals(event) && e.path("label").asText().equals(label)) {
                events.addAll(skipped);
                return e;
            }
            skipped.add(e);
        }
    }

    @Test
    void controlChannelDrivesCloseAndReliabilityChecks() throws Exception {
        try (PeerServer server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of("127.0.0.1")))) {
            server.start();
            ClientSession.Options o = new ClientSession.Options(URI.create("http://127.0.0.1:" + server.port()), false,
                    IceAddresses.of(List.of("127.0.0.1")), Duration.ofSeconds(60));
            DataChannel[] mine = new DataChannel[4];
            try (ClientSession s = ClientSession.connect(o, pc -> {
                mine[0] = pc.createDataChannel(InteropControl.CTL, null);
                mine[1] = pc.createDataChannel("watch-x", null);
                mine[2] = pc.createDataChannel("props-y", DataChannelInit.builder().ordered(false).maxRetransmits(0));
                mine[3] = pc.createDataChannel("digest-z", null);
            }, Deadline.in(Duration.ofSeconds(60)))) {
                BlockingQueue<DataChannel> served = new LinkedBlockingQueue<>();
                s.peerConnection().onDataChannel(ch -> {
                    if (!ch.label().equals(Scenario.HELLO)) {
                        served.add(ch);
                    }
                });
                DataChannel ctl = mine[0];
                BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
                ctl.onMessage(m -> {
                    try {
                        events.add(JSON.readTree(m.text()));
                    } catch (Exception e) {
                        events.add(JSON.createObjectNode().put("event", "unparsable").put("label", m.text()));
                    }
                });
                BlockingQueue<DataChannelMessage> propsInbox = new LinkedBlockingQueue<>();
                BlockingQueue<DataChannelMessage> digestInbox = new LinkedBlockingQueue<>();
                mine[3].onMessage(digestInbox::add);
                mine[2].onMessage(propsInbox::add);
                CompletableFuture<Void> ctlOpen = new CompletableFuture<>();
                ctl.onOpen(() -> ctlOpen.complete(null));
                ctlOpen.get(T, TimeUnit.SECONDS);

                // The server sends 50 messages and closes at once: all arrive, then both ends close.
                ctl.send("serve-and-close s1 50 1000");
                JsonNode created = event(events, "created", "s1");
                DataChannel s1 = poll(served, "channel s1");
                BlockingQueue<String> s1Log = new LinkedBlockingQueue<>();
                s1.onMessage(m -> s1Log.add("m" + m.data().getInt(0) + ":" + m.size()));
                s1.onClose(() -> s1Log.add("close"));
                assertEquals(created.path("id").asInt(), s1.id());
                for (int i = 0; i < 50; i++) {
                    assertEquals("m" + i + ":1000", poll(s1Log, "s1 message " + i));
                }
                assertEquals("close", poll(s1Log, "s1 close"));
                JsonNode s1Closed = event(events, "closed", "s1");
                assertEquals("CLOSED", s1Closed.path("state").asText(), s1Closed::toString);
                assertEquals(1, s1Closed.path("closes").asInt(), s1Closed::toString);
                assertEquals(0, s1Closed.path("bufferedAmount").asLong(), s1Closed::toString);

                // We send 30 messages on a watched channel and close it: the server counted them all.
                DataChannel w = mine[1];
                for (int i = 0; i < 30; i++) {
                    w.send(ByteBuffer.allocate(100).putInt(0, i));
                }
                w.close();
                JsonNode wClosed = event(events, "closed", "watch-x");
                assertEquals(30, wClosed.path("received").asInt(), wClosed::toString);
                assertTrue(wClosed.path("inOrder").asBoolean(), wClosed::toString);
                assertEquals("CLOSED", wClosed.path("state").asText(), wClosed::toString);

                // The props- channel reports the options the server received.
                DataChannelMessage first = poll(propsInbox, "props report");
                assertTrue(first.text().startsWith("props "), first.text());
                JsonNode props = JSON.readTree(first.text().substring(6));
                assertFalse(props.path("ordered").asBoolean(true), props::toString);
                assertEquals(0, props.path("maxRetransmits").asInt(-1), props::toString);
                assertTrue(props.path("maxPacketLifeTime").isNull(), props::toString);
                mine[2].send("echo me");
                assertEquals("echo me", poll(propsInbox, "props echo").text());

                // A digest- channel answers each message with the SHA-256 and length the server received.
                byte[] big = Scenario.pattern(200_000);
                mine[3].send(ByteBuffer.wrap(big));
                mine[3].send("");
                assertEquals("sha256 " + Scenario.sha256Hex(big) + " 200000", poll(digestInbox, "digest").text());
                assertEquals("sha256 " + Scenario.sha256Hex(new byte[0]) + " 0", poll(digestInbox, "digest").text());

                // A partially reliable server channel arrives with its options.
                ctl.send("open-pr pr false - 40 3");
                DataChannel pr = poll(served, "channel pr");
                assertFalse(pr.ordered());
                assertEquals(40, pr.maxPacketLifeTime());
                assertEquals(null, pr.maxRetransmits());

                // Refused: unknown commands, oversized bursts, reserved labels.
                ctl.send("explode now");
                assertTrue(event(events, "error", "now").path("reason").asText().contains("unknown"));
                ctl.send("serve-and-close big 10000 65536");
                assertTrue(event(events, "error", "big").path("reason").asText().contains("count * size"));
                ctl.send("serve watch-me 1 10");
                assertTrue(event(events, "error", "watch-me").path("reason").asText().contains("reserved"));
                assertEquals(DataChannelState.OPEN, ctl.readyState());
            }
        }
    }
}
