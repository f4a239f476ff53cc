package org.jdatachannel.cli;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code serve}: runs {@link PeerServer} until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the signaling endpoints, the demo page and the interop page; answer data channels.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDR",
            description = "HTTP listen address (127.0.0.1 to serve this machine only). Default: ${DEFAULT-VALUE}")
    String bind;

    @Option(names = "--ice-address", paramLabel = "ADDR",
            description = "Restrict ICE to this local address (repeatable). Default: all non-loopback addresses.")
    List<String> iceAddresses = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        IceAddresses ice;
        InetSocketAddress address;
        try {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0..65535, got " + port);
            }
            ice = IceAddresses.of(iceAddresses);
            address = new InetSocketAddress(IceAddresses.parseLiteral(bind), port);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PeerServer server;
        try {
            server = new PeerServer(address, ice);
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
