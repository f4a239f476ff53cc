package org.jdatachannel.cli;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        IceAddresses ice = IceAddresses.of(iceAddresses);
        PeerServer server = new PeerServer(new InetSocketAddress(IceAddresses.parseLiteral(bind), port), ice);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "jdc-shutdown"));
        server.start();
        System.out.println("listening on http://" + server.address().getAddress().getHostAddress() + ":" + server.port() + "/");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
