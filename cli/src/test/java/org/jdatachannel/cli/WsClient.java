package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A test client of the room signaling ({@link Rooms}) over the JDK's {@link WebSocket}: collects
 * every JSON message it receives; waits are bounded.
 */
final class WsClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<JsonNode> queue;
    /** The close status the server sent (-1 on an error). */
    final CompletableFuture<Integer> closeCode;
    private final WebSocket ws;

    private WsClient(WebSocket ws, BlockingQueue<JsonNode> queue, CompletableFuture<Integer> closeCode) {
        this.ws = ws;
        this.queue = queue;
        this.closeCode = closeCode;
    }

    /** Connects to {@code ws://127.0.0.1:port/ws} plus {@code query} (may be empty). */
    static WsClient connect(int port, String query) throws Exception {
        HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        StringBuilder text = new StringBuilder();
        BlockingQueue<JsonNode> early = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    try {
                        early.add(JSON.readTree(text.toString()));
                    } catch (Exception e) {
                        early.add(JSON.createObjectNode().put("type", "client-parse-error").put("text", text.toString()));
                    }
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete(-1);
            }
        };
        WebSocket ws = http.newWebSocketBuilder().connectTimeout(WAIT)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), listener)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return new WsClient(ws, early, closed);
    }

    /** Sends one message and waits until it is written (the JDK allows one send at a time: serialized). */
    synchronized void send(String text) throws Exception {
        ws.sendText(text, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    void send(ObjectNode message) throws Exception {
        send(message.toString());
    }

    static ObjectNode msg(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    /** The next message, failing the test if none comes within {@link #WAIT}. */
    JsonNode next() throws InterruptedException {
        JsonNode n = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(n, "no WebSocket message within " + WAIT);
        return n;
    }

    /** The next message, or null if none comes within {@code wait}. */
    JsonNode poll(Duration wait) throws InterruptedException {
        return queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message of {@code type}, skipping others; fails after {@link #WAIT}. */
    JsonNode next(String type) throws InterruptedException {
        return next(n -> type.equals(n.path("type").asText()), type);
    }

    JsonNode next(Predicate<JsonNode> what, String description) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            JsonNode n = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
            if (n == null) {
                fail("no '" + description + "' message within " + WAIT);
            }
            if (what.test(n)) {
                return n;
            }
        }
    }

    /** Sends a ping and returns every message received before its pong (proves nothing else is queued). */
    java.util.List<JsonNode> drainWithPing() throws Exception {
        send(msg("ping"));
        java.util.List<JsonNode> before = new java.util.ArrayList<>();
        while (true) {
            JsonNode n = next();
            if (n.path("type").asText().equals("pong")) {
                return before;
            }
            before.add(n);
        }
    }

    @Override
    public void close() {
        ws.abort();
    }

    void closeNormally() throws Exception {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
