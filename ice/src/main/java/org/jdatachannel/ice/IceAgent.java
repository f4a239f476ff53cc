package org.jdatachannel.ice;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidatePairState;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full ICE agent (RFC 8445) for one data-channel component, built on ice4j 3.2.
 *
 * <p>Lifecycle: construct, {@link #gather()} host candidates, {@link #setRemoteCredentials} and
 * {@link #addRemoteCandidate} (any number, before or after {@link #start()}: trickle is
 * supported), {@link #start()}, wait for {@link IceState#CONNECTED} via {@link #onStateChange},
 * then use {@link #transport()}; finally {@link #close()}.
 *
 * <p>What is gathered: exactly the addresses of the up network interfaces (loopback included) that
 * {@link IceConfig#addressFilter()} accepts, one UDP socket each. ice4j's own host harvester
 * (which skips loopback and takes every other address) is not used, nor are STUN/TURN/mapping
 * harvesters (see {@link Ice4jGlobals} for the JVM-wide settings this class applies).
 *
 * <p>Peer-reflexive candidates (RFC 8445 §7.3.1.3) are learned from authenticated incoming checks
 * and can be nominated, so a peer whose candidates are unknown or unresolvable (browser mDNS
 * names) still connects. Consent freshness (RFC 7675) runs on the selected pair when enabled:
 * with the timers {@link Ice4jGlobals} sets, a check every 4..6 s, and consent is lost (state
 * {@link IceState#FAILED}, sending throws) when no check has been answered for about 25..31 s.
 * A Failed selected pair soon after a confirmation (ice4j fails the pair when any check on it
 * times out) is only a suspicion, re-checked when a genuine expiry would have shown.
 *
 * <p>Receiving: datagrams from the selected pair's remote address are always accepted (its
 * 5-tuple is remembered when ICE connects), others only from the remote end of a pair on ice4j's
 * check list; the rest are dropped with a debug log.
 *
 * <p>Failure: a pair fails when its check times out or cannot be sent at all (for example no route
 * to the remote candidate; see {@link HostSocketCandidate}). When every pair has failed, ice4j
 * waits about 5 s for late responses, then the state becomes {@link IceState#FAILED}. A pair that
 * cannot be sent to is logged by ice4j at INFO (hidden by {@link IceLogging}), once per pair.
 *
 * <p>Threading: all methods are thread-safe. State callbacks run on an ice4j thread, except
 * {@link IceState#CLOSED}, which runs on the thread calling {@link #close()}; callbacks are
 * delivered one at a time in order and must not block (hop to your own thread).
 */
public final class IceAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IceAgent.class);

    /** Bound on remote candidates accepted (ice4j's check list holds at most 100 pairs). */
    public static final int MAX_REMOTE_CANDIDATES = 100;

    private static final String STREAM_NAME = "data";
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * Resolves remote host names off the caller's thread: at most 2 daemon threads (ended after
     * 5 s idle), at most 64 queued names; beyond that, candidates are skipped.
     */
    private static final ThreadPoolExecutor RESOLVER = new ThreadPoolExecutor(2, 2, 5, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(64), r -> {
                Thread t = new Thread(r, "jdc-ice-resolver");
                t.setDaemon(true);
                return t;
            });

    /** Re-checks a consent verdict later (see {@code checkConsent}); one daemon thread, ended when idle. */
    private static final java.util.concurrent.ScheduledThreadPoolExecutor CONSENT_TIMER =
            new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "jdc-ice-consent");
                t.setDaemon(true);
                return t;
            });

    static {
        RESOLVER.allowCoreThreadTimeOut(true);
        CONSENT_TIMER.setKeepAliveTime(5, TimeUnit.SECONDS);
        CONSENT_TIMER.allowCoreThreadTimeOut(true);
        CONSENT_TIMER.setRemoveOnCancelPolicy(true);
    }

    /**
     * ice4j's effective consent-check timing (JVM-global configuration).
     *
     * @param transactionMs how long one consent check is retransmitted before ice4j gives up:
     *                      the waits of ice4j's retransmission timer, which starts at its 100 ms
     *                      default whatever the configured first wait, doubles, is capped at the
     *                      configured maximum wait, for max-retransmissions + 1 waits
     * @param maxIntervalMs the longest gap between two consent checks (interval × 1.2)
     */
    record ConsentTiming(long transactionMs, long maxIntervalMs) {
        static ConsentTiming current() {
            org.ice4j.ice.AgentConfig cfg = org.ice4j.ice.AgentConfig.config;
            long max = Math.max(1, cfg.getConsentFreshnessMaxWaitInterval().toMillis());
            long wait = Math.min(org.ice4j.stack.StunClientTransaction.DEFAULT_ORIGINAL_WAIT_INTERVAL,
                    cfg.getConsentFreshnessOriginalWaitInterval().toMillis());
            long total = 0;
            for (int i = 0; i <= Math.max(0, cfg.getMaxConsentFreshnessRetransmissions()); i++) {
                total += Math.min(max, Math.max(1, wait));
                wait = Math.min(max, wait * 2);
            }
            return new ConsentTiming(total, cfg.getConsentFreshnessInterval().toMillis() * 6 / 5);
        }
    }

    private final IceConfig config;
    private final Agent agent;
    private final Object lock = new Object();
    private final Object emitLock = new Object();
    private final List<HostSocket> sockets = new CopyOnWriteArrayList<>();
    private final List<Consumer<IceState>> listeners = new CopyOnWriteArrayList<>();
    private final TransportImpl transport;

    // Guarded by lock.
    private IceMediaStream stream;
    /** Written once under lock in gather(); read without the lock by the transport. */
    private volatile Component component;
    private List<IceCandidate> localCandidates;
    private IOException harvestError;
    private String remoteUfrag;
    private String remotePassword;
    private final List<IceCandidate> pendingRemote = new ArrayList<>();
    private final List<CompletableFuture<Void>> resolutions = new ArrayList<>();
    private final Set<String> remoteSeen = new LinkedHashSet<>();
    private boolean started;
    private volatile boolean closed;

    /**
     * The selected pair's local and remote transport addresses, remembered when ice4j reports
     * a selected pair; read by socket reader threads without locks.
     */
    private volatile FiveTuple selected;
    /** Deferred consent verdicts reached so far (for tests). */
    private final java.util.concurrent.atomic.AtomicInteger deferredConsentChecks =
            new java.util.concurrent.atomic.AtomicInteger();
    /** Wall-clock ms (ice4j's consent timestamps are wall-clock) when ICE connected; 0 before. */
    private volatile long connectedAtMs;

    // Guarded by emitLock.
    private volatile IceState state = IceState.NEW;
    private volatile boolean consentLost;

    /**
     * Creates the agent and its credentials; binds nothing yet.
     *
     * @param config the configuration
     */
    public IceAgent(IceConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        Ice4jGlobals.apply();
        this.agent = new NullSafeCancelAgent();
        // RFC 8445 §6.1.1: "If both agents are full agents, the initiating agent MUST take the
        // controlling role" — the offerer (caller sets controlling=true when offering).
        agent.setControlling(config.controlling());
        // No ice4j host harvesting at all: our harvester below binds exactly the allowed addresses.
        agent.setUseDynamicPorts(false);
        agent.addCandidateHarvester(new AllowedAddressHarvester());
        // RFC 7675 §5.1 (consent freshness for the selected pair); off by default in ice4j.
        agent.setPerformConsentFreshness(config.consentFreshness());
        agent.addStateChangeListener(this::onIce4jStateChange);
        this.transport = new TransportImpl(config.receiveQueueCapacity());
    }

    /** @return the local ICE username fragment (RFC 8445 §5.3), for {@code a=ice-ufrag} */
    public String localUfrag() {
        return agent.getLocalUfrag();
    }

    /** @return the local ICE password (RFC 8445 §5.3), for {@code a=ice-pwd} */
    public String localPassword() {
        return agent.getLocalPassword();
    }

    /** @return the configuration */
    public IceConfig config() {
        return config;
    }

    /** @return the current state */
    public IceState state() {
        return state;
    }

    /**
     * Gathers host candidates synchronously: binds one UDP socket on every up interface address
     * accepted by the address filter. A second call returns the same list.
     *
     * @return the local candidates, highest priority first
     * @throws IOException if no address is accepted by the filter, or binding fails
     * @throws IllegalStateException if the agent is closed
     */
    public List<IceCandidate> gather() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("IceAgent is closed");
            }
            if (localCandidates != null) {
                return localCandidates;
            }
            if (harvestError != null) {
                throw harvestError;
            }
            stream = agent.createMediaStream(STREAM_NAME);
            stream.addPairChangeListener(this::onPairChange);
            if (remoteUfrag != null) {
                stream.setRemoteUfrag(remoteUfrag);
                stream.setRemotePassword(remotePassword);
            }
            try {
                component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
            } catch (IllegalArgumentException e) {
                throw new IOException("creating the ICE component failed: " + e.getMessage(), e);
            }
            if (harvestError != null) {
                throw harvestError;
            }
            List<IceCandidate> out = new ArrayList<>();
            for (LocalCandidate lc : component.getLocalCandidates()) {
                TransportAddress ta = lc.getTransportAddress();
                out.add(new IceCandidate(lc.getFoundation(), component.getComponentID(),
                        ta.getTransport().toString().toLowerCase(Locale.ROOT), lc.getPriority(),
                        literal(ta.getAddress()), ta.getPort(), lc.getType().toString(), null, -1));
            }
            if (out.isEmpty()) {
                harvestError = new IOException("no local address is accepted by the address filter");
                throw harvestError;
            }
            localCandidates = Collections.unmodifiableList(out);
            LOG.debug("{}: gathered {}", localUfrag(), localCandidates);
            for (IceCandidate c : pendingRemote) {
                addRemoteLocked(c);
            }
            pendingRemote.clear();
            return localCandidates;
        }
    }

    /**
     * Sets the peer's ICE credentials ({@code a=ice-ufrag}, {@code a=ice-pwd}).
     *
     * @param ufrag 1..256 characters (RFC 8839 §5.4 asks for 4..256; shorter is tolerated)
     * @param pwd   1..256 characters (RFC 8839 §5.4 asks for 22..256; shorter is tolerated)
     * @throws IllegalArgumentException if a value is empty, too long, or has a space or colon
     */
    public void setRemoteCredentials(String ufrag, String pwd) {
        checkIceChars("ufrag", ufrag);
        checkIceChars("pwd", pwd);
        synchronized (lock) {
            remoteUfrag = ufrag;
            remotePassword = pwd;
            if (stream != null) {
                stream.setRemoteUfrag(ufrag);
                stream.setRemotePassword(pwd);
            }
        }
    }

    private static void checkIceChars(String what, String v) {
        Objects.requireNonNull(v, what);
        if (v.isEmpty() || v.length() > 256) {
            throw new IllegalArgumentException(what + " must be 1..256 characters, was " + v.length());
        }
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch <= ' ' || ch == ':' || ch > '~') {
                throw new IllegalArgumentException(what + " has an invalid character at index " + i);
            }
        }
    }

    /**
     * Adds a remote candidate (signalled or trickled). Never throws for a candidate that cannot be
     * used: it is skipped with a debug log. Skipped are: components other than 1, transports other
     * than UDP, port 0, host names (including browser {@code .local} mDNS names) that do not
     * resolve, duplicates, and candidates beyond {@link #MAX_REMOTE_CANDIDATES}. IP literals are
     * added at once; host names are resolved on a shared daemon pool (this method never blocks on
     * DNS/mDNS) and added when they resolve.
     *
     * @param candidate the candidate
     */
    public void addRemoteCandidate(IceCandidate candidate) {
        Objects.requireNonNull(candidate, "candidate");
        synchronized (lock) {
            if (closed) {
                LOG.debug("closed, ignoring remote candidate {}", candidate);
                return;
            }
            if (component == null) {
                if (pendingRemote.size() >= MAX_REMOTE_CANDIDATES) {
                    LOG.debug("too many remote candidates, skipping {}", candidate);
                    return;
                }
                pendingRemote.add(candidate);
                return;
            }
            addRemoteLocked(candidate);
        }
    }

    private void addRemoteLocked(IceCandidate c) {
        if (c.component() != 1) {
            LOG.debug("skipping remote candidate for component {} (only 1 is used): {}", c.component(), c);
            return;
        }
        if (!c.transport().equalsIgnoreCase("udp")) {
            LOG.debug("skipping non-UDP remote candidate {}", c);
            return;
        }
        if (c.port() == 0) {
            LOG.debug("skipping remote candidate with port 0: {}", c);
            return;
        }
        if (isLiteral(c.address())) {
            InetAddress address = resolve(c.address());
            if (address != null) {
                addResolvedLocked(c, address);
            }
            return;
        }
        // A host name (browsers: "<uuid>.local" mDNS names). Resolving may block for the
        // resolver's timeout, so it runs on a small shared daemon pool, never on the caller's
        // thread; the candidate is added (trickled) when the name resolves, skipped otherwise.
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            RESOLVER.execute(() -> {
                try {
                    InetAddress address = resolve(c.address());
                    if (address != null) {
                        synchronized (lock) {
                            if (!closed) {
                                addResolvedLocked(c, address);
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.debug("adding resolved candidate {} failed: {}", c, e.toString());
                } finally {
                    f.complete(null);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("resolver queue full, skipping remote candidate {}", c);
            return;
        }
        resolutions.removeIf(CompletableFuture::isDone);
        resolutions.add(f);
    }

    private void addResolvedLocked(IceCandidate c, InetAddress address) {
        if (remoteSeen.size() >= MAX_REMOTE_CANDIDATES) {
            LOG.debug("too many remote candidates, skipping {}", c);
            return;
        }
        String key = address.getHostAddress() + "|" + c.port() + "|" + c.type();
        if (!remoteSeen.add(key)) {
            LOG.debug("duplicate remote candidate {}", c);
            return;
        }
        RemoteCandidate rc = new RemoteCandidate(new TransportAddress(address, c.port(), Transport.UDP),
                component, CandidateType.parse(c.type()), c.foundation(), c.priority(), null);
        if (!started) {
            component.addRemoteCandidate(rc);
        } else {
            // Trickle ICE (RFC 8838): pair the new candidate and schedule its checks.
            component.addUpdateRemoteCandidates(rc);
            component.updateRemoteCandidates();
        }
        LOG.debug("{}: remote candidate {} -> {}", localUfrag(), c, address);
    }

    /** Completes when every host-name resolution started so far has finished (for tests). */
    CompletableFuture<Void> pendingResolutions() {
        synchronized (lock) {
            return CompletableFuture.allOf(resolutions.toArray(new CompletableFuture[0]));
        }
    }

    private static boolean isLiteral(String host) {
        return IPV4_LITERAL.matcher(host).matches() || host.indexOf(':') >= 0;
    }

    /** Resolves an IP literal or host name; null (with a debug log) when it does not resolve. */
    private static InetAddress resolve(String host) {
        try {
            if (isLiteral(host)) {
                if (host.indexOf(':') < 0) {
                    for (String octet : host.split("\\.")) {
                        if (Integer.parseInt(octet) > 255) {
                            LOG.debug("skipping remote candidate with invalid IPv4 address {}", host);
                            return null; // getByName would treat it as a host name and look it up
                        }
                    }
                }
                return InetAddress.getByName(host); // a literal: no lookup
            }
            if (host.toLowerCase(Locale.ROOT).endsWith(".local")) {
                // Browser mDNS names (draft-ietf-mmusic-mdns-ice-candidates): usually not resolvable
                // here; the browser's checks reveal its address as a peer-reflexive candidate.
                try {
                    return InetAddress.getByName(host);
                } catch (UnknownHostException e) {
                    LOG.debug("skipping unresolvable mDNS candidate address {}", host);
                    return null;
                }
            }
            return InetAddress.getByName(host);
        } catch (UnknownHostException | SecurityException e) {
            LOG.debug("skipping remote candidate with unresolvable address {}: {}", host, e.toString());
            return null;
        }
    }

    /**
     * Begins connectivity checks (RFC 8445 §6.1.4). Remote candidates may still be added later.
     *
     * @throws IllegalStateException if {@link #gather()} has not succeeded, the remote credentials
     *                               are not set, it was already started, or the agent is closed
     */
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("IceAgent is closed");
            }
            if (localCandidates == null) {
                throw new IllegalStateException("gather() must succeed before start()");
            }
            if (remoteUfrag == null) {
                throw new IllegalStateException("setRemoteCredentials() must be called before start()");
            }
            if (started) {
                throw new IllegalStateException("start() was already called");
            }
            started = true;
            agent.startConnectivityEstablishment();
        }
    }

    /**
     * Registers a state listener. Called on an ice4j thread (see the class description).
     * Exceptions thrown by the listener are logged and ignored.
     *
     * @param listener the listener
     */
    public void onStateChange(Consumer<IceState> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * The datagram transport over the selected pair. The same object is returned every time; it
     * can receive as soon as a peer passes checks and send once the state is
     * {@link IceState#CONNECTED}.
     *
     * @return the transport
     */
    public IceTransport transport() {
        return transport;
    }

    /** @return the selected pair as "local -> remote", or null; for diagnostics */
    public String selectedPairDescription() {
        Component c = component;
        CandidatePair p = c == null ? null : c.getSelectedPair();
        return p == null ? null
                : p.getLocalCandidate().getTransportAddress() + " -> " + p.getRemoteCandidate().getTransportAddress()
                        + " (" + p.getRemoteCandidate().getType() + ")";
    }

    /** @return the local socket addresses bound by {@link #gather()} (for diagnostics and tests) */
    public List<InetSocketAddress> localSocketAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (HostSocket s : sockets) {
            out.add(s.local());
        }
        return out;
    }

    /** Number of remote candidates accepted so far (for tests). */
    int remoteCandidateCount() {
        synchronized (lock) {
            return component == null ? 0 : component.getRemoteCandidateCount();
        }
    }

    /** The ice4j component, null before {@link #gather()}; for tests. */
    Component ice4jComponent() {
        return component;
    }

    /** Number of deferred consent verdicts reached (see {@code checkConsent}); for tests. */
    int deferredConsentChecks() {
        return deferredConsentChecks.get();
    }

    /** Threads owned by this agent (socket readers); for tests. */
    List<Thread> ownThreads() {
        List<Thread> out = new ArrayList<>();
        for (HostSocket s : sockets) {
            out.add(s.readerThread());
        }
        return out;
    }

    /**
     * Closes the agent: stops checks, consent and keep-alives, frees ice4j's streams and STUN
     * transactions, closes every socket, stops this agent's reader threads (joined up to 1 s
     * each), wakes blocked {@link IceTransport#receive} callers, and reports
     * {@link IceState#CLOSED}. Idempotent.
     *
     * <p>ice4j's shared static thread pools stay (they are daemon threads, so they never keep the
     * JVM alive); each STUN reader thread of ice4j ends within about 200 ms.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            agent.free();
        } catch (RuntimeException e) {
            LOG.warn("freeing the ice4j agent failed", e);
        }
        for (HostSocket s : sockets) {
            s.close();
        }
        boolean interrupted = false;
        for (HostSocket s : sockets) {
            try {
                s.readerThread().join(1000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        transport.shutdown();
        emit(IceState.CLOSED);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- ice4j events ----

    private void onIce4jStateChange(PropertyChangeEvent e) {
        if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(e.getPropertyName())) {
            return;
        }
        IceProcessingState s = (IceProcessingState) e.getNewValue();
        LOG.debug("{}: ice4j state {} -> {}", localUfrag(), e.getOldValue(), s);
        if (closed) {
            return; // free() moves ice4j to TERMINATED; we report CLOSED instead
        }
        switch (s) {
            case RUNNING -> emit(IceState.CHECKING);
            case COMPLETED -> {
                connectedAtMs = System.currentTimeMillis(); // consent is granted by the checks (RFC 7675 §5.1)
                selectedTuple(); // remember the 5-tuple before anyone is told to send on it
                emit(IceState.CONNECTED);
            }
            case TERMINATED -> emit(IceState.COMPLETED);
            case FAILED -> emit(IceState.FAILED);
            default -> {
            }
        }
    }

    private void onPairChange(PropertyChangeEvent e) {
        if (!IceMediaStream.PROPERTY_PAIR_STATE_CHANGED.equals(e.getPropertyName())
                || !(e.getSource() instanceof CandidatePair pair)
                || e.getNewValue() != CandidatePairState.FAILED || closed) {
            return;
        }
        Component c = pair.getParentComponent();
        if (c != null && c.getSelectedPair() == pair
                && (state == IceState.CONNECTED || state == IceState.COMPLETED)) {
            checkConsent(pair, true);
        }
    }

    /**
     * The selected pair was set Failed by ice4j. That happens when a consent check goes
     * unanswered for its whole transaction (consent expired), but also when any other check
     * transaction on that pair fails (for example a connectivity check still in flight when the
     * pair was selected times out after about 6 s on a loaded machine), which is not consent
     * expiry: RFC 7675 §5.1 "Consent expires after 30 seconds. That is, if a valid STUN Binding
     * Response corresponding to one of the STUN requests sent in the last 30 seconds has not been
     * received from the remote peer, the endpoint MUST cease transmission on that 5-tuple."
     * So consent is lost only when the last consent confirmation (or the moment ICE connected)
     * is at least one whole consent-check transaction old; otherwise the verdict waits until a
     * genuine expiry would have surfaced, and is dropped if a consent check succeeded meanwhile
     * (ice4j keeps checking the selected pair and sets it Succeeded again).
     */
    private void checkConsent(CandidatePair pair, boolean mayDefer) {
        if (closed || consentLost) {
            return;
        }
        long last = Math.max(connectedAtMs, pair.getConsentFreshness());
        long now = System.currentTimeMillis();
        ConsentTiming t = ConsentTiming.current();
        if (now - last >= t.transactionMs() || !mayDefer) {
            // RFC 7675 §5.1: "the endpoint MUST cease transmission on that 5-tuple".
            LOG.info("{}: consent lost on selected pair {} (last confirmed {} ms ago)", localUfrag(),
                    pair.toShortString(), now - last);
            consentLost = true;
            emit(IceState.FAILED);
            return;
        }
        long delay = last + t.transactionMs() + t.maxIntervalMs() + 1000 - now;
        LOG.debug("{}: selected pair {} failed {} ms after consent was confirmed; checking again in {} ms",
                localUfrag(), pair.toShortString(), now - last, delay);
        CONSENT_TIMER.schedule(() -> {
            try {
                if (pair.getConsentFreshness() > last) {
                    LOG.debug("{}: consent on {} confirmed again; not lost", localUfrag(), pair.toShortString());
                    return;
                }
                Component c = component;
                if (c != null && c.getSelectedPair() == pair) {
                    checkConsent(pair, false);
                }
            } finally {
                deferredConsentChecks.incrementAndGet();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void emit(IceState next) {
        synchronized (emitLock) {
            IceState cur = state;
            if (cur == next || cur == IceState.CLOSED
                    || (cur == IceState.FAILED && next != IceState.CLOSED)
                    || (next == IceState.CHECKING && cur != IceState.NEW)
                    || (next == IceState.COMPLETED && cur != IceState.CONNECTED)) {
                return;
            }
            state = next;
            LOG.debug("{}: state {} -> {}", localUfrag(), cur, next);
            for (Consumer<IceState> l : listeners) {
                try {
                    l.accept(next);
                } catch (RuntimeException ex) {
                    LOG.warn("IceState listener threw", ex);
                }
            }
        }
    }

    /**
     * The local (base) and remote UDP addresses of a candidate pair.
     *
     * @param pair   the ice4j pair the addresses were taken from (identity, to notice a change)
     * @param local  local base address and port
     * @param remote remote address and port
     */
    private record FiveTuple(CandidatePair pair, InetSocketAddress local, InetSocketAddress remote) {
        static FiveTuple of(CandidatePair p) {
            LocalCandidate lc = p.getLocalCandidate();
            if (lc.getBase() != null) {
                lc = lc.getBase();
            }
            TransportAddress l = lc.getTransportAddress();
            TransportAddress r = p.getRemoteCandidate().getTransportAddress();
            return new FiveTuple(p, new InetSocketAddress(l.getAddress(), l.getPort()),
                    new InetSocketAddress(r.getAddress(), r.getPort()));
        }

        boolean matches(InetSocketAddress via, InetSocketAddress from) {
            return remote.getPort() == from.getPort() && local.getPort() == via.getPort()
                    && remote.getAddress().equals(from.getAddress()) && local.getAddress().equals(via.getAddress());
        }
    }

    /**
     * The selected pair's addresses: ice4j's current selected pair if it has one (remembered),
     * else the last one remembered; null before any pair was selected.
     */
    private FiveTuple selectedTuple() {
        Component c = component;
        CandidatePair p = c == null ? null : c.getSelectedPair();
        FiveTuple cur = selected;
        if (p == null || (cur != null && cur.pair() == p)) {
            return cur;
        }
        FiveTuple t = FiveTuple.of(p);
        selected = t;
        return t;
    }

    private static String literal(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        return pct < 0 ? s : s.substring(0, pct);
    }

    /**
     * ice4j's {@link Agent} with a STUN stack whose {@code cancelTransaction(null)} does nothing.
     *
     * <p>Why: {@code Agent.triggerCheck} (ice4j 3.2-15-g6da2b08), handling an incoming check for a
     * known pair it reads as In-Progress, calls {@code getStunStack().cancelTransaction(
     * pair.getConnectivityCheckTransaction())}. {@code CandidatePair.setState} writes the state
     * before the transaction id and {@code getState()} is unsynchronized, and a concurrent
     * response can set the pair Succeeded (id null) between the two reads, so the id read can be
     * null: {@code Hashtable.get(null)} throws NullPointerException, {@code StunStack} answers
     * the peer's check with a 500 error response (logged at INFO only), and the peer sets its pair
     * Failed at once. When that was the peer's only pair and it had no valid pair yet, its check
     * list fails 5 s later (ICE FAILED), while this side, whose own check succeeded, waits for a
     * nomination that never comes. Ignoring the null id lets the check be answered and the
     * triggered check scheduled, as RFC 8445 §7.3.1.4 asks.
     */
    private static final class NullSafeCancelAgent extends Agent {
        /** Not initialized in a field initializer: the Agent constructor calls getStunStack() first. */
        private org.ice4j.stack.StunStack stack;

        @Override
        public synchronized org.ice4j.stack.StunStack getStunStack() {
            if (stack == null) {
                stack = new org.ice4j.stack.StunStack() {
                    @Override
                    public void cancelTransaction(org.ice4j.stack.TransactionID transactionID) {
                        if (transactionID != null) {
                            super.cancelTransaction(transactionID);
                        }
                    }
                };
            }
            return stack;
        }
    }

    // ---- host candidate harvesting ----

    /** Binds one {@link HostSocket} per allowed address and registers it with ice4j. */
    private final class AllowedAddressHarvester implements CandidateHarvester {
        private final HarvestStatistics stats = new HarvestStatistics();

        @Override
        public Collection<LocalCandidate> harvest(Component comp) {
            List<LocalCandidate> out = new ArrayList<>();
            List<InetAddress> addresses;
            try {
                addresses = allowedAddresses();
            } catch (SocketException e) {
                harvestError = new IOException("listing network interfaces failed: " + e.getMessage(), e);
                return out;
            }
            for (InetAddress a : addresses) {
                HostSocket s;
                try {
                    s = HostSocket.bind(a, config.minPort(), config.maxPort(), transport::deliver);
                } catch (IOException e) {
                    harvestError = new IOException("binding " + a.getHostAddress() + " failed: " + e.getMessage(), e);
                    for (HostSocket done : sockets) {
                        done.close();
                    }
                    return List.of();
                }
                HostCandidate hc = new HostSocketCandidate(s, comp);
                if (!comp.addLocalCandidate(hc)) {
                    s.close();
                    continue;
                }
                sockets.add(s);
                agent.getStunStack().addSocket(s);
                s.start();
                out.add(hc);
            }
            return out;
        }

        @Override
        public HarvestStatistics getHarvestStatistics() {
            return stats;
        }

        @Override
        public boolean isHostHarvester() {
            return true;
        }
    }

    private List<InetAddress> allowedAddresses() throws SocketException {
        Set<InetAddress> out = new LinkedHashSet<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (config.addressFilter().test(a)) {
                    out.add(a);
                }
            }
        }
        return new ArrayList<>(out);
    }

    // ---- transport ----

    private record Datagram(byte[] data) {
    }

    /** Bound on the bytes waiting in the receive queue; datagrams beyond it are dropped. */
    static final long MAX_QUEUED_BYTES = 4L << 20;

    private final class TransportImpl implements IceTransport {
        private final Datagram poison = new Datagram(new byte[0]);
        private final BlockingQueue<Datagram> queue;
        private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean shut;

        TransportImpl(int capacity) {
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        /** Called on a socket reader thread for every non-STUN datagram. */
        void deliver(HostSocket via, byte[] data, InetSocketAddress from) {
            if (shut) {
                return;
            }
            if (!isKnownPeer(via, from)) {
                LOG.debug("{}: dropping {} bytes from unknown {}", localUfrag(), data.length, from);
                return;
            }
            if (queuedBytes.addAndGet(data.length) > MAX_QUEUED_BYTES) {
                queuedBytes.addAndGet(-data.length);
                LOG.debug("{}: receive queue holds {} bytes, dropping {} bytes", localUfrag(), queuedBytes.get(),
                        data.length);
                return;
            }
            if (!queue.offer(new Datagram(data))) {
                queuedBytes.addAndGet(-data.length);
                LOG.debug("{}: receive queue full, dropping {} bytes", localUfrag(), data.length);
            }
        }

        /**
         * Whether a datagram from {@code from} arriving on {@code via} comes from the peer: the
         * remote end of the selected pair (checked first, without touching ice4j's locks, and
         * remembered so that it keeps matching whatever ice4j later does to its check list), or
         * the remote end of any pair on the check list (one the peer signalled, or a
         * peer-reflexive one learned from an authenticated check; RFC 8445 §7.3.1.3), so data
         * that overtakes the nomination is not lost.
         */
        boolean isKnownPeer(HostSocket via, InetSocketAddress from) {
            InetSocketAddress local = via.local();
            FiveTuple sel = selectedTuple();
            if (sel != null && sel.matches(local, from)) {
                return true;
            }
            TransportAddress localTa = new TransportAddress(local.getAddress(), local.getPort(), Transport.UDP);
            TransportAddress remoteTa = new TransportAddress(from.getAddress(), from.getPort(), Transport.UDP);
            return agent.findCandidatePair(localTa, remoteTa) != null;
        }

        void shutdown() {
            shut = true;
            queue.clear();
            queue.offer(poison);
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, buf.length);
            if (len > MAX_DATAGRAM) {
                throw new IllegalArgumentException("datagram of " + len + " bytes exceeds " + MAX_DATAGRAM);
            }
            if (shut || closed) {
                throw new IOException("ICE transport is closed");
            }
            if (consentLost) {
                throw new IOException("consent to send expired (RFC 7675)");
            }
            Component c = component;
            CandidatePair pair = c == null ? null : c.getSelectedPair();
            if (pair == null) {
                throw new IOException("no selected candidate pair yet (ICE state " + state + ")");
            }
            LocalCandidate lc = pair.getLocalCandidate();
            if (lc.getBase() != null) {
                lc = lc.getBase();
            }
            TransportAddress localTa = lc.getTransportAddress();
            HostSocket via = null;
            for (HostSocket s : sockets) {
                if (s.local().getPort() == localTa.getPort() && s.local().getAddress().equals(localTa.getAddress())) {
                    via = s;
                    break;
                }
            }
            if (via == null) {
                throw new IOException("no socket for local candidate " + localTa);
            }
            TransportAddress remote = pair.getRemoteCandidate().getTransportAddress();
            via.sendData(buf, off, len, new InetSocketAddress(remote.getAddress(), remote.getPort()));
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            Objects.checkFromIndexSize(off, len, buf.length);
            if (waitMillis < 0) {
                throw new IllegalArgumentException("waitMillis must be >= 0, was " + waitMillis);
            }
            if (shut) {
                throw new IOException("ICE transport is closed");
            }
            Datagram d;
            try {
                d = waitMillis == 0 ? queue.poll() : queue.poll(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while receiving");
            }
            if (d == poison) {
                queue.offer(poison); // wake the next waiting receiver too
                throw new IOException("ICE transport is closed");
            }
            if (d == null) {
                if (shut) {
                    throw new IOException("ICE transport is closed");
                }
                return -1;
            }
            queuedBytes.addAndGet(-d.data.length);
            int n = d.data.length;
            if (n > len) {
                LOG.debug("{}: truncating a {}-byte datagram to {} bytes", localUfrag(), n, len);
                n = len;
            }
            System.arraycopy(d.data, 0, buf, off, n);
            return n;
        }

        @Override
        public void close() {
            IceAgent.this.close();
        }
    }
}
