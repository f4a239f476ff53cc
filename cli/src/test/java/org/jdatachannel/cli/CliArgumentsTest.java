package org.jdatachannel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

import org.junit.jupiter.api.Test;

/** Command-line parsing: bad arguments are reported with usage and status 2, never a stack trace. */
class CliArgumentsTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void noSubcommandIsAUsageError() {
        Run r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing subcommand"), r.err());
    }

    @Test
    void servePortOutOfRange() {
        Run r = run("serve", "--port=70000");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--port must be 0..65535, got 70000"), r.err());
    }

    @Test
    void serveValidatesIceServerOptions() {
        Run noCredentials = run("serve", "--port=0", "--bind=127.0.0.1", "--turn=turn:turn.example.org");
        assertEquals(2, noCredentials.code());
        assertTrue(noCredentials.err().contains("--turn needs --turn-secret, or --turn-username and --turn-credential"),
                noCredentials.err());
        Run both = run("serve", "--port=0", "--bind=127.0.0.1", "--turn=turn:turn.example.org", "--turn-secret=s",
                "--turn-username=u", "--turn-credential=c");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("exclude each other"), both.err());
        Run badLifetime = run("serve", "--port=0", "--bind=127.0.0.1", "--turn=turn:turn.example.org", "--turn-secret=s",
                "--turn-credential-lifetime=0");
        assertEquals(2, badLifetime.code());
        assertTrue(badLifetime.err().contains("lifetime"), badLifetime.err());
        Run straySecret = run("serve", "--port=0", "--bind=127.0.0.1", "--turn-secret=s");
        assertEquals(2, straySecret.code());
        assertTrue(straySecret.err().contains("without --turn"), straySecret.err());
        Run relayWithoutTurn = run("serve", "--port=0", "--bind=127.0.0.1", "--stun=stun:stun.example.org", "--relay-only");
        assertEquals(2, relayWithoutTurn.code());
        assertTrue(relayWithoutTurn.err().contains("--relay-only needs a --turn server"), relayWithoutTurn.err());
        Run badUrl = run("serve", "--port=0", "--bind=127.0.0.1", "--stun=http://stun.example.org");
        assertEquals(2, badUrl.code());
        assertTrue(badUrl.err().contains("http://stun.example.org"), badUrl.err());
        Run strayCredential = run("serve", "--port=0", "--bind=127.0.0.1", "--turn-username=u");
        assertEquals(2, strayCredential.code());
        assertTrue(strayCredential.err().contains("without --turn"), strayCredential.err());
    }

    @Test
    void serveRejectsHostNamesForIceAddresses() {
        Run r = run("serve", "--port=0", "--ice-address=localhost");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'localhost'"), r.err());
    }

    @Test
    void connectNeedsUrlAndTest() {
        Run r = run("connect", "--test=echo");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--url"), r.err());
        Run bad = run("connect", "--url=http://127.0.0.1:9", "--test=nonsense");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("nonsense"), bad.err());
    }

    @Test
    void connectRejectsNonHttpUrlsWithJson() {
        Run r = run("connect", "--url=ftp://127.0.0.1/", "--test=echo");
        assertEquals(1, r.code());
        assertTrue(r.out().startsWith("{\"ok\":false"), r.out());
        assertTrue(r.out().contains("http"), r.out());
    }

    @Test
    void helpListsBothCommands() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("serve") && r.out().contains("connect"), r.out());
    }
}
