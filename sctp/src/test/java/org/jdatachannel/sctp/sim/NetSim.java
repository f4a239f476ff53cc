package org.jdatachannel.sctp.sim;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jdatachannel.sctp.Association;
import org.jdatachannel.sctp.SctpOptions;
import org.jdatachannel.sctp.SctpOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only seeded network simulator: two {@link Association}s, A and B, on one virtual clock,
 * joined by two {@link Link}s ({@link #ab} from A to B, {@link #ba} back) with delay, jitter,
 * random and Gilbert-Elliott loss, reordering, duplication, a bandwidth-limited queue, an MTU and
 * packet filters. Sans-IO like the code it drives: nothing here sleeps, starts threads or reads a
 * real clock, so a run is a pure function of the seed and the test's actions.
 *
 * <p>Driving rule (the associations' sans-IO contract): after every input (a packet, a timeout, or
 * an API call the test makes followed by {@link #drain()} or any run method) every output of both
 * associations is drained; packets go onto the links, events are recorded on the {@link Peer}.
 * Then virtual time advances to the earliest of the next packet arrival and either association's
 * {@link Association#pollTimeout()}.
 *
 * <p>Seeds: the seed given to the constructor is logged; the system property {@value #SEED_PROPERTY}
 * overrides it (to reproduce a logged failure run only that test with {@code -Dnetsim.seed=N}). The
 * seed drives both links' randomness and both associations' random generators.
 *
 * <p>Not thread-safe; one simulator per test.
 */
public final class NetSim {
    /** System property overriding every simulator's seed. */
    public static final String SEED_PROPERTY = "netsim.seed";
    private static final Logger LOG = LoggerFactory.getLogger(NetSim.class);
    /** Steps at one virtual instant after which the run is declared a livelock. */
    private static final int MAX_STEPS_PER_INSTANT = 1_000_000;

    /** One endpoint and what it emitted. */
    public final class Peer {
        /** "A" or "B". */
        public final String name;
        /** The association under test. */
        public final Association assoc;
        /** Every output except SendPacket, in order. */
        public final List<SctpOutput> events = new ArrayList<>();
        /** Every received message, in order. */
        public final List<SctpOutput.MessageReceived> messages = new ArrayList<>();
        /**
         * Called for every output except SendPacket, after it is recorded; may call the association
         * (send, resetStreams, ...); its outputs are drained afterwards.
         */
        public Consumer<SctpOutput> listener = o -> { };
        /** Whether {@link SctpOutput.Connected} was emitted. */
        public boolean connected;
        /** The {@link SctpOutput.Closed} emitted, or null. */
        public SctpOutput.Closed closed;
        /** Packets this peer sent (same as {@code out().packetsSent()}). */
        public long packetsSent;
        /** Bytes this peer sent. */
        public long bytesSent;
        /** If true, received messages are not kept in {@link #messages} (long runs). */
        public boolean discardMessages;
        Peer other;
        Link out;

        Peer(String name, SctpOptions o, long seed) {
            this.name = name;
            this.assoc = new Association(o, new SplittableRandom(seed));
        }

        /** @return the other peer */
        public Peer other() {
            return other;
        }

        /** @return the link this peer sends on */
        public Link out() {
            return out;
        }

        NetSim sim() {
            return NetSim.this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A packet on the wire: delivered at {@code atMs}, ordered by its exact arrival time. */
    private record InFlight(long atMs, long atNs, long seq, Link.Arrival arrival) {
    }

    /** Endpoint A (the side that connects in {@link #connect(boolean)}). */
    public final Peer a;
    /** Endpoint B. */
    public final Peer b;
    /** The link from A to B. */
    public final Link ab;
    /** The link from B to A. */
    public final Link ba;
    /** The seed in use (after the system property override). */
    public final long seed;
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
            (x, y) -> x.atNs != y.atNs ? Long.compare(x.atNs, y.atNs) : Long.compare(x.seq, y.seq));
    private long seq;
    private long stepsAtInstant;
    private long lastStepAt = Long.MIN_VALUE;
    /** Virtual time, ms. Read it; change it only through the run methods. */
    public long now;

    // Shorthand for both directions, kept from the first version of this class: a value written
    // here is copied to both links before the next packet is sent. Prefer both(...) / ab / ba.
    /** System property: "true" makes every simulator deliver in batches ({@link #batchArrivals}). */
    public static final String BATCH_PROPERTY = "netsim.batch";
    /**
     * If true, the packets arriving at one virtual instant are handed to each receiver as one input
     * batch ({@link Association#beginInputBatch()} .. {@link Association#endInputBatch}) and drained
     * once after it; default false (one packet, one drain), or true with -D{@value #BATCH_PROPERTY}=true.
     */
    public boolean batchArrivals = Boolean.getBoolean(BATCH_PROPERTY);
    /** Shorthand: one-way delay of both links, ms. */
    public long delayMs = 10;
    /** Shorthand: jitter of both links, ms. */
    public long jitterMs;
    /** Shorthand: random loss of both links. */
    public double loss;
    /** Shorthand: duplication of both links. */
    public double duplicate;
    /** Shorthand: MTU of both links; an oversize packet fails the test (AssertionError). */
    public int mtu = Integer.MAX_VALUE;
    /** Shorthand: return true to drop a packet sent by the given peer (runs as a filter on both links). */
    public BiPredicate<Peer, byte[]> dropFilter = (p, bytes) -> false;
    /** Packets dropped on both links, for any reason. */
    public long dropped;
    private long appliedDelay = 10;
    private long appliedJitter;
    private double appliedLoss;
    private double appliedDuplicate;
    private int appliedMtu = Integer.MAX_VALUE;

    /**
     * @param seed the seed (overridden by {@value #SEED_PROPERTY} if set); logged
     * @param optsA options of A
     * @param optsB options of B
     */
    public NetSim(long seed, SctpOptions optsA, SctpOptions optsB) {
        String override = System.getProperty(SEED_PROPERTY);
        this.seed = override == null || override.isBlank() ? seed : Long.parseLong(override.trim());
        LOG.info("NetSim seed={}{} (reproduce with -D{}={})", this.seed, override == null ? "" : " (from -D" + SEED_PROPERTY + ")",
                SEED_PROPERTY, this.seed);
        this.a = new Peer("A", optsA, this.seed * 31 + 1);
        this.b = new Peer("B", optsB, this.seed * 31 + 2);
        a.other = b;
        b.other = a;
        this.ab = new Link("A->B", a, b, this.seed * 31 + 3);
        this.ba = new Link("B->A", b, a, this.seed * 31 + 4);
        a.out = ab;
        b.out = ba;
        for (Link l : new Link[] {ab, ba}) {
            l.dropIf(p -> dropFilter != null && dropFilter.test(p.from(), p.bytes()));
        }
    }

    /** @param seed the seed, see {@link #NetSim(long, SctpOptions, SctpOptions)}; default options */
    public NetSim(long seed) {
        this(seed, SctpOptions.defaults(), SctpOptions.defaults());
    }

    /**
     * Configures both links the same way, e.g. {@code sim.both(l -> l.delay(10).loss(0.05))}.
     *
     * @return this
     */
    public NetSim both(Consumer<Link> config) {
        config.accept(ab);
        config.accept(ba);
        return this;
    }

    /** @return both links' counters on two lines */
    public String stats() {
        return ab.stats() + "\n" + ba.stats();
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
            if (o instanceof SctpOutput.MessageReceived m) {
                if (!p.discardMessages) {
                    p.messages.add(m);
                    p.events.add(o);
                }
            } else {
                p.events.add(o);
                if (o instanceof SctpOutput.Connected) {
                    p.connected = true;
                } else if (o instanceof SctpOutput.Closed c) {
                    p.closed = c;
                }
            }
            p.listener.accept(o);
        }
        return any;
    }

    private void syncShorthand() {
        if (delayMs != appliedDelay) {
            both(l -> l.delay(delayMs));
            appliedDelay = delayMs;
        }
        if (jitterMs != appliedJitter) {
            both(l -> l.jitter(jitterMs));
            appliedJitter = jitterMs;
        }
        if (loss != appliedLoss) {
            both(l -> l.loss(loss));
            appliedLoss = loss;
        }
        if (duplicate != appliedDuplicate) {
            both(l -> l.duplicate(duplicate));
            appliedDuplicate = duplicate;
        }
        if (mtu != appliedMtu) {
            both(l -> l.mtu(mtu).failOnOversize(true));
            appliedMtu = mtu;
        }
    }

    private void transmit(Peer from, byte[] bytes) {
        syncShorthand();
        from.packetsSent++;
        from.bytesSent += bytes.length;
        for (Link.Arrival arr : from.out.send(bytes, now)) {
            inFlight.add(new InFlight(toMs(arr.atNs()), arr.atNs(), seq++, arr));
        }
    }

    /**
     * The associations' clock has millisecond resolution, the links' nanosecond: an arrival is
     * delivered at the nearest millisecond, so rounding adds no delay on average (rounding up would
     * add half a millisecond per hop, a 25 % longer RTT on a 2 ms path).
     */
    private static long toMs(long ns) {
        return Math.floorDiv(ns + 500_000, 1_000_000L);
    }

    /** @return the virtual ms at which the next packet arrives, or Long.MAX_VALUE */
    private long nextArrivalMs() {
        return inFlight.isEmpty() ? Long.MAX_VALUE : inFlight.peek().atMs;
    }

    /** @return packets on the wire (sent, not yet delivered) */
    public int packetsInFlight() {
        return inFlight.size();
    }

    /**
     * One receive buffer for every packet delivered, as the data channel driver hands the association
     * the buffer DTLS decrypts every record into: the packet is copied to a varying offset, handed in,
     * and the bytes are overwritten right after. Whatever the association keeps of a packet (an I-DATA
     * payload is parsed without a copy), it must have copied, or the ledger sees corrupt messages.
     */
    private final byte[] rxBuffer = new byte[1 << 17];
    private int rxOffset;

    private void deliver(Association to, byte[] packet) {
        if (packet.length > rxBuffer.length / 2) {
            to.handleInput(ByteBuffer.wrap(packet.clone()), now);
            return;
        }
        rxOffset = (rxOffset + 4093) % (rxBuffer.length / 2);
        System.arraycopy(packet, 0, rxBuffer, rxOffset, packet.length);
        to.handleInput(ByteBuffer.wrap(rxBuffer, rxOffset, packet.length), now);
        java.util.Arrays.fill(rxBuffer, rxOffset, rxOffset + packet.length, (byte) (0xA5 ^ rxOffset));
    }

    /**
     * Advances to the next event (packet arrival or timer) if it is not after {@code limit}, and
     * handles every event due then.
     *
     * @param limit virtual ms
     * @return false if nothing is left to do up to the limit
     */
    public boolean step(long limit) {
        drain();
        long t = Math.min(Math.min(a.assoc.pollTimeout(), b.assoc.pollTimeout()), nextArrivalMs());
        if (t == Long.MAX_VALUE || t > limit) {
            return false;
        }
        now = Math.max(now, t);
        if (now == lastStepAt) {
            if (++stepsAtInstant > MAX_STEPS_PER_INSTANT) {
                throw new AssertionError("livelock: " + MAX_STEPS_PER_INSTANT + " steps at t=" + now + " ms; timers "
                        + a.assoc.pollTimeout() + "/" + b.assoc.pollTimeout() + ", seed " + seed);
            }
        } else {
            lastStepAt = now;
            stepsAtInstant = 0;
        }
        if (batchArrivals) {
            // Every packet arriving at this instant is one input batch per receiver, drained once
            // after it (as the data channel driver does with a burst of datagrams).
            boolean any = false;
            while (!inFlight.isEmpty() && inFlight.peek().atMs <= now) {
                Link.Arrival f = inFlight.poll().arrival();
                f.link().delivered(f.bytes());
                Association to = f.link().to().assoc;
                to.beginInputBatch();
                deliver(to, f.bytes());
                any = true;
            }
            if (any) {
                a.assoc.endInputBatch(now);
                b.assoc.endInputBatch(now);
                drain();
            }
        }
        while (!inFlight.isEmpty() && inFlight.peek().atMs <= now) {
            Link.Arrival f = inFlight.poll().arrival();
            f.link().delivered(f.bytes());
            deliver(f.link().to().assoc, f.bytes());
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

    /**
     * Runs until {@code done} holds or virtual time passes {@code maxMs}; returns done's value. If
     * nothing is scheduled before {@code maxMs} while not done, time jumps to {@code maxMs}.
     *
     * @param done checked after every step
     * @param maxMs absolute virtual time limit, ms
     * @return whether {@code done} holds at the end
     */
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

    /** Runs for {@code ms} of virtual time; afterwards {@code now} is exactly the old now + ms. */
    public void runFor(long ms) {
        long end = now + ms;
        while (step(end)) {
            // keep going
        }
        now = Math.max(now, end);
    }

    /**
     * Both sides connect (simultaneous open) or only A; runs until both are connected, at most 60 s.
     *
     * @return true if both are connected
     */
    public boolean connect(boolean both) {
        a.assoc.connect(now);
        if (both) {
            b.assoc.connect(now);
        }
        return runUntil(() -> a.connected && b.connected, now + 60_000);
    }
}
