package org.jdatachannel.benchmarks.micro;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.dtls.DtlsCertificate;
import org.jdatachannel.dtls.DtlsRole;
import org.jdatachannel.dtls.DtlsTransport;
import org.jdatachannel.dtls.PacketTransport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stack's own DTLS path, {@link DtlsTransport#send} and {@link DtlsTransport#receive} (the
 * blocking pull API), between a client and a server connected by {@link DtlsTransport#connect}
 * (ECDSA P-256 certificates, fingerprints checked, the WebRTC profile: ECDHE_ECDSA with
 * AES-128-GCM, extended master secret) over an in-memory {@link PacketTransport}
 * ({@link MemoryDatagrams}). Compared with {@link DtlsRecordBenchmark}'s bare Bouncy Castle record
 * layer this adds what dtls puts around it: the RFC 7983 demultiplexer and the record filter
 * (DemuxTransport), NextEpochBuffer, FlightPacker, the receive lock and the copy out of
 * DtlsTransport's buffer. {@link #send} seals one record; {@link #sendReceive} also receives it on
 * the server through the pull API; {@link #sendHandle} hands it to the server's push API instead
 * ({@link DtlsTransport#handleDatagram}, what the event loop calls per datagram, the plaintext
 * going to a sink). Sizes as in {@link DtlsRecordBenchmark}. Score: records per microsecond; with
 * {@code -prof gc}, bytes allocated per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xbatch")
public class DtlsStackBenchmark {
    @Param({"200", "1191", "16384"})
    public int size;

    private DtlsTransport client;
    private DtlsTransport server;
    private MemoryDatagrams[] link;
    private byte[] plaintext;
    private byte[] received;
    private final byte[] datagram = new byte[MemoryDatagrams.MAX];
    private int handled;
    private final DtlsTransport.ApplicationDataSink sink = (buf, off, len) -> {
        System.arraycopy(buf, off, received, 0, len);
        handled = len;
    };

    /** Generates two certificates and connects (two threads, at most 30 s). */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        link = MemoryDatagrams.pair();
        DtlsCertificate clientCert = DtlsCertificate.generate();
        DtlsCertificate serverCert = DtlsCertificate.generate();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<DtlsTransport> s = pool.submit(() -> DtlsTransport.connect(DtlsRole.SERVER, packets(link[1]),
                    serverCert, List.of(Map.entry("sha-256", clientCert.fingerprint("sha-256"))), 30_000));
            Future<DtlsTransport> c = pool.submit(() -> DtlsTransport.connect(DtlsRole.CLIENT, packets(link[0]),
                    clientCert, List.of(Map.entry("sha-256", serverCert.fingerprint("sha-256"))), 30_000));
            client = c.get(40, TimeUnit.SECONDS);
            server = s.get(40, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        link[0].benchMode();
        link[1].benchMode();
        plaintext = new byte[size];
        new SplittableRandom(9).nextBytes(plaintext);
        received = new byte[Math.max(server.getReceiveLimit(), size)];
        if (client.getSendLimit() < size) {
            throw new IllegalStateException("send limit " + client.getSendLimit() + " < " + size);
        }
    }

    /** Closes both ends. */
    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        server.close();
    }

    /** One record sealed by the client and handed to the link. */
    @Benchmark
    public void send() throws IOException {
        client.send(plaintext, 0, size);
    }

    /** @return plaintext bytes received: one record sent by the client, received by the server */
    @Benchmark
    public int sendReceive() throws IOException {
        client.send(plaintext, 0, size);
        return server.receive(received, 0, received.length, 1000);
    }

    /**
     * @return plaintext bytes handed to the sink: one record sent by the client, its datagram given
     *     to the server's {@link DtlsTransport#handleDatagram} (a trial uses either this or
     *     {@link #sendReceive}: after the first push call the pull API is closed)
     */
    @Benchmark
    public int sendHandle() throws IOException {
        client.send(plaintext, 0, size);
        int n = link[1].take(datagram);
        handled = -1;
        server.handleDatagram(datagram, 0, n, sink);
        return handled;
    }

    byte[] received() {
        return received;
    }

    byte[] plaintext() {
        return plaintext;
    }

    static PacketTransport packets(MemoryDatagrams d) {
        return new PacketTransport() {
            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                d.send(buf, off, len);
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                return d.receive(buf, off, len, waitMillis);
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }
}
