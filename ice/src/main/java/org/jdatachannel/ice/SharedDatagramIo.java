package org.jdatachannel.ice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.DatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback {@link DatagramIo}: ONE JVM-wide daemon thread ({@value #THREAD_NAME}) with one
 * selector reads every host socket whose agent was given no I/O thread of its own (ice used
 * alone, tests), never a thread per socket. Started with the first registration; it then stays
 * (a daemon thread never keeps the JVM alive). Handlers of all those sockets run one after
 * another on it, so they must not block. Thread-safe.
 */
final class SharedDatagramIo implements DatagramIo {
    private static final Logger LOG = LoggerFactory.getLogger(SharedDatagramIo.class);

    /** The name of the shared I/O thread. */
    static final String THREAD_NAME = "jdc-ice-io";

    static final SharedDatagramIo INSTANCE = new SharedDatagramIo();

    private volatile IoSelector io;

    private SharedDatagramIo() {
    }

    private IoSelector io() throws IOException {
        IoSelector s = io;
        if (s != null) {
            return s;
        }
        synchronized (this) {
            if (io == null) {
                IoSelector created = IoSelector.open();
                Thread t = new Thread(() -> run(created), THREAD_NAME);
                t.setDaemon(true);
                io = created;
                t.start();
            }
            return io;
        }
    }

    private static void run(IoSelector s) {
        while (true) {
            try {
                Thread.interrupted(); // a pending interrupt would make select return at once, forever
                s.select(-1);
            } catch (IOException | UncheckedIOException e) {
                // Nothing else reads these sockets: keep going, but do not spin on a broken selector.
                LOG.error("the shared datagram I/O selector failed; retrying", e);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            } catch (RuntimeException | Error e) {
                LOG.error("the shared datagram I/O thread caught an unexpected failure; it goes on", e);
            }
        }
    }

    @Override
    public Registration register(DatagramChannel channel, Handler handler) throws IOException {
        return io().register(channel, handler);
    }

    /** @return the I/O thread's selector, or null before the first registration (tests) */
    IoSelector selectorForTest() {
        return io;
    }
}
