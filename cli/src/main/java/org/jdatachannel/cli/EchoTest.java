package org.jdatachannel.cli;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The echo test: on an ordered reliable {@code echo} channel send the {@link Scenario#echoMessages()}
 * and expect each back identical and in order; then the same on an unordered reliable channel also
 * labelled {@code echo}, compared as multisets; and expect the server's {@code hello} message.
 *
 * <p>The result is one JSON object: {@code {"ok":true,"test":"echo","role":"offer","setupMs":..,
 * "orderedMs":..,"unorderedMs":..,"messages":8,"hello":"hello from jdatachannel"}}; on failure
 * {@code "ok":false} and {@code "errors":[...]} saying what differed. {@link #run} never throws
 * and never waits longer than the options' timeout (plus closing).
 */
public final class EchoTest {

    private static final Logger LOG = LoggerFactory.getLogger(EchoTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private EchoTest() {
    }

    /** Runs the test against the server in {@code o}; see the class comment for the result. */
    public static ObjectNode run(ClientSession.Options o) {
        ObjectNode r = JSON.createObjectNode();
        r.put("ok", false);
        r.put("test", "echo");
        r.put("role", o.role());
        List<String> errors = new ArrayList<>();
        Deadline deadline = Deadline.in(o.timeout());
        ChannelProbe[] probes = new ChannelProbe[2];
        try (ClientSession s = ClientSession.connect(o, pc -> {
            probes[0] = new ChannelProbe(pc.createDataChannel(Scenario.ECHO, Channels.reliable(true)));
            probes[1] = new ChannelProbe(pc.createDataChannel(Scenario.ECHO, Channels.reliable(false)));
        }, deadline)) {
            deadline.await(probes[0].open, "opening the ordered echo channel");
            r.put("setupMs", s.elapsedMs());
            deadline.await(probes[1].open, "opening the unordered echo channel");
            r.put("orderedMs", phase("ordered", probes[0], true, deadline, errors));
            r.put("unorderedMs", phase("unordered", probes[1], false, deadline, errors));
            r.put("messages", Scenario.echoMessages().size());
            try {
                String hello = deadline.await(s.hello(), "the server's hello message");
                r.put("hello", hello);
                if (!Scenario.HELLO_TEXT.equals(hello)) {
                    errors.add("hello: expected \"" + Scenario.HELLO_TEXT + "\", got \"" + hello + "\"");
                }
            } catch (TimeoutException e) {
                errors.add(e.getMessage());
            }
        } catch (Exception e) {
            errors.add(describe(e, "echo"));
        }
        finish(r, errors);
        return r;
    }

    /** What went wrong, for a test's error list (restores the interrupt flag when interrupted). */
    static String describe(Exception e, String test) {
        if (e instanceof TimeoutException) {
            return e.getMessage();
        }
        if (e instanceof ExecutionException) {
            return String.valueOf(e.getCause());
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        LOG.debug("{} test failed", test, e);
        return e.toString();
    }

    static void finish(ObjectNode r, List<String> errors) {
        r.put("ok", errors.isEmpty());
        if (!errors.isEmpty()) {
            ArrayNode a = r.putArray("errors");
            errors.forEach(a::add);
        }
    }

    /** Sends every message, collects as many replies, compares; returns the phase's duration in ms. */
    private static long phase(String name, ChannelProbe p, boolean ordered, Deadline d, List<String> errors)
            throws InterruptedException {
        long t0 = System.nanoTime();
        List<Scenario.Msg> sent = Scenario.echoMessages();
        for (int i = 0; i < sent.size(); i++) {
            Scenario.Msg m = sent.get(i);
            try {
                if (m.binary()) {
                    p.channel.send(ByteBuffer.wrap(m.data()));
                } else {
                    p.channel.send(new String(m.data(), StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                errors.add(name + ": sending message " + i + " (" + m + ") failed: " + e);
                return elapsedMs(t0);
            }
        }
        List<Scenario.Msg> got = new ArrayList<>();
        while (got.size() < sent.size()) {
            Scenario.Msg m = p.next(d);
            if (m == null) {
                break;
            }
            got.add(m);
        }
        long ms = elapsedMs(t0);
        if (got.size() < sent.size()) {
            errors.add(name + ": received " + got.size() + " of " + sent.size() + " echoes"
                    + (p.closed.isDone() ? " before the channel closed" : " within " + d.total().toMillis() + " ms"));
        }
        if (p.error.isDone()) {
            errors.add(name + ": the channel reported an error: " + p.error.join());
        }
        if (p.overflow.get() > 0) {
            errors.add(name + ": " + p.overflow.get() + " unexpected extra messages");
        }
        if (ordered) {
            for (int i = 0; i < got.size(); i++) {
                if (!sent.get(i).equals(got.get(i))) {
                    errors.add(name + ": message " + i + " sent " + sent.get(i) + ", got back " + got.get(i));
                }
            }
        } else if (got.size() == sent.size()) {
            Map<Scenario.Msg, Integer> count = new HashMap<>();
            sent.forEach(m -> count.merge(m, 1, Integer::sum));
            List<Scenario.Msg> extra = new ArrayList<>();
            for (Scenario.Msg m : got) {
                if (count.merge(m, -1, Integer::sum) < 0) {
                    extra.add(m);
                }
            }
            List<Scenario.Msg> missing = new ArrayList<>();
            count.forEach((m, c) -> {
                for (int i = 0; i < c; i++) {
                    missing.add(m);
                }
            });
            if (!missing.isEmpty() || !extra.isEmpty()) {
                errors.add(name + ": echoes differ as a multiset: missing " + missing + ", unexpected " + extra);
            }
        }
        LOG.info("{} echo phase: {} of {} messages back in {} ms", name, got.size(), sent.size(), ms);
        return ms;
    }

    private static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
