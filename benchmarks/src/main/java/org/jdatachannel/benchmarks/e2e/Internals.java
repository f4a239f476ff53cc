package org.jdatachannel.benchmarks.e2e;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdatachannel.PeerConnection;

/**
 * Best-effort diagnostics from inside a {@link PeerConnection} through reflection (no public stats
 * API exists): SCTP retransmission counters and the ICE transport's drop counters. Internals change;
 * a counter whose path no longer exists is simply absent from the map. Read from a non-loop thread
 * after the traffic stopped, so the values are approximate (diagnostics, never a verdict).
 */
final class Internals {
    private Internals() {
    }

    /**
     * @param pc a connection
     * @return counter name to value: sctpDataPackets and sctpSackPackets (packets sent with DATA /
     *     with a SACK), sctpPlpmtuProbesSent/Acked and sctpPlpmtuBlackHoles (RFC 8899), sctpPacketsReused, sctpMessagesInPlace, sctpRetransmissions, sctpFastRetransmits, sctpT3Expiries,
     *     iceDropsQueueFull, iceDropsUnknownSource, and "rx.NAME" for each numeric component of the
     *     core's {@code receiveStats()} record (push receive path: inbox drops, batches, wake-ups), those found
     */
    static Map<String, Long> counters(PeerConnection pc) {
        Map<String, Long> m = new LinkedHashMap<>();
        Object core = field(pc, "core");
        Object association = field(field(core, "sctp"), "association");
        Object outstanding = field(association, "outstanding");
        put(m, "sctpDataPackets", call(association, "dataPacketsSent"));
        put(m, "sctpSackPackets", call(association, "sackPacketsSent"));
        // copies saved per packet (diagnostics): sent packets written into a recycled array, and
        // received messages assembled in place (no second copy)
        put(m, "sctpPacketsReused", call(association, "packetsReused"));
        put(m, "sctpMessagesInPlace", call(field(association, "reassembly"), "messagesInPlace"));
        // RFC 8899 Datagram PLPMTUD: probes sent and acknowledged, black holes detected (fallbacks to base)
        put(m, "sctpPlpmtuProbesSent", call(association, "plpmtuProbesSent"));
        put(m, "sctpPlpmtuProbesAcked", call(association, "plpmtuProbesAcked"));
        put(m, "sctpPlpmtuBlackHoles", call(association, "plpmtuBlackHoles"));
        put(m, "sctpRetransmissions", call(outstanding, "retransmitCount"));
        put(m, "sctpFastRetransmits", call(outstanding, "fastRetransmitCount"));
        put(m, "sctpT3Expiries", call(outstanding, "t3ExpiryCount"));
        Object drops = call(field(field(core, "active"), "agent"), "drops");
        put(m, "iceDropsQueueFull", call(drops, "queueFull"));
        put(m, "iceDropsUnknownSource", call(drops, "unknownSource"));
        // the push receive path's diagnostics (a record of counters), where the core has them
        Object rx = call(core, "receiveStats");
        if (rx != null && rx.getClass().isRecord()) {
            for (java.lang.reflect.RecordComponent rc : rx.getClass().getRecordComponents()) {
                try {
                    Method acc = rc.getAccessor();
                    acc.setAccessible(true);
                    put(m, "rx." + rc.getName(), acc.invoke(rx));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // skip this one
                }
            }
        }
        return m;
    }

    /**
     * @param pc a connection
     * @return its SCTP PLPMTU now (RFC 8899: the largest SCTP packet it sends, bytes), 0 if unknown
     */
    static int sctpPathMtu(PeerConnection pc) {
        Object v = call(field(pc, "core"), "sctpPathMtu");
        return v instanceof Number n ? n.intValue() : 0;
    }

    /** @return the MAX_PLPMTU the connection gave SCTP (RFC 8899), bytes; 0 = no path MTU discovery */
    static int sctpMaxPlpmtu(PeerConnection pc) {
        Object v = call(field(pc, "core"), "sctpMaxPlpmtu");
        return v instanceof Number n ? n.intValue() : 0;
    }

    /**
     * Waits until the connection's PLPMTU search reached its MAX_PLPMTU (RFC 8899: two round trips
     * after SCTP is up on loopback), at most {@code maxMs}.
     *
     * @return ms waited
     */
    static long awaitPathMtuSearch(PeerConnection pc, long maxMs) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + maxMs * 1_000_000L;
        while (sctpPathMtu(pc) < sctpMaxPlpmtu(pc) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return (System.nanoTime() - t0) / 1_000_000L;
    }

    /** @return {@code a + b} per key (keys of both) */
    static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> m = new LinkedHashMap<>(a);
        b.forEach((k, v) -> m.merge(k, v, Long::sum));
        return m;
    }

    private static void put(Map<String, Long> m, String key, Object v) {
        if (v instanceof Number n) {
            m.put(key, n.longValue());
        }
    }

    static Object field(Object o, String name) {
        if (o == null) {
            return null;
        }
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // try the superclass
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    static Object call(Object o, String name) {
        if (o == null) {
            return null;
        }
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name);
                m.setAccessible(true);
                return m.invoke(o);
            } catch (NoSuchMethodException e) {
                // try the superclass
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
