package org.jdatachannel.sctp.sim;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jdatachannel.sctp.SctpOutput;
import org.jdatachannel.sctp.SendOptions;

/**
 * Records what one side sent and what the other received, by SHA-256 of the payload (payloads are
 * not kept), and checks the delivery properties the tests need: exactly once, in order per ordered
 * stream, byte-identical, and for partially reliable messages "at most once, never out of order,
 * never partial". Payloads made by {@link #payload} start with a unique 8-byte id (when they are at
 * least 8 bytes long) so that equal-sized messages differ. Not thread-safe.
 */
public final class MessageLedger {
    /** One sent message. */
    public record Sent(int index, int stream, int size, byte[] sha256, boolean unordered, boolean reliable) {
    }

    private final SplittableRandom rnd;
    private final List<Sent> sent = new ArrayList<>();
    private final Map<Integer, List<Sent>> orderedByStream = new HashMap<>();
    private long nextId;
    private long sentBytes;
    private long receivedBytes;
    private int receivedCount;
    private final List<byte[]> receivedHashes = new ArrayList<>();
    private final List<int[]> receivedMeta = new ArrayList<>(); // stream, unordered(0/1), size

    /** @param seed seeds the payload generator */
    public MessageLedger(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /**
     * @param size bytes, &gt;= 1
     * @return fresh pseudo-random bytes; the first 8 (if any) are a unique id
     */
    public byte[] payload(int size) {
        byte[] p = new byte[size];
        rnd.nextBytes(p);
        long id = ++nextId;
        if (size >= 8) {
            ByteBuffer.wrap(p).putLong(0, id * 0x9E3779B97F4A7C15L);
        }
        return p;
    }

    /**
     * @param min smallest size, &gt;= 1
     * @param max largest size, &gt;= min
     * @return a size drawn log-uniformly from [min, max], so small and large messages are both common
     */
    public int logUniformSize(int min, int max) {
        double lo = Math.log(min);
        double hi = Math.log(max + 1.0);
        return (int) Math.min(max, Math.max(min, Math.floor(Math.exp(lo + rnd.nextDouble() * (hi - lo)))));
    }

    /** Records a message handed to {@code send} (call only if send did not throw). */
    public void sent(int stream, byte[] payload, SendOptions opts) {
        Sent s = new Sent(sent.size(), stream, payload.length, sha256(payload), opts.unordered(), !opts.partiallyReliable());
        sent.add(s);
        sentBytes += payload.length;
        if (!s.unordered) {
            orderedByStream.computeIfAbsent(stream, k -> new ArrayList<>()).add(s);
        }
    }

    /**
     * Makes this ledger record every message the peer receives (its listener), and has the peer
     * keep no copy of them ({@code discardMessages}).
     */
    public void receiveAt(NetSim.Peer peer) {
        peer.discardMessages = true;
        peer.listener = o -> {
            if (o instanceof SctpOutput.MessageReceived m) {
                received(m);
            }
        };
    }

    /** Records a received message; only its hash and metadata are kept. */
    public void received(SctpOutput.MessageReceived m) {
        receivedCount++;
        receivedBytes += m.payload().length;
        receivedHashes.add(sha256(m.payload()));
        receivedMeta.add(new int[] {m.streamId(), m.unordered() ? 1 : 0, m.payload().length});
    }

    /** @return messages recorded as sent */
    public int sentCount() {
        return sent.size();
    }

    /** @return bytes recorded as sent */
    public long sentBytes() {
        return sentBytes;
    }

    /** @return messages recorded as received */
    public int receivedCount() {
        return receivedCount;
    }

    /** @return messages recorded as sent on this stream */
    public int sentCount(int stream) {
        return (int) sent.stream().filter(s -> s.stream == stream).count();
    }

    /** @return messages recorded as received on this stream */
    public int receivedCount(int stream) {
        return (int) receivedMeta.stream().filter(m -> m[0] == stream).count();
    }

    /** @return bytes recorded as received */
    public long receivedBytes() {
        return receivedBytes;
    }

    /** @return the sent messages, in send order */
    public List<Sent> sentMessages() {
        return List.copyOf(sent);
    }

    /**
     * Checks partial-reliability safety, which also holds for reliable messages: every received
     * message is byte-identical to a sent one on the same stream with the same ordering; none is
     * received more often than sent; per stream, ordered messages arrive in send order (a
     * subsequence of what was sent). Reliable ordered messages must additionally not be skipped
     * when a later message of their stream arrived.
     *
     * @return null if all hold, else a description of the first violation
     */
    public String checkSafety() {
        Map<Integer, Integer> pos = new HashMap<>();
        Map<String, Integer> unorderedLeft = new HashMap<>();
        for (Sent s : sent) {
            if (s.unordered) {
                unorderedLeft.merge(key(s.stream, s.sha256), 1, Integer::sum);
            }
        }
        for (int i = 0; i < receivedHashes.size(); i++) {
            int[] meta = receivedMeta.get(i);
            byte[] h = receivedHashes.get(i);
            int stream = meta[0];
            if (meta[1] == 1) {
                String k = key(stream, h);
                Integer left = unorderedLeft.get(k);
                if (left == null || left == 0) {
                    return "received #" + i + " (unordered, stream " + stream + ", " + meta[2]
                            + " bytes) matches no sent message not yet received: duplicate, corrupt or partial";
                }
                unorderedLeft.put(k, left - 1);
                continue;
            }
            List<Sent> l = orderedByStream.getOrDefault(stream, List.of());
            int p = pos.getOrDefault(stream, 0);
            int j = p;
            while (j < l.size() && !Arrays.equals(l.get(j).sha256, h)) {
                j++;
            }
            if (j == l.size()) {
                return "received #" + i + " (ordered, stream " + stream + ", " + meta[2] + " bytes) matches no later "
                        + "sent message of the stream: duplicate, out of order, corrupt or partial (stream position "
                        + p + " of " + l.size() + ")";
            }
            for (int k = p; k < j; k++) {
                if (l.get(k).reliable) {
                    return "reliable ordered message " + k + " of stream " + stream + " (" + l.get(k).size
                            + " bytes) skipped: message " + j + " arrived first";
                }
            }
            pos.put(stream, j + 1);
        }
        return null;
    }

    /**
     * Checks full delivery on top of {@link #checkSafety}: every reliable message was received (so,
     * with safety, exactly once and in order).
     *
     * @return null if all hold, else a description of the first violation
     */
    public String checkComplete() {
        String s = checkSafety();
        if (s != null) {
            return s;
        }
        Map<String, Integer> got = new HashMap<>();
        for (int i = 0; i < receivedHashes.size(); i++) {
            got.merge(key(receivedMeta.get(i)[0], receivedHashes.get(i)), 1, Integer::sum);
        }
        for (Sent x : sent) {
            if (!x.reliable) {
                continue;
            }
            String k = key(x.stream, x.sha256);
            Integer n = got.get(k);
            if (n == null || n == 0) {
                return "reliable message " + x.index + " (stream " + x.stream + ", " + x.size + " bytes"
                        + (x.unordered ? ", unordered" : "") + ") never received";
            }
            got.put(k, n - 1);
        }
        return null;
    }

    private static String key(int stream, byte[] sha) {
        return stream + ":" + HexFormatHolder.HEX.formatHex(sha);
    }

    private static final class HexFormatHolder {
        static final java.util.HexFormat HEX = java.util.HexFormat.of();
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }
}
