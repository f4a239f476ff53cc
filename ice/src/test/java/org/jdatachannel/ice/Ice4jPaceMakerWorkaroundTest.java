package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.ice4j.ice.Agent;
import org.ice4j.util.PeriodicRunnable;
import org.junit.jupiter.api.Test;

/**
 * No connectivity-check pacer ({@code ConnectivityCheckClient.PaceMaker}, a {@code PeriodicRunnable}
 * on ice4j's JVM-wide {@code Agent} timer and executor) of a closed {@link IceAgent} stays
 * scheduled, even one whose cancel ice4j lost. ice4j's {@code PeriodicRunnable} reschedules a runnable
 * cancelled while a run was finishing ({@code scheduleNextRun} sees {@code submittedExecute == null}
 * and sets {@code running = true} again); the pacer then ran every 20 ms forever, holding the freed
 * agent (Soak: 5 of 600 closed agents after 300 cycles). The test reproduces that state
 * deterministically by calling {@code schedule()} on each pacer after close, which is what the lost
 * cancel amounts to. Reads ice4j internals by reflection (ice4j 3.2-15-g6da2b08 field names).
 */
class Ice4jPaceMakerWorkaroundTest {
    private static final long TIMEOUT_MS = 10_000;

    @Test
    void pacersOfAClosedAgentEndEvenWhenRescheduledAfterTheirCancel() throws Exception {
        List<PeriodicRunnable> pacers = new ArrayList<>();
        IceAgent a = agent(true);
        IceAgent b = agent(false);
        try {
            connect(a, b);
            pacers.addAll(pacers(a));
            pacers.addAll(pacers(b));
            assertFalse(pacers.isEmpty(), "connected agents have check pacers");
        } finally {
            a.close();
            b.close();
        }
        for (PeriodicRunnable p : pacers) {
            await(() -> !running(p), "pacer " + p + " stops after close()");
        }
        // What ice4j's lost cancel amounts to: the cancelled pacer schedules itself again.
        for (PeriodicRunnable p : pacers) {
            p.schedule();
        }
        for (PeriodicRunnable p : pacers) {
            await(() -> !running(p), "rescheduled pacer " + p + " of a closed agent ends");
            assertNull(field(PeriodicRunnable.class, "scheduledSubmit").get(p), "nothing left on the ice4j timer");
        }
        assertEquals(IceState.CLOSED, a.state());
    }

    private static IceAgent agent(boolean controlling) {
        return new IceAgent(IceConfig.builder().controlling(controlling)
                .addressFilter(x -> x instanceof Inet4Address && x.isLoopbackAddress()).build());
    }

    /** The pacers ice4j's connectivity-check client of {@code a} holds (before close). */
    @SuppressWarnings("unchecked")
    private static List<PeriodicRunnable> pacers(IceAgent a) throws Exception {
        Agent agent = a.ice4jComponent().getParentStream().getParentAgent();
        Object client = field(Agent.class, "connCheckClient").get(agent);
        Collection<Object> queue = (Collection<Object>) field(client.getClass(), "paceMakers").get(client);
        List<PeriodicRunnable> out = new ArrayList<>();
        synchronized (queue) {
            for (Object p : queue) {
                out.add((PeriodicRunnable) p);
            }
        }
        return out;
    }

    private static boolean running(PeriodicRunnable p) {
        try {
            return (boolean) field(PeriodicRunnable.class, "running").get(p);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static void connect(IceAgent a, IceAgent b) throws Exception {
        CompletableFuture<Void> ca = connected(a);
        CompletableFuture<Void> cb = connected(b);
        IcePairs.exchangeAndStart(a, b);
        ca.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        cb.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertTrue(a.state() == IceState.CONNECTED || a.state() == IceState.COMPLETED, a.state().toString());
    }

    private static CompletableFuture<Void> connected(IceAgent a) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        a.onStateChange(s -> {
            if (s == IceState.CONNECTED) {
                f.complete(null);
            } else if (s == IceState.FAILED || s == IceState.CLOSED) {
                f.completeExceptionally(new AssertionError("ICE state " + s));
            }
        });
        return f;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10); // polling a condition with a deadline
        }
    }
}
