package org.jdatachannel.dtls.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.dtls.DtlsException;
import org.jdatachannel.dtls.DtlsRole;
import org.jdatachannel.dtls.DtlsTransport;
import org.jdatachannel.dtls.FuzzAccess;

/**
 * Coverage-guided fuzzing of a whole DTLS handshake (our demux and filter, Bouncy Castle's record
 * layer, reassembler and handshake parsers, our WebRtcDtlsServer/Client callbacks) fed fuzzed
 * datagrams: flags bit 0 chooses the client role (else server); the datagrams ({@link Script}) are
 * delivered in order, then the lower transport fails, which ends the handshake.
 *
 * <p>Properties: {@code DtlsTransport.connect} ends with a {@link DtlsException} (or, impossible
 * without our peer's private key, a connection), never an unchecked exception or an Error; the
 * thread running it allocates less than {@value #ALLOCATION_BUDGET_MIB} MiB in all, on a second run of
 * the same input if the first exceeded it, since the first use of a path loads classes (a clean
 * handshake needs about 0.4 MiB; without the CVE-2026-59646 guard one datagram makes Bouncy Castle
 * 1.84 allocate 16 MiB).
 *
 * <p>Corpus: {@code src/test/resources/org/jdatachannel/dtls/fuzz/HandshakeFuzzTestInputs/handshake/}
 * (the captured Chromium and Firefox ClientHellos, a recorded client flight, CVE datagrams).
 */
class HandshakeFuzzTest {

    /** Below one 16 MiB reassembly buffer of the CVE; a clean handshake allocates about 0.4 MiB. */
    static final int ALLOCATION_BUDGET_MIB = 8;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        // Each input makes a new connection; their WARN lines about dropped datagrams would
        // dominate the run.
        System.setProperty("org.slf4j.simpleLogger.log.org.jdatachannel.dtls", "error");
        // Load (and let Jazzer instrument) the classes of a handshake, its failure paths and the
        // crypto once, so that their one-time allocations do not count against the first input.
        try {
            FuzzAccess.recordHandshake(FuzzAccess.testCertificate(0), FuzzAccess.testCertificate(1));
            for (int role = 0; role < 2; role++) {
                List<byte[]> script = new ArrayList<>(FuzzAccess.capturedClientHello("chromium-156"));
                script.addAll(FuzzAccess.hostileDatagrams(0));
                run(Script.encode(role, script));
            }
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void handshake(byte[] data) {
        long allocated = run(data);
        if (allocated >= ALLOCATION_BUDGET_MIB * (1L << 20)) {
            // The first input down a new path loads (and Jazzer instruments) classes on this
            // thread, which counts as allocation (seen: 9 MB for a mutated ClientHello with Bouncy
            // Castle instrumented). An allocation the input itself causes repeats on a second run.
            allocated = run(data);
        }
        assertTrue(allocated < ALLOCATION_BUDGET_MIB * (1L << 20), "the handshake allocated " + allocated + " bytes");
    }

    /** Runs one input; returns the bytes this thread allocated meanwhile. */
    private static long run(byte[] data) {
        Script script = Script.parse(data);
        DtlsRole role = (script.flags & 1) != 0 ? DtlsRole.CLIENT : DtlsRole.SERVER;
        Script.Playback lower = new Script.Playback(script.datagrams, true);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        DtlsTransport t = null;
        try {
            t = FuzzAccess.connect(role, lower, 5_000);
        } catch (DtlsException expected) {
            // The normal end: a fatal alert, a bad message, or the end of the input.
        } catch (IOException e) {
            throw new AssertionError("connect threw an IOException that is not a DtlsException", e);
        } catch (RuntimeException e) {
            throw new AssertionError("connect threw an unchecked exception", e);
        } finally {
            if (t != null) {
                t.close();
            }
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
