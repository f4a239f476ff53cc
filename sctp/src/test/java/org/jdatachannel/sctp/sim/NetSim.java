package org.jdatachannel.sctp.sim;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jdatachannel.sctp.Association;
import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.SctpOutput;

/**
 * Test-only seeded network simulator: two associations on one virtual clock, with one-way delay,
 * jitter (which reorders), random loss, duplication and an MTU check. Sans-IO like the code it
 * drives: nothing here sleeps or reads a real clock.
 */
public final class NetSim {
    /** One endpoint and what it emitted. */
    public final class Peer {
        public final String name;
        public final Association assoc;
        public final List<SctpOutput> events = new ArrayList<>();
        public final List<SctpOutput.MessageReceived> messages = new ArrayList<>();
        public Consumer<SctpOutput> listener = o -> { };
        public boolean connected;
        public SctpOutput.Closed closed;
        public long packetsSent;
        public long bytesSent;
        Peer other;

        Peer(String name, SctpOptions o, long seed) {
            this.name = name;
            this.assoc = new Association(o, new SplittableRandom(seed));
        }

        public Peer other() {
            return other;
        }
    }

    private record InFlight(long at, long seq, Peer to, byte[] bytes) {
    }

    public final Peer a;
    public final Peer b;
    private final Random rnd;
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>(
            (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.seq, y.seq));
    private long seq;
    public long now;
    public long delayMs = 10;
    public long jitterMs;
    public double loss;
    public double duplicate;
    public int mtu = Integer.MAX_VALUE;
    /** Return true to drop a packet sent by the given peer. */
    public BiPredicate<Peer, byte[]> dropFilter = (p, bytes) -> false;
    public long dropped;

    public NetSim(long seed, SctpOptions optsA, SctpOptions optsB) {
        this.rnd = new Random(seed);
        this.a = new Peer("A", optsA, seed * 31 + 1);
        this.b = new Peer("B", optsB, seed * 31 + 2);
        a.other = b;
        b.other = a;
    }

    public NetSim(long seed) {
        this(seed, SctpOptions.defaults(), SctpOptions.defaults());
    }

    /** Drains both peers' outputs until neither has any. */
    public void drain() {
        boolean any = true;
        while (any) {
            any = drain(a) | drain(b);
        }
    }

    private boolean drain(Peer p) {
        boolean any = false;
        SctpOutput o;
        while ((o = p.assoc.pollOutput()) != null) {
            any = true;
            if (o instanceof SctpOutput.SendPacket sp) {
                transmit(p, sp.packet());
                continue;
            }
            p.events.add(o);
            if (o instanceof SctpOutput.MessageReceived m) {
                p.messages.add(m);
            } else if (o instanceof SctpOutput.Connected) {
                p.connected = true;
            } else if (o instanceof SctpOutput.Closed c) {
                p.closed = c;
            }
            p.listener.accept(o);
        }
        return any;
    }

    private void transmit(Peer from, byte[] bytes) {
        if (bytes.length > mtu) {
            throw new AssertionError(from.name + " sent a packet of " + bytes.length + " bytes > MTU " + mtu);
        }
        from.packetsSent++;
        from.bytesSent += bytes.length;
        if (dropFilter.test(from, bytes) || (loss > 0 && rnd.nextDouble() < loss)) {
            dropped++;
            return;
        }
        int copies = duplicate > 0 && rnd.nextDouble() < duplicate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long d = delayMs + (jitterMs > 0 ? (long) (rnd.nextDouble() * jitterMs) : 0);
            queue.add(new InFlight(now + d, seq++, from.other, bytes.clone()));
        }
    }

    /**
     * Advances to the next event (packet arrival or timer) if it is not after {@code limit}.
     *
     * @return false if nothing is left to do before the limit
     */
    public boolean step(long limit) {
        drain();
        long t = Math.min(a.assoc.pollTimeout(), b.assoc.pollTimeout());
        if (!queue.isEmpty()) {
            t = Math.min(t, queue.peek().at);
        }
        if (t == Long.MAX_VALUE || t > limit) {
            return false;
        }
        now = Math.max(now, t);
        while (!queue.isEmpty() && queue.peek().at <= now) {
            InFlight f = queue.poll();
            f.to.assoc.handleInput(ByteBuffer.wrap(f.bytes), now);
            drain();
        }
        for (Peer p : new Peer[] {a, b}) {
            if (p.assoc.pollTimeout() <= now) {
                p.assoc.handleTimeout(now);
                drain();
            }
        }
        return true;
    }

    /** Runs until {@code done} holds or virtual time passes {@code maxMs}; returns done's value. */
    public boolean runUntil(BooleanSupplier done, long maxMs) {
        drain();
        while (!done.getAsBoolean()) {
            if (!step(maxMs)) {
                if (now < maxMs && !done.getAsBoolean()) {
                    now = maxMs; // idle: nothing scheduled
                }
                break;
            }
        }
        return done.getAsBoolean();
    }

    /** Runs for {@code ms} of virtual time. */
    public void runFor(long ms) {
        long end = now + ms;
        while (step(end)) {
            // keep going
        }
        now = Math.max(now, end);
    }

    /** Both sides connect (simultaneous open) or only A. */
    public boolean connect(boolean both) {
        a.assoc.connect(now);
        if (both) {
            b.assoc.connect(now);
        }
        return runUntil(() -> a.connected && b.connected, now + 60_000);
    }
}
