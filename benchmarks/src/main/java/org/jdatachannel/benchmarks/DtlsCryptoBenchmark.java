package org.jdatachannel.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;
import org.bouncycastle.tls.crypto.impl.bc.BcChaCha20Poly1305;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * DTLS 1.2 record protection, JDK vs Bouncy Castle lightweight: seal (encrypt + tag) and open
 * (verify + decrypt) of one record's payload with AES-128-GCM (RFC 5288) and ChaCha20-Poly1305
 * (RFC 7905), at 200 B (a SACK-sized SCTP packet), 1191 B (a full SCTP packet at the default MTU)
 * and 16384 B (the largest TLS plaintext record).
 *
 * <p>Each variant is the very {@link TlsAEADCipherImpl} Bouncy Castle's {@code TlsAEADCipher} calls
 * per record, driven the same way: {@code init(nonce, 16)} with a fresh per-record nonce (GCM: 4-byte
 * implicit salt + 8-byte explicit part, RFC 5288 §3; ChaCha20: 12-byte IV XOR the sequence number,
 * RFC 7905 §2), then {@code doFinal} with the 13-byte DTLS additional data (epoch + sequence number,
 * type, version, length; RFC 6347 §4.1.2.1):
 * <ul>
 * <li>{@code jdk} AES-GCM: Bouncy Castle's JCA adapter on the JDK's {@code AES/GCM/NoPadding}
 *     (SunJCE, AES-NI/CLMUL intrinsics), created as {@code JcaTlsCrypto} creates it, which is what
 *     {@code dtls}' {@code JdkTlsCrypto} uses;</li>
 * <li>{@code jdk} ChaCha20-Poly1305: {@code dtls}' own adapter on the JDK's
 *     {@code ChaCha20-Poly1305} (the class {@code JdkTlsCrypto} uses, reached reflectively);</li>
 * <li>{@code bc} AES-GCM: Bouncy Castle's {@code BcTlsAEADCipherImpl} over
 *     {@code GCMBlockCipher.newInstance(AESEngine.newInstance())}, as {@code BcTlsCrypto} builds it;</li>
 * <li>{@code bc} ChaCha20-Poly1305: Bouncy Castle's {@link BcChaCha20Poly1305}.</li>
 * </ul>
 * Open cycles through 64 records sealed beforehand (distinct nonces, as on the wire).
 *
 * <p>Run: {@code java -cp ... org.jdatachannel.benchmarks.DtlsCryptoBenchmark [--mode cpu|jmh] [--out FILE]}
 * prints MB/s per cell, JDK vs BC, and writes JSON (see benchmarks/README.md); {@code cpu} (default)
 * counts the measuring thread's CPU time, which a loaded machine disturbs far less than wall time;
 * {@code jmh} (or {@link RunBenchmarks}) is the usual JMH run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DtlsCryptoBenchmark {
    /** Record AEADs used by WebRTC DTLS 1.2 suites (ECDHE_*_WITH_AES_128_GCM_SHA256, ..._CHACHA20_POLY1305). */
    public enum Aead {
        AES_128_GCM(16, 4), CHACHA20_POLY1305(32, 12);

        final int keyBytes;
        final int fixedIvBytes;

        Aead(int keyBytes, int fixedIvBytes) {
            this.keyBytes = keyBytes;
            this.fixedIvBytes = fixedIvBytes;
        }
    }

    /** Implementations compared. */
    public enum Impl {
        /** JDK providers (what the dtls module uses). */
        JDK,
        /** Bouncy Castle's lightweight (pure Java) engines. */
        BC
    }

    static final int TAG = 16;
    static final int RECORDS = 64;

    @Param({"AES_128_GCM", "CHACHA20_POLY1305"})
    public Aead aead;

    @Param({"JDK", "BC"})
    public Impl impl;

    @Param({"200", "1191", "16384"})
    public int size;

    private TlsAEADCipherImpl sealer;
    private TlsAEADCipherImpl opener;
    private byte[] fixedIv;
    private byte[] plaintext;
    private byte[] out;
    private long seq;
    private byte[][] nonces;
    private byte[][] aads;
    private byte[][] sealed;
    private int next;

    /** Keys both directions, prepares the plaintext and 64 sealed records for {@link #open()}. */
    @Setup
    public void setUp() throws IOException {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[] key = new byte[aead.keyBytes];
        rnd.nextBytes(key);
        fixedIv = new byte[aead.fixedIvBytes];
        rnd.nextBytes(fixedIv);
        plaintext = new byte[size];
        rnd.nextBytes(plaintext);
        out = new byte[size + TAG];
        sealer = create(aead, impl, true);
        sealer.setKey(key, 0, key.length);
        opener = create(aead, impl, false);
        opener.setKey(key, 0, key.length);
        TlsAEADCipherImpl prep = create(aead, impl, true);
        prep.setKey(key, 0, key.length);
        nonces = new byte[RECORDS][];
        aads = new byte[RECORDS][];
        sealed = new byte[RECORDS][];
        for (int i = 0; i < RECORDS; i++) {
            long s = (1L << 48) | (1000 + i); // epoch 1
            nonces[i] = nonce(aead, fixedIv, s);
            aads[i] = additionalData(s, size);
            sealed[i] = new byte[size + TAG];
            prep.init(nonces[i], TAG);
            prep.doFinal(aads[i], plaintext, 0, size, sealed[i], 0);
        }
        seq = 1L << 48; // epoch 1, sequence 0
    }

    /** @return bytes written: one record's plaintext sealed under the next sequence number */
    @Benchmark
    public int seal() throws IOException {
        long s = seq++;
        sealer.init(nonce(aead, fixedIv, s), TAG);
        return sealer.doFinal(additionalData(s, size), plaintext, 0, size, out, 0);
    }

    /** @return bytes written: one sealed record verified and decrypted */
    @Benchmark
    public int open() throws IOException {
        int i = next;
        next = (i + 1) % RECORDS;
        opener.init(nonces[i], TAG);
        return opener.doFinal(aads[i], sealed[i], 0, size + TAG, out, 0);
    }

    /**
     * The per-record nonce: GCM = implicit salt (4 bytes) || explicit nonce (8 bytes, here the
     * sequence number, RFC 5288 §3); ChaCha20 = IV (12 bytes) XOR the left-padded 64-bit sequence
     * number (RFC 7905 §2).
     */
    static byte[] nonce(Aead aead, byte[] fixedIv, long seq) {
        byte[] n = new byte[12];
        if (aead == Aead.AES_128_GCM) {
            System.arraycopy(fixedIv, 0, n, 0, 4);
            ByteBuffer.wrap(n).putLong(4, seq);
        } else {
            System.arraycopy(fixedIv, 0, n, 0, 12);
            for (int i = 0; i < 8; i++) {
                n[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
            }
        }
        return n;
    }

    /**
     * RFC 6347 §4.1.2.1 / RFC 5246 §6.2.3.3: additional_data = seq_num (epoch 2 + sequence 6) +
     * TLSCompressed.type + version + length; here type application_data (23), version DTLS 1.2.
     */
    static byte[] additionalData(long epochAndSeq, int length) {
        ByteBuffer b = ByteBuffer.allocate(13);
        b.putLong(epochAndSeq).put((byte) 23).put((byte) 0xFE).put((byte) 0xFD).putShort((short) length);
        return b.array();
    }

    /**
     * The record cipher object Bouncy Castle would use, see the class comment.
     *
     * @throws IllegalStateException if a library class changed shape (benchmark needs updating)
     */
    static TlsAEADCipherImpl create(Aead aead, Impl impl, boolean encrypt) {
        try {
            if (impl == Impl.JDK && aead == Aead.AES_128_GCM) {
                return new JdkCrypto().aead("AES/GCM/NoPadding", "AES", 16, encrypt);
            }
            if (impl == Impl.JDK) {
                Class<?> c = Class.forName("org.jdatachannel.dtls.JdkTlsCrypto$JdkChaCha20Poly1305");
                Constructor<?> k = c.getDeclaredConstructor(boolean.class);
                k.setAccessible(true);
                return (TlsAEADCipherImpl) k.newInstance(encrypt);
            }
            if (aead == Aead.AES_128_GCM) {
                Class<?> c = Class.forName("org.bouncycastle.tls.crypto.impl.bc.BcTlsAEADCipherImpl");
                Constructor<?> k = c.getDeclaredConstructor(AEADBlockCipher.class, boolean.class);
                k.setAccessible(true);
                return (TlsAEADCipherImpl) k.newInstance(GCMBlockCipher.newInstance(AESEngine.newInstance()), encrypt);
            }
            return new BcChaCha20Poly1305(encrypt);
        } catch (ReflectiveOperationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build " + impl + " " + aead + ": " + e, e);
        }
    }

    /** Bouncy Castle's JCA crypto on the JDK's providers, as dtls' JdkTlsCrypto builds it. */
    static final class JdkCrypto extends JcaTlsCrypto {
        JdkCrypto() {
            super(new DefaultJcaJceHelper(), new SecureRandom(), new SecureRandom());
        }

        TlsAEADCipherImpl aead(String cipher, String algorithm, int keyBytes, boolean encrypt)
                throws GeneralSecurityException {
            return createAEADCipher(cipher, algorithm, keyBytes, encrypt);
        }
    }

    /**
     * One cell measured by this thread's CPU time instead of wall time (robust on a shared, loaded
     * machine): after {@code warmupMs} of CPU time, {@code rounds} rounds of about {@code roundMs} CPU
     * ms each; the result is the median round.
     *
     * @return {MB per CPU second (median), lowest round, highest round, CPU ns per record (median)}
     */
    static double[] cpuMeasure(Aead aead, Impl impl, int size, boolean seal, long warmupMs, long roundMs, int rounds)
            throws IOException {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        DtlsCryptoBenchmark b = new DtlsCryptoBenchmark();
        b.aead = aead;
        b.impl = impl;
        b.size = size;
        b.setUp();
        long sink = 0;
        double[] nsPerOp = new double[rounds];
        for (int r = -1; r < rounds; r++) {
            long budget = (r < 0 ? warmupMs : roundMs) * 1_000_000L;
            long t0 = mx.getCurrentThreadCpuTime();
            long ops = 0;
            long used;
            do {
                for (int i = 0; i < 32; i++) {
                    sink += seal ? b.seal() : b.open();
                }
                ops += 32;
                used = mx.getCurrentThreadCpuTime() - t0;
            } while (used < budget);
            if (r >= 0) {
                nsPerOp[r] = (double) used / ops;
            }
        }
        if (sink == 42) {
            System.out.print(""); // keeps the results alive
        }
        java.util.Arrays.sort(nsPerOp);
        double median = nsPerOp[rounds / 2];
        return new double[] {size / median * 1e3, size / nsPerOp[rounds - 1] * 1e3, size / nsPerOp[0] * 1e3, median};
    }

    /**
     * Runs every cell and prints MB/s (10^6 bytes of record payload per second) JDK vs BC.
     *
     * @param args {@code [--mode cpu|jmh] [--out FILE]}: {@code cpu} (default) measures each cell by
     *     thread CPU time (5 rounds of 1 s after 2 s warm-up; MB per CPU second), {@code jmh} runs the
     *     JMH benchmark (wall-clock throughput, only meaningful on an otherwise idle machine)
     * @throws RunnerException if JMH fails
     * @throws IOException if the JSON cannot be written
     */
    public static void main(String[] args) throws RunnerException, IOException {
        String outFile = Files.isDirectory(Path.of("benchmarks/target")) ? "benchmarks/target/dtls-crypto.json"
                : "target/dtls-crypto.json";
        String mode = "cpu";
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 < args.length && args[i].equals("--out")) {
                outFile = args[i + 1];
            } else if (i + 1 < args.length && args[i].equals("--mode")
                    && (args[i + 1].equals("cpu") || args[i + 1].equals("jmh"))) {
                mode = args[i + 1];
            } else {
                System.err.println("usage: DtlsCryptoBenchmark [--mode cpu|jmh] [--out FILE]");
                System.exit(2);
            }
        }
        // key: aead/size/op -> impl -> {MB/s, error or spread, ns per record}
        Map<String, Map<String, double[]>> table = new TreeMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        if (mode.equals("jmh")) {
            Collection<RunResult> results = new Runner(new OptionsBuilder()
                    .include(DtlsCryptoBenchmark.class.getName() + "\\.").build()).run();
            for (RunResult r : results) {
                String op = r.getParams().getBenchmark().replaceAll(".*\\.", "");
                String a = r.getParams().getParam("aead");
                String im = r.getParams().getParam("impl");
                int sz = Integer.parseInt(r.getParams().getParam("size"));
                double opsPerUs = r.getPrimaryResult().getScore();
                double mbps = opsPerUs * sz;
                double mbpsErr = r.getPrimaryResult().getScoreError() * sz;
                table.computeIfAbsent(String.format(Locale.ROOT, "%s %6d %s", a, sz, op), k -> new TreeMap<>())
                        .put(im, new double[] {mbps, mbpsErr, 1000 / opsPerUs});
                rows.add(row("jmh", a, im, sz, op, mbps, mbpsErr, 1000 / opsPerUs));
            }
        } else {
            for (Aead a : Aead.values()) {
                for (int sz : new int[] {200, 1191, 16384}) {
                    for (boolean seal : new boolean[] {true, false}) {
                        for (Impl im : Impl.values()) {
                            double[] m = cpuMeasure(a, im, sz, seal, 2000, 1000, 5);
                            String op = seal ? "seal" : "open";
                            System.out.printf(Locale.ROOT, "%-17s %-3s %5d %s: %8.1f MB/CPU-s (rounds %.1f..%.1f)%n",
                                    a, im, sz, op, m[0], m[1], m[2]);
                            table.computeIfAbsent(String.format(Locale.ROOT, "%s %6d %s", a, sz, op),
                                    k -> new TreeMap<>()).put(im.name(), new double[] {m[0], (m[2] - m[1]) / 2, m[3]});
                            rows.add(row("cpu", a.name(), im.name(), sz, op, m[0], (m[2] - m[1]) / 2, m[3]));
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n%s; MB/s = 10^6 payload bytes per %s second%n", mode.equals("cpu")
                ? "thread CPU time, median of 5 rounds (± half the spread)" : "JMH throughput (± 99.9% error)",
                mode.equals("cpu") ? "CPU" : "wall-clock");
        System.out.printf(Locale.ROOT, "%-30s %16s %16s %9s %11s %11s%n", "aead size op", "JDK MB/s", "BC MB/s",
                "JDK/BC", "JDK ns/rec", "BC ns/rec");
        for (Map.Entry<String, Map<String, double[]>> e : table.entrySet()) {
            double[] j = e.getValue().get("JDK");
            double[] b = e.getValue().get("BC");
            if (j == null || b == null) {
                continue;
            }
            System.out.printf(Locale.ROOT, "%-30s %9.0f ± %4.0f %9.0f ± %4.0f %9.2f %11.0f %11.0f%n", e.getKey(), j[0],
                    j[1], b[0], b[1], j[0] / b[0], j[2], b[2]);
        }
        Path out = Path.of(outFile);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "DtlsCryptoBenchmark");
        doc.put("mode", mode);
        doc.put("jvm", System.getProperty("java.vm.name") + " " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs");
        doc.put("results", rows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), doc);
        System.out.println("wrote " + out);
    }

    private static Map<String, Object> row(String mode, String aead, String impl, int size, String op, double mbps,
            double err, double nsPerRecord) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", mode);
        row.put("aead", aead);
        row.put("impl", impl);
        row.put("size", size);
        row.put("op", op);
        row.put("MBps", mbps);
        row.put("error", err);
        row.put("nsPerRecord", nsPerRecord);
        return row;
    }
}
