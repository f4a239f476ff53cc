package org.jdatachannel.cli;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The throughput test: send {@code mib} MiB as {@value #MESSAGE_SIZE}-byte binary messages on an
 * ordered reliable {@code discard} channel, then {@code done}, and check the server's
 * {@code received <bytes> <messages>} reply.
 *
 * <p>Flow control: sending pauses while {@code bufferedAmount} would exceed {@value #HIGH_WATER}
 * bytes and resumes once it is at most {@value #LOW_WATER} ({@code bufferedamountlow} with that
 * threshold, plus a {@value #POLL_MS} ms poll of {@code bufferedAmount} in case the event is late).
 *
 * <p>The result is one JSON object: {@code {"ok":true,"test":"throughput","role":..,"setupMs":..,
 * "bytes":..,"messages":..,"seconds":..,"mbPerSec":..}} (MB = 10^6 bytes, time from the first send
 * to the server's reply); on failure {@code "ok":false} and {@code "errors"}. {@link #run} never
 * throws and is bounded by the options' timeout.
 */
public final class ThroughputTest {

    private static final Logger LOG = LoggerFactory.getLogger(ThroughputTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Bytes per message. */
    public static final int MESSAGE_SIZE = 65536;
    /** bufferedAmount ceiling in bytes. */
    public static final long HIGH_WATER = 1L << 20;
    /** bufferedAmount at which sending resumes, in bytes. */
    public static final long LOW_WATER = 256L << 10;
    /** Fallback poll interval of bufferedAmount, in ms. */
    public static final long POLL_MS = 20;
    /** Largest accepted size in MiB. */
    public static final int MAX_MIB = 1 << 16;

    private ThroughputTest() {
    }

    /**
     * Runs the test.
     *
     * @param mib MiB to send, 1..{@value #MAX_MIB}
     * @throws IllegalArgumentException if {@code mib} is out of range
     */
    public static ObjectNode run(ClientSession.Options o, int mib) {
        if (mib < 1 || mib > MAX_MIB) {
            throw new IllegalArgumentException("--mib must be 1.." + MAX_MIB + ", got " + mib);
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("ok", false);
        r.put("test", "throughput");
        r.put("role", o.role());
        List<String> errors = new ArrayList<>();
        Deadline deadline = Deadline.in(o.timeout());
        ChannelProbe[] probe = new ChannelProbe[1];
        Object lock = new Object();
        try (ClientSession s = ClientSession.connect(o, pc -> {
            probe[0] = new ChannelProbe(pc.createDataChannel(Scenario.DISCARD, Channels.reliable(true)));
            probe[0].channel.setBufferedAmountLowThreshold(LOW_WATER);
            probe[0].channel.onBufferedAmountLow(() -> {
                synchronized (lock) {
                    lock.notifyAll();
                }
            });
        }, deadline)) {
            ChannelProbe p = probe[0];
            deadline.await(p.open, "opening the discard channel");
            r.put("setupMs", s.elapsedMs());
            long total = (long) mib << 20;
            long messages = total / MESSAGE_SIZE;
            ByteBuffer payload = ByteBuffer.wrap(Scenario.pattern(MESSAGE_SIZE)).asReadOnlyBuffer();
            long t0 = System.nanoTime();
            long sent = 0;
            long pauses = 0;
            while (sent < messages && errors.isEmpty()) {
                if (p.channel.bufferedAmount() + MESSAGE_SIZE > HIGH_WATER) {
                    pauses++;
                    synchronized (lock) {
                        while (p.channel.bufferedAmount() > LOW_WATER && !deadline.expired() && !p.closed.isDone()) {
                            lock.wait(Math.max(1, Math.min(POLL_MS, deadline.remainingMs())));
                        }
                    }
                    if (p.closed.isDone()) {
                        errors.add("discard channel closed after " + sent + " of " + messages + " messages");
                    } else if (deadline.expired()) {
                        errors.add("timed out after " + sent + " of " + messages + " messages (bufferedAmount "
                                + p.channel.bufferedAmount() + ")");
                    }
                    continue;
                }
                try {
                    p.channel.send(payload.duplicate());
                    sent++;
                } catch (RuntimeException e) {
                    errors.add("send " + sent + " failed: " + e);
                }
            }
            if (p.error.isDone()) {
                errors.add("the discard channel reported an error: " + p.error.join());
            }
            if (errors.isEmpty()) {
                p.channel.send(Scenario.DONE);
                Scenario.Msg reply = p.next(deadline);
                double seconds = (System.nanoTime() - t0) / 1e9;
                String expected = "received " + total + " " + messages;
                if (reply == null) {
                    errors.add("no reply to 'done' within " + deadline.total().toMillis() + " ms");
                } else if (reply.binary() || !expected.equals(new String(reply.data(), java.nio.charset.StandardCharsets.UTF_8))) {
                    errors.add("server replied " + reply + ", expected \"" + expected + "\"");
                }
                r.put("bytes", total);
                r.put("messages", messages);
                r.put("seconds", Math.round(seconds * 1000) / 1000.0);
                r.put("mbPerSec", Math.round(total / 1e6 / seconds * 100) / 100.0);
                r.put("pauses", pauses);
                LOG.info("throughput: {} bytes in {} s = {} MB/s", total, seconds, total / 1e6 / seconds);
            }
        } catch (Exception e) {
            errors.add(EchoTest.describe(e, "throughput"));
        }
        EchoTest.finish(r, errors);
        return r;
    }
}
