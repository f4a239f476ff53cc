package org.jdatachannel.cli;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code connect}: runs {@link EchoTest} or {@link ThroughputTest} against a server, prints exactly
 * one JSON line on stdout and exits 0 only on success.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Connect to a jdatachannel server and run a test; prints one JSON line.")
final class ConnectCommand implements Callable<Integer> {

    /** The tests {@code --test} accepts. */
    enum TestName { echo, throughput }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, description = "Server URL, e.g. http://127.0.0.1:8080")
    URI url;

    @Option(names = "--test", required = true, description = "echo or throughput")
    TestName test;

    @Option(names = "--mib", defaultValue = "64", description = "MiB to send in the throughput test. Default: ${DEFAULT-VALUE}")
    int mib;

    @Option(names = "--answer", description = "Let the server offer (POST /session) and answer it.")
    boolean answer;

    @Option(names = "--ice-address", paramLabel = "ADDR",
            description = "Restrict ICE to this local address (repeatable). Default: all non-loopback addresses.")
    List<String> iceAddresses = new ArrayList<>();

    @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
            description = "Bound on the whole test. Default: ${DEFAULT-VALUE}")
    int timeoutSeconds;

    @Override
    public Integer call() {
        ObjectNode result = runTest();
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.println(result.toString());
        out.flush();
        return result.path("ok").asBoolean(false) ? 0 : 1;
    }

    /** Runs the selected test; argument errors become an {@code ok:false} result. */
    ObjectNode runTest() {
        try {
            if (timeoutSeconds < 1 || timeoutSeconds > 86_400) {
                throw new IllegalArgumentException("--timeout must be 1..86400 seconds, got " + timeoutSeconds);
            }
            ClientSession.Options o = new ClientSession.Options(url, answer, IceAddresses.of(iceAddresses),
                    Duration.ofSeconds(timeoutSeconds));
            new SignalingClient(url, Duration.ofSeconds(1)); // validates the URL
            return test == TestName.echo ? EchoTest.run(o) : ThroughputTest.run(o, mib);
        } catch (IllegalArgumentException e) {
            ObjectNode r = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            r.put("ok", false);
            r.put("test", test.name());
            r.putArray("errors").add(e.getMessage());
            return r;
        }
    }
}
