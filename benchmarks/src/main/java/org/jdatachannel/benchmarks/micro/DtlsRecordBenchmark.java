package org.jdatachannel.benchmarks.micro;

import java.io.IOException;
import java.lang.reflect.Method;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.BasicTlsPSKIdentity;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.PSKTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsPSKIdentityManager;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
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
 * The DTLS 1.2 record layer of Bouncy Castle ({@link DTLSTransport#send} and
 * {@link DTLSTransport#receive}) between two connected transports over an in-memory link
 * ({@link MemoryDatagrams}), with dtls' {@code JdkTlsCrypto} (the JDK's AES-GCM and
 * ChaCha20-Poly1305, what the stack uses) against Bouncy Castle's lightweight {@link BcTlsCrypto}.
 * Unlike {@code DtlsCryptoBenchmark} (the bare AEAD) this includes everything Bouncy Castle does per
 * record: the 13-byte header, nonce and additional data, its buffers, the replay window and epoch
 * checks.
 *
 * <ul>
 * <li>{@link #seal}: the client sends one record of {@code size} plaintext bytes (encrypt, frame,
 *     hand the datagram to the link);</li>
 * <li>{@link #sealOpen}: the same, then the server receives it (record parse, replay check,
 *     decrypt, copy out). Open alone costs about {@code 1/sealOpen - 1/seal} per record: every
 *     record must be fresh (the replay window drops a record seen before), so it cannot be
 *     measured without a seal.</li>
 * </ul>
 *
 * <p>The handshake (in {@link #setUp}, not measured) uses a pre-shared key (TLS_PSK_WITH_*, RFC
 * 4279/5487/7905) to keep certificates out of the benchmark; the record layer depends only on the
 * negotiated AEAD, which is the same as with the ECDHE_ECDSA suites WebRTC negotiates:
 * {@code AES_128_GCM} (RFC 5288: 8-byte explicit nonce, 16-byte tag, 37 bytes of overhead per
 * record) and {@code CHACHA20_POLY1305} (RFC 7905: no explicit nonce, 29 bytes).
 * {@code rxLimit} is what the link reports as its receive limit: {@code MAX} = 2^14 + 512 as dtls'
 * {@code DemuxTransport} does today, {@code FIT} = size + 64 bytes; Bouncy Castle 1.84 allocates a
 * buffer of that size per received record, which {@code -prof gc} shows.
 *
 * <p>Sizes: 200 B (a SACK-sized SCTP packet), 1191 B (a full SCTP packet at the default MTU), 16384
 * B (the largest record). Score: records per microsecond (× size = MB/s); with {@code -prof gc},
 * bytes allocated per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xbatch")
public class DtlsRecordBenchmark {
    /** Crypto providers compared. */
    public enum Crypto { JDK, BC }

    /** Record AEADs (PSK suites with the same record protection as WebRTC's ECDHE_ECDSA ones). */
    public enum Suite {
        AES_128_GCM(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256),
        CHACHA20_POLY1305(CipherSuite.TLS_PSK_WITH_CHACHA20_POLY1305_SHA256);

        final int code;

        Suite(int code) {
            this.code = code;
        }
    }

    /** Receive limit the link reports, see the class comment. */
    public enum RxLimit { MAX, FIT }

    @Param({"JDK", "BC"})
    public Crypto crypto;

    @Param({"AES_128_GCM", "CHACHA20_POLY1305"})
    public Suite suite;

    @Param({"200", "1191", "16384"})
    public int size;

    @Param({"MAX"})
    public RxLimit rxLimit;

    private DTLSTransport client;
    private DTLSTransport server;
    private MemoryDatagrams[] link;
    private byte[] plaintext;
    private byte[] received;

    /** Connects a client and a server over the in-memory link (two threads, at most 30 s). */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        link = MemoryDatagrams.pair();
        int receiveLimit = rxLimit == RxLimit.MAX ? MemoryDatagrams.MAX : size + 64;
        byte[] psk = new byte[32];
        new SplittableRandom(5).nextBytes(psk);
        byte[] identity = "bench".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<DTLSTransport> s = pool.submit(() -> new DTLSServerProtocol().accept(
                    new Server(crypto(), suite.code, psk), bcTransport(link[1], receiveLimit)));
            Future<DTLSTransport> c = pool.submit(() -> new DTLSClientProtocol().connect(
                    new Client(crypto(), suite.code, identity, psk), bcTransport(link[0], receiveLimit)));
            client = c.get(30, TimeUnit.SECONDS);
            server = s.get(30, TimeUnit.SECONDS);
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
    public void tearDown() throws IOException {
        client.close();
        server.close();
    }

    /** One record sealed by the client and handed to the link. */
    @Benchmark
    public void seal() throws IOException {
        client.send(plaintext, 0, size);
    }

    /**
     * @return plaintext bytes received: one record sealed by the client, then opened by the server
     */
    @Benchmark
    public int sealOpen() throws IOException {
        client.send(plaintext, 0, size);
        return server.receive(received, 0, received.length, 1000);
    }

    byte[] received() {
        return received;
    }

    byte[] plaintext() {
        return plaintext;
    }

    /** @return a fresh crypto object of the selected provider */
    TlsCrypto crypto() {
        return crypto == Crypto.BC ? new BcTlsCrypto(new SecureRandom()) : jdkTlsCrypto();
    }

    /**
     * dtls' package-private {@code JdkTlsCrypto.create()}, reached reflectively.
     *
     * @throws IllegalStateException if that class changed shape (the benchmark needs updating)
     */
    static TlsCrypto jdkTlsCrypto() {
        try {
            Method m = Class.forName("org.jdatachannel.dtls.JdkTlsCrypto").getDeclaredMethod("create");
            m.setAccessible(true);
            return (TlsCrypto) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create dtls' JdkTlsCrypto: " + e, e);
        }
    }

    static DatagramTransport bcTransport(MemoryDatagrams d, int receiveLimit) {
        return new DatagramTransport() {
            @Override
            public int getReceiveLimit() {
                return receiveLimit;
            }

            @Override
            public int getSendLimit() {
                return MemoryDatagrams.MAX;
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                return d.receive(buf, off, len, waitMillis);
            }

            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                d.send(buf, off, len);
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }

    /** DTLS 1.2 PSK client offering one suite. */
    static final class Client extends PSKTlsClient {
        private final int suite;

        Client(TlsCrypto crypto, int suite, byte[] identity, byte[] psk) {
            super(crypto, new BasicTlsPSKIdentity(identity, psk));
            this.suite = suite;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return new int[] {suite};
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return 30_000;
        }
    }

    /** DTLS 1.2 PSK server accepting one suite and one key. */
    static final class Server extends PSKTlsServer {
        private final int suite;

        Server(TlsCrypto crypto, int suite, byte[] psk) {
            super(crypto, new TlsPSKIdentityManager() {
                @Override
                public byte[] getHint() {
                    return null;
                }

                @Override
                public byte[] getPSK(byte[] identity) {
                    return psk.clone();
                }
            });
            this.suite = suite;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return new int[] {suite};
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return 30_000;
        }
    }
}
