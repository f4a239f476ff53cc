package org.jdatachannel.sctp;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jdatachannel.sctp.packet.chunk.HeartbeatAckChunk;
import org.jdatachannel.sctp.packet.chunk.HeartbeatRequestChunk;
import org.jdatachannel.sctp.packet.parameter.HeartbeatInfoParameter;
import org.jdatachannel.sctp.packet.parameter.Parameter;
import org.jdatachannel.sctp.timer.Timer;

/**
 * Path liveness by HEARTBEAT (RFC 9260 §8.3) for the single path of a DTLS-carried association.
 * Sans-IO: two timers on the owner's clock, randomness injected. At most one HEARTBEAT is
 * unanswered at a time. Not thread-safe; owned by one {@link Association}.
 *
 * <p>Our Heartbeat Information (opaque to the peer, echoed back unchanged):
 * <pre>
 *  magic "JDHB" (4) | send time, ms on the owner's clock (8) | random nonce (8)
 * </pre>
 */
final class HeartbeatHandler {
    static final int MAGIC = 0x4A444842;
    static final int INFO_SIZE = 4 + 8 + 8;

    private final long intervalMs;
    private final RandomGenerator rng;
    /** When the next HEARTBEAT is due (if the path is idle then). */
    private final Timer interval = new Timer("heartbeat-interval");
    /** One RTO after a HEARTBEAT was sent: if it fires, the HEARTBEAT went unanswered. */
    private final Timer timeout = new Timer("heartbeat-timeout");
    private long pendingNonce;
    private long pendingSentAtMs;
    private boolean pending;
    private int misses;

    /**
     * @param intervalMs HB.interval, ms; 0 disables sending
     * @param rng for the jitter and the nonces
     */
    HeartbeatHandler(long intervalMs, RandomGenerator rng) {
        this.intervalMs = intervalMs;
        this.rng = rng;
    }

    /** @return true if HEARTBEATs are sent at all */
    boolean enabled() {
        return intervalMs > 0;
    }

    /**
     * (Re)starts the interval timer. §8.3: "it is RECOMMENDED that a HEARTBEAT chunk is sent once per
     * RTO of that destination address plus the protocol parameter 'HB.interval', with jittering of
     * +/- 50% of the RTO value".
     */
    void schedule(long nowMs, long rtoMs) {
        if (!enabled()) {
            return;
        }
        long jitter = rtoMs <= 0 ? 0 : rng.nextLong(rtoMs + 1) - rtoMs / 2;
        interval.start(nowMs, Math.max(1, intervalMs + rtoMs + jitter));
    }

    /** Stops both timers and forgets the unanswered HEARTBEAT. */
    void stop() {
        interval.stop();
        timeout.stop();
        pending = false;
    }

    /** @return the earliest expiry of the two timers, or {@link Timer#NEVER} */
    long expiry() {
        return Math.min(interval.expiry(), timeout.expiry());
    }

    /** @return true (once) if the interval timer fired: time to send a HEARTBEAT if idle */
    boolean intervalExpired(long nowMs) {
        return interval.isExpired(nowMs);
    }

    /**
     * @return true (once) if the last HEARTBEAT went unanswered for one RTO; counts one miss. §8.3:
     *     "An endpoint SHOULD increment the respective error counter of the destination transport
     *     address each time a HEARTBEAT is sent to that address and not acknowledged within one RTO."
     */
    boolean timeoutExpired(long nowMs) {
        if (timeout.isExpired(nowMs)) {
            pending = false;
            misses++;
            return true;
        }
        return false;
    }

    /** @return consecutive unanswered HEARTBEATs since the last acknowledgement of anything */
    int misses() {
        return misses;
    }

    /** §8.1: the error counter "MUST be reset each time a DATA chunk ... is acknowledged". */
    void clearErrors() {
        misses = 0;
    }

    /**
     * Builds a HEARTBEAT and starts the answer timeout of one RTO.
     *
     * @return the chunk to send
     */
    HeartbeatRequestChunk newRequest(long nowMs, long rtoMs) {
        // §8.3: "The sender of the HEARTBEAT chunk SHOULD include in this information field both the
        // current time when this HEARTBEAT chunk is sent and ..." and a random nonce, checked when
        // the HEARTBEAT ACK comes back.
        pendingNonce = rng.nextLong();
        pendingSentAtMs = nowMs;
        pending = true;
        byte[] info = ByteBuffer.allocate(INFO_SIZE).putInt(MAGIC).putLong(nowMs).putLong(pendingNonce).array();
        timeout.start(nowMs, rtoMs);
        return new HeartbeatRequestChunk(List.of(new HeartbeatInfoParameter(info)));
    }

    /**
     * Checks a HEARTBEAT ACK against the unanswered HEARTBEAT.
     *
     * @return the round-trip time in ms, or -1 if the ACK does not answer our pending HEARTBEAT
     *     (forged, stale or malformed: ignored)
     */
    long onAck(HeartbeatAckChunk ack, long nowMs) {
        if (!pending) {
            return -1;
        }
        for (Parameter p : ack.parameters()) {
            if (p instanceof HeartbeatInfoParameter hi && hi.info().length == INFO_SIZE) {
                ByteBuffer b = ByteBuffer.wrap(hi.info());
                if (b.getInt() == MAGIC && b.getLong() == pendingSentAtMs && b.getLong() == pendingNonce) {
                    pending = false;
                    timeout.stop();
                    // §8.3: "Upon the receipt of the HEARTBEAT ACK, the sender of the HEARTBEAT MUST
                    // clear the error counter of the destination transport address"
                    misses = 0;
                    return Math.max(0, nowMs - pendingSentAtMs);
                }
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "Heartbeat(" + interval + ", " + timeout + ", misses=" + misses + ")";
    }
}
