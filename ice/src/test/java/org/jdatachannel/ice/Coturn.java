package org.jdatachannel.ice;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support: Debian's coturn ({@code /usr/bin/turnserver}, installed by {@code .ci/run}) on
 * 127.0.0.1 only, with a temporary directory for its log and pid file, long-term credentials for
 * one static user, loopback peers allowed (both relay ends are on 127.0.0.1), no TLS/DTLS and no
 * CLI. Not daemonized: {@link #close()} ends the process.
 */
public final class Coturn implements AutoCloseable {
    /** The static user's name. */
    public static final String USER = "jdc";
    /** The static user's password. */
    public static final String PASSWORD = "jdc-secret";
    /** The realm. */
    public static final String REALM = "jdc.test";
    private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");

    private final Process process;
    private final Path dir;
    private final Path log;
    private final int port;

    private Coturn(Process process, Path dir, Path log, int port) {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts coturn on a free 127.0.0.1 port and waits (up to 10 s) until its UDP listener is open.
     * The port is found free and released before coturn binds it, so another process may take it
     * in between: when coturn's log reports a bind failure, it is stopped and started again on
     * another port (up to 8 ports).
     *
     * @return the running server
     * @throws IOException if turnserver is missing or does not start
     */
    public static Coturn start() throws IOException, InterruptedException {
        if (!Files.isExecutable(TURNSERVER)) {
            throw new IllegalStateException(TURNSERVER + " is missing: install Debian's coturn (.ci/run does)");
        }
        return start(Coturn::freePort);
    }

    /** A source of candidate ports. */
    @FunctionalInterface
    interface PortSource {
        int next() throws IOException;
    }

    /** {@link #start()} with the ports to try taken from {@code ports}. */
    static Coturn start(PortSource ports) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                return startOn(ports.next());
            } catch (PortTakenException e) {
                // freePort() releases the port before coturn binds it; someone took it meanwhile.
                last = e;
            }
        }
        throw last;
    }

    /** Ports tried before giving up. */
    private static final int ATTEMPTS = 8;

    /** coturn could not bind its port (it keeps retrying the bind forever; we stop it and pick another). */
    static final class PortTakenException extends IOException {
        PortTakenException(String message) {
            super(message);
        }
    }

    /** Whether coturn's log says it cannot bind a listener (errno 98, EADDRINUSE: it retries forever). */
    static boolean logShowsBindFailure(String log) {
        return log.contains("Cannot bind") || log.contains("errno=98");
    }

    /** Starts coturn on {@code port}; PortTakenException (fast, not after the 10 s) if it cannot bind it. */
    static Coturn startOn(int port) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jdc-coturn");
        Path log = dir.resolve("turn.log");
        List<String> cmd = new ArrayList<>(List.of(TURNSERVER.toString(), "-n",
                "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
                "--lt-cred-mech", "--user=" + USER + ":" + PASSWORD, "--realm=" + REALM,
                "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--no-stdout-log",
                "--log-file=" + log, "--simple-log", "--pidfile=" + dir.resolve("turn.pid"), "--verbose"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        Coturn c = new Coturn(p, dir, log, port);
        String ready = "UDP listener opened on: 127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.log().contains(ready)) {
            if (logShowsBindFailure(c.log())) {
                String why = c.log();
                c.close();
                throw new PortTakenException("turnserver cannot bind port " + port + ":\n" + why);
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String why = c.log();
                c.close();
                throw new IOException("turnserver did not start on port " + port + ":\n" + why);
            }
            Thread.sleep(20); // polling for the listener with a deadline
        }
        return c;
    }

    private static int freePort() throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < 20; i++) {
            try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(lo, 0))) {
                int port = u.getLocalPort();
                try (ServerSocket t = new ServerSocket(port, 1, lo)) {
                    return port;
                } catch (IOException busy) {
                    // TCP port taken: try another
                }
            }
        }
        throw new IOException("no free port for turnserver");
    }

    /** @return the listening port on 127.0.0.1 (UDP and TCP) */
    public int port() {
        return port;
    }

    /** @return {@code turn:127.0.0.1:<port>?transport=udp} with the static user's credentials */
    public IceServer turnServer() {
        return IceServer.turn("turn:127.0.0.1:" + port + "?transport=udp", USER, PASSWORD);
    }

    /** @return {@code stun:127.0.0.1:<port>} */
    public IceServer stunServer() {
        return IceServer.stun("stun:127.0.0.1:" + port);
    }

    /** @return the log so far (empty if none yet) */
    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Ends the process (SIGTERM, then SIGKILL after 5 s) and deletes the temporary directory. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // leave the temp dir behind
        }
    }
}
