package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Java⇄Java through the CLI's signaling protocol, in-process, over 127.0.0.1 only (the server
 * and the client both restrict ICE to it): the echo test through the real {@code connect} command
 * line, and a 16 MiB throughput test, in both offer/answer directions.
 */
@Timeout(120)
class JavaJavaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PeerServer server;
    private static String url;

    @BeforeAll
    static void startServer() throws Exception {
        server = new PeerServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                IceAddresses.of(List.of("127.0.0.1")));
        server.start();
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Runs {@code connect} through picocli exactly as {@code java -jar} would (minus System.exit). */
    private static JsonNode connect(String... extra) throws Exception {
        StringWriter out = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        String[] args = new String[5 + extra.length];
        args[0] = "connect";
        args[1] = "--url=" + url;
        args[2] = "--ice-address=127.0.0.1";
        args[3] = "--timeout=60";
        args[4] = "--mib=16";
        System.arraycopy(extra, 0, args, 5, extra.length);
        int code = cl.execute(args);
        String[] lines = out.toString().strip().split("\n");
        assertEquals(1, lines.length, "connect prints exactly one line, got: " + out);
        JsonNode r = JSON.readTree(lines[0]);
        assertEquals(r.path("ok").asBoolean() ? 0 : 1, code, "exit code matches ok: " + r);
        return r;
    }

    @ParameterizedTest(name = "echo, client answers={0}")
    @ValueSource(booleans = {false, true})
    void echoThroughTheCommandLine(boolean answer) throws Exception {
        JsonNode r = answer ? connect("--test=echo", "--answer") : connect("--test=echo");
        System.out.println("echo result: " + r);
        assertTrue(r.path("ok").asBoolean(), () -> "echo failed: " + r);
        assertEquals("echo", r.path("test").asText());
        assertEquals(answer ? "answer" : "offer", r.path("role").asText());
        assertEquals(Scenario.HELLO_TEXT, r.path("hello").asText());
        assertEquals(Scenario.echoMessages().size(), r.path("messages").asInt());
        assertTrue(r.path("setupMs").asLong(-1) >= 0, () -> "setupMs recorded: " + r);
    }

    @ParameterizedTest(name = "throughput 16 MiB, client answers={0}")
    @ValueSource(booleans = {false, true})
    void throughput16MiB(boolean answer) {
        JsonNode r = ThroughputTest.run(new ClientSession.Options(URI.create(url), answer,
                IceAddresses.of(List.of("127.0.0.1")), Duration.ofSeconds(90)), 16);
        System.out.println("throughput result: " + r);
        System.out.printf("THROUGHPUT role=%s: %.2f MB/s over %d bytes, setup %d ms%n", r.path("role").asText(),
                r.path("mbPerSec").asDouble(), r.path("bytes").asLong(), r.path("setupMs").asLong());
        assertTrue(r.path("ok").asBoolean(), () -> "throughput failed: " + r);
        assertEquals(16L << 20, r.path("bytes").asLong());
        assertEquals((16L << 20) / ThroughputTest.MESSAGE_SIZE, r.path("messages").asLong());
        assertTrue(r.path("mbPerSec").asDouble() > 0, () -> "a positive rate: " + r);
    }

    @Test
    void connectToANonListeningPortFailsWithJsonWithinTheTimeout() throws Exception {
        StringWriter out = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        long t0 = System.nanoTime();
        // Port 9 on loopback: nothing listens there in the test environment; connection refused.
        int code = cl.execute("connect", "--url=http://127.0.0.1:9", "--test=echo", "--ice-address=127.0.0.1",
                "--timeout=10");
        JsonNode r = JSON.readTree(out.toString().strip());
        assertEquals(1, code);
        assertEquals(false, r.path("ok").asBoolean());
        assertTrue(r.path("errors").size() > 0, () -> "errors say why: " + r);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos(), "bounded by --timeout");
    }

    @Test
    void badArgumentsGiveOkFalse() throws Exception {
        StringWriter out = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute("connect", "--url=" + url, "--test=echo", "--ice-address=not-an-ip");
        JsonNode r = JSON.readTree(out.toString().strip());
        assertEquals(1, code);
        assertTrue(r.path("errors").get(0).asText().contains("not-an-ip"), () -> r.toString());
    }
}
