package org.jdatachannel.benchmarks.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical reference of the run: raw UDP over 127.0.0.1 through {@link DatagramChannel} (blocking,
 * direct buffers), one sender thread and one receiver thread. Sends only to the loopback address.
 */
final class RawUdp {
    private RawUdp() {
    }

    /**
     * One one-direction throughput round.
     *
     * @param mbPerS delivered payload MB/s (10^6 bytes/s) between the first and the last datagram received
     * @param sent datagrams sent
     * @param received datagrams received (the rest were dropped by the kernel: full receive buffer)
     * @param cpuMsPerMb process CPU ms per delivered MB
     */
    record Throughput(double mbPerS, long sent, long received, double cpuMsPerMb) {
    }

    /**
     * Sends {@code count} datagrams of {@code size} bytes as fast as the sender's socket takes them.
     *
     * @param size datagram payload, bytes (1..65507)
     * @param count datagrams
     * @param socketBuffer SO_SNDBUF/SO_RCVBUF asked for, bytes (the kernel caps it at wmem_max/rmem_max)
     */
    static Throughput throughput(int size, long count, int socketBuffer) throws IOException, InterruptedException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (DatagramChannel rx = DatagramChannel.open(); DatagramChannel tx = DatagramChannel.open()) {
            rx.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            rx.bind(new InetSocketAddress(lo, 0));
            tx.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
            tx.bind(new InetSocketAddress(lo, 0));
            tx.connect(rx.getLocalAddress());
            AtomicLong received = new AtomicLong();
            AtomicLong first = new AtomicLong();
            AtomicLong last = new AtomicLong();
            Thread reader = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(65536);
                try {
                    while (true) {
                        b.clear();
                        rx.receive(b);
                        long now = System.nanoTime();
                        if (received.getAndIncrement() == 0) {
                            first.set(now);
                        }
                        last.set(now);
                    }
                } catch (IOException e) {
                    // closed: the round is over
                }
            }, "e2e-udp-rx");
            reader.setDaemon(true);
            reader.start();
            ByteBuffer p = ByteBuffer.allocateDirect(size);
            long cpu0 = Meter.processCpuNanos();
            for (long i = 0; i < count; i++) {
                p.clear();
                tx.write(p);
            }
            // the reader drains what the kernel still holds; stop once it stayed idle for 200 ms
            long seen = -1;
            while (received.get() != seen && received.get() < count) {
                seen = received.get();
                Thread.sleep(200);
            }
            long cpu = Meter.processCpuNanos() - cpu0;
            rx.close();
            reader.join(5000);
            long n = received.get();
            double mb = n * (double) size / 1e6;
            double secs = Math.max(1, last.get() - first.get()) / 1e9;
            return new Throughput(n < 2 ? 0 : mb / secs, count, n, mb == 0 ? Double.NaN : cpu / 1e6 / mb);
        }
    }

    /**
     * Ping-pong over two sockets: one thread sends a datagram and waits for it to come back, an echo
     * thread returns each datagram to its sender. A datagram not back within 1 s counts as lost.
     *
     * @param size datagram payload, bytes
     * @param warmup round trips not recorded
     * @param samples round trips recorded
     * @return round-trip times in µs (only those that came back) and the number lost
     */
    static PingPong pingPong(int size, int warmup, int samples) throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (DatagramChannel echo = DatagramChannel.open(); DatagramChannel ping = DatagramChannel.open();
                Selector sel = Selector.open()) {
            echo.bind(new InetSocketAddress(lo, 0));
            ping.bind(new InetSocketAddress(lo, 0));
            ping.connect(echo.getLocalAddress());
            ping.configureBlocking(false);
            ping.register(sel, SelectionKey.OP_READ);
            Thread echoer = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(65536);
                try {
                    while (true) {
                        b.clear();
                        SocketAddress from = echo.receive(b);
                        b.flip();
                        echo.send(b, from);
                    }
                } catch (ClosedChannelException e) {
                    // done
                } catch (IOException e) {
                    // done
                }
            }, "e2e-udp-echo");
            echoer.setDaemon(true);
            echoer.start();
            ByteBuffer out = ByteBuffer.allocateDirect(size);
            ByteBuffer in = ByteBuffer.allocateDirect(65536);
            double[] rtt = new double[samples];
            int n = 0;
            int lost = 0;
            for (int i = 0; i < warmup + samples; i++) {
                out.clear();
                long t0 = System.nanoTime();
                ping.write(out);
                boolean back = false;
                while (!back) {
                    if (sel.select(1000) == 0) {
                        break;
                    }
                    sel.selectedKeys().clear();
                    in.clear();
                    back = ping.read(in) > 0;
                }
                long t = System.nanoTime() - t0;
                if (!back) {
                    lost++;
                } else if (i >= warmup) {
                    rtt[n++] = t / 1e3;
                }
            }
            echo.close();
            try {
                echoer.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new PingPong(Stats.dist(rtt, n), lost);
        }
    }

    /**
     * @param rttUs round-trip time distribution, µs
     * @param lost round trips that did not come back within 1 s
     */
    record PingPong(Stats.Dist rttUs, int lost) {
    }
}
