package org.jdatachannel.benchmarks.e2e;

import java.io.PrintStream;

import org.jdatachannel.RtcConfiguration;

/**
 * Connects and closes Java⇄Java pairs over loopback back to back for a while (the set-up row's
 * {@link Pair#connect}, one channel, default certificates) and prints a count every 2,000 set-ups:
 * a soak of the set-up and close paths, not a measurement.
 *
 * <p>Why it exists (issue 6, session 5): Debian's OpenJDK 17.0.15 aborted in set-up loops with glibc
 * heap-corruption reports ("malloc(): unaligned tcache chunk detected", "malloc(): invalid next
 * size (unsorted)", "tcache_thread_shutdown(): unaligned tcache chunk detected", the last at a
 * thread's exit) in 2 of 3 runs of this soak (after 4,000-6,000 set-ups, and after under 2,000 with
 * {@code -Djdk.nio.maxCachedBufferSize=0}; the third made 19,748 in 4 minutes) and twice in the
 * harness's set-up loops; Temurin 25 ran 51,394 set-ups in 9 minutes without one.
 * jdatachannel has no native code, Unsafe or direct buffers of its own.
 *
 * <pre>
 * java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" \
 *     org.jdatachannel.benchmarks.e2e.SetupSoak SECONDS
 * </pre>
 */
public final class SetupSoak {

    /** Set-ups between progress lines. */
    static final int REPORT_EVERY = 2000;

    private SetupSoak() {
    }

    /**
     * @param args one argument: how long to run, seconds (&gt;= 1)
     * @throws IllegalArgumentException without exactly one positive number
     */
    public static void main(String[] args) {
        if (args.length != 1 || !args[0].matches("[1-9][0-9]{0,6}")) {
            throw new IllegalArgumentException("usage: SetupSoak SECONDS (1..9999999)");
        }
        long[] r = run(Long.parseLong(args[0]), E2eHarness.loopbackConfig(), System.out);
        System.out.println("done: set-ups " + r[0] + " failed " + r[1]);
    }

    /**
     * Runs pairs back to back until {@code seconds} have passed.
     *
     * @param seconds how long, s (&gt;= 0: at least one set-up is tried)
     * @param cfg configuration of both ends
     * @param out progress lines every {@link #REPORT_EVERY} set-ups
     * @return {set-ups that opened their channel, set-ups that failed or timed out (10 s each)}
     */
    static long[] run(long seconds, RtcConfiguration cfg, PrintStream out) {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        long ok = 0;
        long failed = 0;
        do {
            try (Pair p = Pair.connect(cfg, 1, ch -> { }, 10_000)) {
                ok++;
            } catch (Exception e) {
                failed++;
            }
            if ((ok + failed) % REPORT_EVERY == 0) {
                out.println("set-ups " + ok + " failed " + failed);
            }
        } while (System.nanoTime() < until);
        return new long[] {ok, failed};
    }
}
