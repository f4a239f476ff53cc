package org.jdatachannel.cli;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.jdatachannel.ice.IceServer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code serve}: runs {@link PeerServer} until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the signaling endpoints (HTTP, and WebSocket rooms on /ws), the demo page and the interop page;"
                + " answer data channels.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDR",
            description = "HTTP listen address (127.0.0.1 to serve this machine only). Default: ${DEFAULT-VALUE}")
    String bind;

    @Option(names = "--allowed-host", paramLabel = "NAME",
            description = "A host name under which pages may reach this server (repeatable), e.g. demo.example.org;"
                    + " IP addresses and localhost always work. Requests naming another host get 403 (DNS rebinding).")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--ice-address", paramLabel = "ADDR",
            description = "Restrict ICE to this local address (repeatable). Default: all non-loopback addresses.")
    List<String> iceAddresses = new ArrayList<>();

    @Option(names = "--stun", paramLabel = "URL",
            description = "STUN server for the server's and the pages' peer connections (repeatable), e.g. stun:stun.example.org:3478.")
    List<String> stun = new ArrayList<>();

    @Option(names = "--turn", paramLabel = "URL",
            description = "TURN server for the server's and the pages' peer connections (repeatable), e.g. turn:turn.example.org?transport=udp;"
                    + " needs --turn-secret (preferred) or --turn-username and --turn-credential.")
    List<String> turn = new ArrayList<>();

    @Option(names = "--turn-secret", paramLabel = "SECRET",
            description = "Secret shared with the --turn servers (coturn --use-auth-secret --static-auth-secret=SECRET):"
                    + " every page and every server peer connection gets its own time-limited credential (TURN REST API).")
    String turnSecret;

    @Option(names = "--turn-credential-lifetime", paramLabel = "SECONDS", defaultValue = "3600",
            description = "How long a credential made from --turn-secret is valid, in seconds. Default: ${DEFAULT-VALUE}")
    long turnCredentialLifetime;

    @Option(names = "--turn-username", paramLabel = "NAME",
            description = "Static username for the --turn servers; given with --turn-credential to EVERY page that asks"
                    + " (GET /config.json): prefer --turn-secret.")
    String turnUsername;

    @Option(names = "--turn-credential", paramLabel = "PASSWORD", description = "Credential for the --turn servers.")
    String turnCredential;

    @Option(names = "--relay-only",
            description = "Use only TURN-relayed candidates, in the server and the pages (iceTransportPolicy relay); needs --turn.")
    boolean relayOnly;

    @Spec
    CommandSpec spec;

    /** The ICE servers the options name, validated. */
    IceSetup iceSetup() {
        List<IceServer> servers = new ArrayList<>();
        for (String url : stun) {
            servers.add(IceServer.stun(url));
        }
        TurnRestSecret secret = null;
        if (turnSecret != null && (turnUsername != null || turnCredential != null)) {
            throw new IllegalArgumentException("--turn-secret and --turn-username/--turn-credential exclude each other");
        }
        if (!turn.isEmpty()) {
            if (turnSecret != null) {
                secret = new TurnRestSecret(turn, turnSecret, java.time.Duration.ofSeconds(turnCredentialLifetime));
            } else if (turnUsername == null || turnCredential == null) {
                throw new IllegalArgumentException("--turn needs --turn-secret, or --turn-username and --turn-credential");
            } else {
                servers.add(new IceServer(turn, turnUsername, turnCredential));
            }
        } else if (turnUsername != null || turnCredential != null || turnSecret != null) {
            throw new IllegalArgumentException("--turn-secret/--turn-username/--turn-credential given without --turn");
        }
        return new IceSetup(servers, secret, relayOnly);
    }

    @Override
    public Integer call() throws Exception {
        IceAddresses ice;
        IceSetup iceSetup;
        InetSocketAddress address;
        HostCheck hosts;
        try {
            hosts = new HostCheck(allowedHosts);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0..65535, got " + port);
            }
            ice = IceAddresses.of(iceAddresses);
            iceSetup = iceSetup();
            address = new InetSocketAddress(IceAddresses.parseLiteral(bind), port);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PeerServer server;
        try {
            server = new PeerServer(address, ice, iceSetup, hosts);
        } catch (java.net.BindException e) {
            spec.commandLine().getErr().println("cannot listen on " + bind + ":" + port + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "jdc-shutdown"));
        server.start();
        server.warmUpInBackground();
        System.out.println("listening on http://" + server.address().getAddress().getHostAddress() + ":" + server.port() + "/");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
