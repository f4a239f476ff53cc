package org.jdatachannel.ice;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * <p>Lifecycle: construct, {@link #gather()} host candidates (STUN/TURN candidates follow through
 * {@link #onLocalCandidate} until {@link #gatheringDone()}), {@link #setRemoteCredentials} and
 * {@link #addRemoteCandidate} (any number, before or after {@link #start()}: trickle is
 * supported both ways), {@link #start()}, wait for {@link IceState#CONNECTED} via
 * {@link #onStateChange}, then use {@link #transport()}; finally {@link #close()}.
 *
 * <p>What is gathered: host candidates on exactly the addresses of the up network interfaces
 * (loopback included) that {@link IceConfig#addressFilter()} accepts, one UDP socket each
 * (ice4j's own host harvester, which skips loopback and takes every other address, is not used);
 * then, from {@link IceConfig#iceServers()}, server-reflexive candidates (STUN over UDP) and
 * relayed candidates (TURN over UDP) through ice4j's harvesters, from those host sockets. Under
 * {@link IceConfig#relayOnly()} only relayed candidates are advertised and paired. See
 * {@code docs/ICE4J.md} and {@link Ice4jGlobals} for what ice4j does JVM-wide.
 *
 * <p>Peer-reflexive candidates (RFC 8445 §7.3.1.3) are learned from authenticated incoming checks
 * and can be nominated, so a peer whose candidates are unknown or unresolvable (browser mDNS
 * names nobody answers for) still connects. Consent freshness (RFC 7675) runs on the selected
 * pair when enabled: ice4j sends a check every 4..6 s (JVM-wide, {@link Ice4jGlobals}); this
 * agent reports {@link IceState#DISCONNECTED} when none was answered for
 * {@link IceConfig#disconnectedTimeoutMs()}, {@link IceState#CONNECTED} again when one is, and
 * {@link IceState#FAILED} (sending throws) after {@link IceConfig#consentTimeoutMs()}. Data sent
 * before nomination on a valid pair ({@link #dataReady()}) has the check that validated the pair
 * as its consent: if no pair is selected within {@link IceConfig#consentTimeoutMs()} of it, the
 * agent reports {@link IceState#FAILED} and sending throws (whether or not consent freshness is on).
 * {@link IceState#FAILED} is terminal; the owner calls {@link #close()} to release the sockets,
 * threads and TURN allocations.
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
     * Resolves remote mDNS names off the caller's thread, shared by all agents: at most 8 daemon
     * threads (ended after 5 s idle), at most 64 queued names; beyond that, candidates are
     * skipped. Each agent has at most {@link #MAX_RESOLUTIONS_IN_FLIGHT} names here, so one peer
     * cannot take the whole pool (a name holds a thread up to {@link #MDNS_TIMEOUT_MS}).
     */
    private static final ThreadPoolExecutor RESOLVER = new ThreadPoolExecutor(8, 8, 5, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(64), r -> {
                Thread t = new Thread(r, "jdc-ice-resolver");
                t.setDaemon(true);
                return t;
            });

    /**
     * Runs every agent's consent watch (see {@link IceConfig#consentTimeoutMs()}) and gathering
     * deadlines: one shared daemon thread, ended after 5 s idle. Tasks are short and never block.
     */
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

    private final IceConfig config;
    /** The given resolver (tests), or null: {@link #mdns()} makes the default one on first use. */
    private final MdnsResolver givenMdns;
    /** The default resolver, made on the first {@code .local} name (most agents never see one). */
    private volatile MdnsResolver defaultMdns;
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
    /** Copy of {@link #remotePassword} for the socket readers' {@link StunGuard}; null until set. */
    private volatile String remotePasswordForGuard;
    /** Authenticates Binding requests/responses on every host socket before ice4j (see the class). */
    private final StunGuard stunGuard = new StunGuard(() -> remotePasswordForGuard, this::isServerAddress);
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
    /** Age of the last consent confirmation on the monotonic clock; created when ICE connects, watch task only. */
    private ConsentAge consentAge;
    /** The gathering deadline task on the shared timer, cancelled when gathering ends or on close; null if none. */
    private volatile java.util.concurrent.ScheduledFuture<?> gatheringDeadline;
    /** The periodic consent watch, started when ICE connects; null before. */
    private volatile java.util.concurrent.ScheduledFuture<?> consentWatch;

    // ---- background (STUN/TURN) gathering ----
    /** Guards {@link #gathered}, candidate listener registration and completing {@link #gatheringDone}. */
    private final Object candidateLock = new Object();
    private final List<IceCandidate> gathered = new ArrayList<>();
    private final List<Consumer<IceCandidate>> candidateListeners = new ArrayList<>();
    private final CompletableFuture<Void> gatheringDone = new CompletableFuture<>();
    /** Data paths by local base address: host sockets and TURN relayed sockets. */
    private final java.util.Map<InetSocketAddress, DataPath> paths = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Host socket address -> MTU of its interface (bytes, as listed when the socket was bound), for
     * {@link #dataPath()}: read from the interface listing gathering takes anyway, so no interface
     * lookup is needed when the path is asked for. At most one entry per host socket.
     */
    private final java.util.Map<InetSocketAddress, Integer> hostMtus = new java.util.concurrent.ConcurrentHashMap<>();
    /** Relayed candidate address -> the host socket address its allocation was made from. */
    private final java.util.Map<InetSocketAddress, InetSocketAddress> relayHosts =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Relayed candidates allocated (closed first on close, so their Refresh(0) can still be sent). */
    private final List<org.ice4j.ice.RelayedCandidate> relayed = new CopyOnWriteArrayList<>();
    /** Completes every STUN/TURN harvest still waiting for an answer (run on close). */
    private final List<Runnable> harvestAborts = new CopyOnWriteArrayList<>();
    /** Gathering threads and relayed-socket reader threads. */
    private final List<Thread> helperThreads = new CopyOnWriteArrayList<>();
    /** STUN/TURN server addresses; under relay-only the host sockets accept datagrams only from these. */
    private final Set<InetSocketAddress> serverAddresses = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** {@link System#nanoTime()} when ICE connected; written before the consent watch starts. */
    private volatile long connectedAtNanos;

    // ---- data before nomination (RFC 8445 §12.1) ----
    /** The highest-priority valid pair so far (our check on it succeeded); null before. */
    private volatile CandidatePair earlyPair;
    /** The peer sent us an authenticated connectivity check (it runs ICE with our credentials). */
    private volatile boolean peerChecked;
    /** Completed once data may flow before nomination; see {@link #dataReady()}. */
    private final CompletableFuture<Void> dataReady = new CompletableFuture<>();
    /** {@link System#nanoTime()} when {@link #earlyPair} was validated (its consent, RFC 7675 §5.1). */
    private volatile long earlyPairValidatedNanos;
    /** Ends early sending if no pair is selected in time; see {@link #earlyConsentCheck()}; null before. */
    private volatile java.util.concurrent.ScheduledFuture<?> earlyConsentDeadline;

    /** This agent's place in the JVM-wide check pacing (counted while ice4j is RUNNING). */
    private final CheckPacing.Slot pacingSlot = new CheckPacing.Slot();

    // Guarded by emitLock.
    private volatile IceState state = IceState.NEW;
    private volatile boolean consentLost;

    /**
     * Creates the agent and its credentials; binds nothing yet.
     *
     * @param config the configuration
     * @throws IllegalArgumentException when consent freshness is on and the consent timeouts are
     *         too short for ice4j's JVM-wide consent check interval (5 s randomized to at most
     *         6 s unless the application changed it; see {@link Ice4jGlobals}):
     *         {@link IceConfig#disconnectedTimeoutMs()} must be at least the longest gap between
     *         two checks plus two first-retransmission waits plus 500 ms (7500 ms with the
     *         defaults), and {@link IceConfig#consentTimeoutMs()} must exceed it; the message
     *         gives the minimum and why
     */
    public IceAgent(IceConfig config) {
        this(config, null);
    }

    /**
     * @param config the configuration
     * @param mdns   resolver for {@code .local} candidates, or null for the default (multicast on
     *               the interfaces of the addresses the address filter accepts)
     */
    IceAgent(IceConfig config, MdnsResolver mdns) {
        this.config = Objects.requireNonNull(config, "config");
        // The default resolver lists the network interfaces (0.3-2 ms of a connection's set-up
        // on a loaded 2-core box): made lazily, when the first .local candidate arrives.
        this.givenMdns = mdns;
        Ice4jGlobals.apply();
        ConsentTiming.effective().check(config);
        this.agent = new NullSafeCancelAgent(pacingSlot, this::onPeerCheck);
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
     * accepted by the address filter. A second call returns the same list. Then, when
     * {@link IceConfig#iceServers()} has usable servers, gathers server-reflexive (STUN, and the
     * mapped address of a TURN allocation) and relayed (TURN over UDP) candidates in the
     * background, reporting each through {@link #onLocalCandidate} and completing
     * {@link #gatheringDone()} when all servers answered or failed, or after
     * {@link IceConfig#gatheringTimeoutMs()} at the latest.
     *
     * @return the host candidates, highest priority first; empty under
     *         {@link IceConfig#relayOnly()}
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
            // W3C iceTransportPolicy "relay": "The ICE Agent uses only media relay candidates";
            // host candidates exist as the base of the TURN allocations but are not advertised.
            localCandidates = config.relayOnly() ? List.of() : Collections.unmodifiableList(out);
            LOG.debug("{}: gathered {}", localUfrag(), out);
            for (IceCandidate c : pendingRemote) {
                addRemoteLocked(c);
            }
            pendingRemote.clear();
            startServerGathering();
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
            remotePasswordForGuard = pwd;
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
     * than UDP, port 0, host names other than {@code .local} (never looked up in DNS), {@code .local}
     * mDNS names that do not resolve or arrive while {@link #MAX_RESOLUTIONS_IN_FLIGHT} of this
     * agent's names are being resolved, duplicates, and candidates beyond
     * {@link #MAX_REMOTE_CANDIDATES}. IP literals are added at once; {@code .local} names are
     * resolved on a shared daemon pool (this method never blocks on mDNS) and added when they
     * resolve.
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
        // A host name. RFC 8839 §5.1 lets <connection-address> be an FQDN, but browsers send
        // only IP literals and "<uuid>.local" mDNS names (draft-ietf-mmusic-mdns-ice-candidates),
        // and resolving whatever name a peer chooses would make us send DNS queries of its
        // choosing (and block a resolver thread for as long as DNS takes): other names are
        // skipped. The peer's checks still reveal its address as a peer-reflexive candidate.
        if (!c.address().toLowerCase(Locale.ROOT).endsWith(".local")) {
            LOG.debug("{}: skipping remote candidate with a non-.local host name (not resolved): {}", localUfrag(), c);
            return;
        }
        resolutions.removeIf(CompletableFuture::isDone);
        if (resolutions.size() >= MAX_RESOLUTIONS_IN_FLIGHT) {
            LOG.debug("{}: {} mDNS names already being resolved, skipping remote candidate {}", localUfrag(),
                    resolutions.size(), c);
            return;
        }
        // Resolving may block for the resolver's timeout, so it runs on a small shared daemon
        // pool, never on the caller's thread; the candidate is added (trickled) when the name
        // resolves, skipped otherwise.
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

    /** Most mDNS names one agent resolves at a time; further {@code .local} candidates are skipped meanwhile. */
    static final int MAX_RESOLUTIONS_IN_FLIGHT = 4;

    /** Completes when every host-name resolution started so far has finished (for tests). */
    CompletableFuture<Void> pendingResolutions() {
        synchronized (lock) {
            return CompletableFuture.allOf(resolutions.toArray(new CompletableFuture[0]));
        }
    }

    private static boolean isLiteral(String host) {
        return IPV4_LITERAL.matcher(host).matches() || host.indexOf(':') >= 0;
    }

    /** Time limit of one mDNS resolution, in milliseconds. */
    static final int MDNS_TIMEOUT_MS = 1000;

    /** Resolves an IP literal or host name; null (with a debug log) when it does not resolve. */
    private InetAddress resolve(String host) {
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
                // Browser mDNS names (draft-ietf-mmusic-mdns-ice-candidates): a one-shot mDNS
                // query (RFC 6762) on the interfaces ICE may use; never unicast DNS (RFC 6762 §3:
                // ".local." names are link-local). When nobody answers, the browser's checks still
                // reveal its address as a peer-reflexive candidate.
                InetAddress a = mdns().resolve(host, MDNS_TIMEOUT_MS);
                if (a == null) {
                    LOG.debug("skipping unresolvable mDNS candidate address {}", host);
                }
                return a;
            }
            LOG.debug("skipping remote candidate with non-.local host name {}", host);
            return null; // never reached: addRemoteLocked skips other host names
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
     * Registers a listener for candidates gathered in the background after {@link #gather()}
     * returned (server-reflexive and relayed; only relayed under {@link IceConfig#relayOnly()}),
     * for trickle ICE (RFC 8838 §4). Candidates already gathered are replayed to the new listener
     * at once, so registering late loses nothing. No candidate is reported after
     * {@link #gatheringDone()} completed: one that comes later (past
     * {@link IceConfig#gatheringTimeoutMs()}) is dropped, and a late relayed candidate's
     * allocation is released at once (never paired by this agent). Called on a gathering thread (or the registering
     * thread for replays), one candidate at a time, in order; must not block. Exceptions thrown
     * by the listener are logged and ignored.
     *
     * @param listener the listener
     */
    public void onLocalCandidate(Consumer<IceCandidate> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (candidateLock) {
            for (IceCandidate c : gathered) {
                callCandidateListener(listener, c);
            }
            candidateListeners.add(listener);
        }
    }

    private static void callCandidateListener(Consumer<IceCandidate> l, IceCandidate c) {
        try {
            l.accept(c);
        } catch (RuntimeException ex) {
            LOG.warn("local candidate listener threw", ex);
        }
    }

    /**
     * Completes (normally, never exceptionally) when gathering has ended: at once when
     * {@link #gather()} returns if no usable STUN/TURN server is configured, otherwise when every
     * server has answered or failed, or {@link IceConfig#gatheringTimeoutMs()} after
     * {@link #gather()}, or when the agent is closed. Incomplete before {@link #gather()}.
     *
     * @return a new future each call, completed when gathering ends (completing it yourself
     *         has no effect on the agent)
     */
    public CompletableFuture<Void> gatheringDone() {
        return gatheringDone.copy();
    }

    /**
     * @return every candidate advertised so far: the host candidates of {@link #gather()} (none
     *         under relay-only) followed by the ones reported to {@link #onLocalCandidate}; empty
     *         before {@link #gather()}
     */
    public List<IceCandidate> localCandidates() {
        List<IceCandidate> out = new ArrayList<>();
        synchronized (lock) {
            if (localCandidates != null) {
                out.addAll(localCandidates);
            }
        }
        synchronized (candidateLock) {
            out.addAll(gathered);
        }
        return out;
    }

    /**
     * Completes (on an ice4j thread, or at once if already so) when data may be sent before a
     * pair is selected: one of our checks succeeded (a valid pair, RFC 8445 §7.2.5.3.2) and the
     * peer has sent us an authenticated check, so it runs ICE with our credentials and knows our
     * candidates (a datagram sent earlier would be dropped by a peer that cannot yet tell where
     * it comes from). RFC 8445 §12.1: "An ICE agent MAY send data on any valid pair before
     * selected pairs have been produced for the data stream." Also completes when ICE connects
     * (a pair was selected), for a peer that sends no checks (ICE lite). Never completes if
     * neither happens (failure, close). If it completed before a pair was selected and none is
     * selected within {@link IceConfig#consentTimeoutMs()} of the valid pair's check, consent
     * on that pair has expired (RFC 7675 §5.1): the agent reports {@link IceState#FAILED}.
     *
     * @return a new future each call (completing it yourself has no effect on the agent)
     */
    public CompletableFuture<Void> dataReady() {
        return dataReady.copy();
    }

    /** For tests: this (controlling) agent never nominates a pair, so ICE never connects. */
    void nominationOffForTests() {
        agent.setNominationStrategy(org.ice4j.ice.NominationStrategy.NONE);
    }

    /** For tests: whether one of our checks succeeded (a valid pair exists). */
    boolean hasValidPairForTests() {
        return earlyPair != null;
    }

    /** ice4j validated a pair (our check on it succeeded); any ice4j thread. */
    private void onPairChange(PropertyChangeEvent e) {
        if (IceMediaStream.PROPERTY_PAIR_VALIDATED.equals(e.getPropertyName())
                && e.getSource() instanceof CandidatePair p) {
            CandidatePair cur = earlyPair;
            if (cur == null || p.getPriority() > cur.getPriority()) {
                earlyPairValidatedNanos = System.nanoTime(); // before earlyPair: send reads it second
                earlyPair = p;
            }
            maybeDataReady();
        }
    }

    /** The peer's authenticated check reached ice4j (MESSAGE-INTEGRITY and USERNAME verified). */
    private void onPeerCheck() {
        if (!peerChecked) {
            peerChecked = true;
            maybeDataReady();
        }
    }

    /** ice4j threads (pair validated, peer check); synchronized so the deadline is armed once. */
    private synchronized void maybeDataReady() {
        if (!closed && earlyPair != null && peerChecked && !dataReady.isDone()) {
            LOG.debug("{}: data may flow before nomination on {}", localUfrag(), earlyPair.toShortString());
            // Armed before dataReady completes: whoever sees dataReady sees the deadline pending.
            scheduleEarlyConsentCheck(config.consentTimeoutMs());
            dataReady.complete(null);
        }
    }

    /**
     * Consent on the early pair (RFC 7675 §5.1: "Consent expires after 30 seconds. That is, if a
     * valid STUN Binding Response corresponding to one of the STUN requests sent in the last 30
     * seconds has not been received from the remote peer, the endpoint MUST cease transmission on
     * that 5-tuple"). ice4j sends no more checks on a valid pair that is not nominated and runs
     * consent only on the selected pair, so the early pair's consent is the check response that
     * validated it: if no pair is selected within {@link IceConfig#consentTimeoutMs()} of that,
     * the agent stops sending and reports {@link IceState#FAILED}. Applies with consent freshness
     * off too (a peer that never nominates within the consent timeout has failed ICE).
     */
    private void scheduleEarlyConsentCheck(long delayMs) {
        if (closed) {
            return;
        }
        earlyConsentDeadline = CONSENT_TIMER.schedule(this::earlyConsentCheck, Math.max(1, delayMs),
                TimeUnit.MILLISECONDS);
        if (closed) {
            earlyConsentDeadline.cancel(false);
        }
    }

    /** The early-consent deadline task (consent timer thread); see {@link #scheduleEarlyConsentCheck}. */
    private void earlyConsentCheck() {
        try {
            Component c = component;
            if (closed || consentLost || (c != null && c.getSelectedPair() != null)) {
                return; // a pair was selected: its consent is the consent watch's (startConsentWatch)
            }
            long ageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - earlyPairValidatedNanos);
            if (ageMs < config.consentTimeoutMs()) {
                scheduleEarlyConsentCheck(config.consentTimeoutMs() - ageMs); // a later pair was validated
                return;
            }
            LOG.info("{}: no pair selected {} ms after {} was validated: consent expired, stop sending",
                    localUfrag(), ageMs, earlyPair == null ? "?" : earlyPair.toShortString());
            consentLost = true;
            emit(IceState.FAILED);
        } catch (RuntimeException e) {
            LOG.warn("early consent check failed", e);
        }
    }

    /** For tests: the pair the transport last sent on ("local -> remote"), or null before any send. */
    String lastSendPairForTests() {
        TransportImpl.SendPath p = transport.sendPath;
        return p == null ? null : p.pair().toShortString();
    }

    /** For tests: the highest-priority valid pair ("local -> remote"), or null. */
    String earlyPairForTests() {
        CandidatePair p = earlyPair;
        return p == null ? null : p.toShortString();
    }

    /** For tests: whether the early-pair consent deadline is still pending. */
    boolean earlyConsentDeadlinePendingForTests() {
        java.util.concurrent.ScheduledFuture<?> d = earlyConsentDeadline;
        return d != null && !d.isDone();
    }

    /**
     * The datagram transport over the selected pair. The same object is returned every time; it
     * can receive as soon as a peer passes checks and send once the state is
     * {@link IceState#CONNECTED}, or earlier on a valid pair once {@link #dataReady()} completed.
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

    /**
     * Where data goes now: the pair {@link #transport()} sends on (the selected pair, or before
     * nomination the early valid pair once {@link #dataReady()} completed; see
     * {@link IceTransport#send}), as the addresses that decide the largest datagram of the path.
     * Thread-safe (reads volatile state); the pair may change right after the call (an ICE restart
     * makes a new agent; ice4j may select another pair than the early one).
     *
     * @return the path, or null before any pair may carry data or once closed
     */
    public DataPathInfo dataPath() {
        if (closed) {
            return null;
        }
        Component c = component;
        CandidatePair pair = c == null ? null : c.getSelectedPair();
        if (pair == null) {
            pair = dataReady.isDone() ? earlyPair : null;
        }
        if (pair == null) {
            return null;
        }
        LocalCandidate lc = pair.getLocalCandidate();
        boolean relay = lc instanceof org.ice4j.ice.RelayedCandidate;
        if (lc.getBase() != null && !relay) {
            lc = lc.getBase();
        }
        TransportAddress la = lc.getTransportAddress();
        InetSocketAddress local = new InetSocketAddress(la.getAddress(), la.getPort());
        if (relay) {
            local = relayHosts.get(local); // the host socket that talks to the TURN server
            if (local == null) {
                return null;
            }
        }
        TransportAddress ra = pair.getRemoteCandidate().getTransportAddress();
        return new DataPathInfo(local, relay, new InetSocketAddress(ra.getAddress(), ra.getPort()),
                hostMtus.getOrDefault(local, -1));
    }

    /**
     * The path data takes (see {@link #dataPath()}).
     *
     * @param localSocket our socket the datagrams leave from: the host socket of a host or
     *     server-reflexive candidate, and for a relayed candidate the host socket that talks to the
     *     TURN server (the datagram then travels in a TURN Send indication or ChannelData message,
     *     RFC 8656 §11 and §12)
     * @param relayed whether the local candidate is a TURN relayed one
     * @param remote the remote candidate's address (for a relayed pair: the peer, behind the server)
     * @param interfaceMtu MTU of the interface holding {@code localSocket}'s address, bytes, as listed
     *     when the socket was bound during gathering; -1 if unknown
     */
    public record DataPathInfo(InetSocketAddress localSocket, boolean relayed, InetSocketAddress remote,
                               int interfaceMtu) {
        /**
         * A path whose interface MTU is unknown (-1).
         *
         * @param localSocket see the record
         * @param relayed see the record
         * @param remote see the record
         */
        public DataPathInfo(InetSocketAddress localSocket, boolean relayed, InetSocketAddress remote) {
            this(localSocket, relayed, remote, -1);
        }
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

    /**
     * Test hook (control runs only): removes the {@link StunGuard} from every host socket, so
     * tests can show what ice4j alone does with unauthenticated STUN.
     */
    void disableStunGuardForTest() {
        for (HostSocket s : sockets) {
            s.guard(null);
        }
    }

    /** Number of candidate pairs on ice4j's check list, 0 before {@link #gather()}; for tests. */
    int checkListSize() {
        synchronized (lock) {
            return stream == null ? 0 : stream.getCheckList().size();
        }
    }

    /**
     * Whether data from {@code from} arriving at local socket {@code local} would be accepted
     * (the receive path's source check); for tests.
     */
    boolean acceptsDataFrom(InetSocketAddress local, InetSocketAddress from) {
        return transport.isKnownPeer(local, from);
    }

    /**
     * Drop counters of the receive path, summed over this agent's sockets; for tests and
     * diagnostics.
     *
     * @param notDemultiplexed first byte not STUN/DTLS/TURN ChannelData (RFC 7983 §7)
     * @param stun             STUN-range datagrams over 1500 bytes or beyond ice4j's queue
     * @param unauthenticated  Binding requests without credentials, responses failing
     *                         MESSAGE-INTEGRITY ({@link StunGuard})
     * @param unknownSource    non-STUN datagrams from an address with no candidate pair
     * @param queueFull        datagrams beyond the receive queue's bound
     */
    record Drops(long notDemultiplexed, long stun, long unauthenticated, long unknownSource, long queueFull) {
    }

    /** @return the drop counters so far */
    Drops drops() {
        long notDemux = transport.droppedNotDemultiplexed.get();
        long stun = 0;
        long unauthenticated = 0;
        for (HostSocket s : sockets) {
            notDemux += s.droppedNotDemultiplexed();
            stun += s.droppedStun();
            unauthenticated += s.droppedUnauthenticated();
        }
        return new Drops(notDemux, stun, unauthenticated, transport.droppedUnknownSource.get(), transport.droppedQueueFull.get());
    }

    /** The ice4j component, null before {@link #gather()}; for tests. */
    Component ice4jComponent() {
        return component;
    }

    /** @return the selected pair's local candidate type ("host", "relay", ...), or null; for tests */
    String selectedLocalType() {
        Component c = component;
        CandidatePair p = c == null ? null : c.getSelectedPair();
        return p == null ? null : p.getLocalCandidate().getType().toString();
    }

    /** Test hook: every host socket drops (or again accepts) all arriving datagrams. */
    void dropIncoming(boolean drop) {
        for (HostSocket s : sockets) {
            s.dropAll(drop);
        }
    }

    /** @return the selected pair's latest consent confirmation (wall-clock ms), or -1; for tests */
    long selectedConsentFreshness() {
        Component c = component;
        CandidatePair p = c == null ? null : c.getSelectedPair();
        return p == null ? -1 : p.getConsentFreshness();
    }

    /** Number of relayed candidates in use (allocated, advertised, with a data path); for tests. */
    int relayedInUse() {
        return relayed.size();
    }

    /** Whether the gathering deadline is still scheduled on the shared timer; for tests. */
    boolean gatheringDeadlinePending() {
        java.util.concurrent.ScheduledFuture<?> d = gatheringDeadline;
        return d != null && !d.isDone();
    }

    /**
     * Threads owned by this agent (relayed-socket readers, gathering helpers); for tests. Host
     * sockets have none: they are read by the {@link IceConfig#datagramIo()} thread or the shared
     * fallback I/O thread.
     */
    List<Thread> ownThreads() {
        return new ArrayList<>(helperThreads);
    }

    /** @return the threads reading the host sockets (tests) */
    List<Thread> hostSocketIoThreads() {
        List<Thread> out = new ArrayList<>();
        for (HostSocket s : sockets) {
            out.add(s.ioThread());
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
        pacingSlot.stop();
        java.util.concurrent.ScheduledFuture<?> w = consentWatch;
        if (w != null) {
            w.cancel(false);
        }
        java.util.concurrent.ScheduledFuture<?> d = earlyConsentDeadline;
        if (d != null) {
            d.cancel(false);
        }
        finishGathering("closed");
        // RFC 8656 §7: "a client deletes an allocation by sending a Refresh request with LIFETIME
        // 0". ice4j sends it when a relayed socket closes (TurnCandidateHarvest.close), through the
        // STUN stack, which Agent.free() shuts down first: so close the relayed sockets before.
        for (org.ice4j.ice.RelayedCandidate rc : relayed) {
            try {
                // Stop ice4j's STUN reader of the relayed socket first: it would log the closed
                // socket as a WARN with a stack trace.
                agent.getStunStack().removeSocket(rc.getTransportAddress());
                rc.getCandidateIceSocketWrapper().close();
            } catch (RuntimeException e) {
                LOG.debug("closing relayed candidate {} failed: {}", rc, e.toString());
            }
        }
        try {
            agent.free();
        } catch (RuntimeException e) {
            LOG.warn("freeing the ice4j agent failed", e);
        }
        for (Runnable abort : harvestAborts) {
            try {
                abort.run(); // wakes gathering threads waiting for cancelled transactions
            } catch (RuntimeException e) {
                LOG.debug("aborting a harvest failed: {}", e.toString());
            }
        }
        for (HostSocket s : sockets) {
            s.close();
        }
        boolean interrupted = false;
        for (Thread t : helperThreads) {
            if (t.getName().startsWith(RELAY_READER_PREFIX)) {
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
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
        if (s == IceProcessingState.RUNNING) {
            pacingSlot.start();
        } else if (s == IceProcessingState.COMPLETED || s == IceProcessingState.FAILED
                || s == IceProcessingState.TERMINATED) {
            pacingSlot.stop(); // nominated or given up: no more checks to pace (RFC 8445 §8.1.2)
        }
        if (closed) {
            return; // free() moves ice4j to TERMINATED; we report CLOSED instead
        }
        switch (s) {
            case RUNNING -> emit(IceState.CHECKING);
            case COMPLETED -> {
                connectedAtNanos = System.nanoTime(); // consent is granted by the checks (RFC 7675 §5.1)
                selectedTuple(); // remember the 5-tuple before anyone is told to send on it
                keepSelectedOnCheckList();
                dataReady.complete(null);
                java.util.concurrent.ScheduledFuture<?> d = earlyConsentDeadline;
                if (d != null) {
                    d.cancel(false); // the consent watch takes over on the selected pair
                }
                emit(IceState.CONNECTED);
                startConsentWatch();
            }
            case TERMINATED -> {
                keepSelectedOnCheckList();
                emit(IceState.COMPLETED);
            }
            case FAILED -> emit(IceState.FAILED);
            default -> {
            }
        }
    }

    /**
     * Starts the per-agent consent watch (RFC 7675 §5.1) once ICE connected: ice4j sends the
     * consent checks (JVM-wide interval, see {@link Ice4jGlobals}) and stamps the selected pair
     * with the time of each answer ({@code CandidatePair.getConsentFreshness()}); this watch
     * reads that stamp a few times per {@link IceConfig#disconnectedTimeoutMs()} and moves the
     * state. ice4j setting the pair Failed is not taken as a verdict (it does that when any one
     * check transaction on the pair times out, including a late connectivity check), only the
     * age of the last answer counts.
     */
    private void startConsentWatch() {
        if (!config.consentFreshness() || consentWatch != null || closed) {
            return;
        }
        long period = Math.max(50, Math.min(1000, config.disconnectedTimeoutMs() / 5));
        consentWatch = CONSENT_TIMER.scheduleAtFixedRate(this::watchConsent, period, period, TimeUnit.MILLISECONDS);
        if (closed) {
            consentWatch.cancel(false);
        }
    }

    /**
     * Puts the selected pair back on ice4j's check list when a race removed it (a triggered check
     * set the Succeeded pair Waiting just before handleNominationConfirmed pruned Waiting pairs):
     * ice4j's Agent.triggerCheck finds pairs on the check list only, and answers the peer's checks
     * (consent) for an unknown pair with 403 once its client stopped.
     */
    private void keepSelectedOnCheckList() {
        // Not under lock: the COMPLETED event can come on a thread holding ice4j's startLock.
        org.ice4j.ice.IceMediaStream st = stream;
        Component c = component;
        {
            if (closed || st == null || c == null) {
                return;
            }
            CandidatePair p = c.getSelectedPair();
            if (p == null) {
                return;
            }
            org.ice4j.ice.CheckList cl = st.getCheckList();
            synchronized (cl) {
                if (st.findCandidatePair(p.getLocalCandidate().getTransportAddress(),
                        p.getRemoteCandidate().getTransportAddress()) == null) {
                    cl.add(p);
                    LOG.debug("{}: selected pair {} was missing from the check list: re-added", localUfrag(),
                            p.toShortString());
                }
            }
        }
    }

    private void watchConsent() {
        try {
            if (closed || consentLost) {
                consentWatch.cancel(false);
                return;
            }
            Component c = component;
            CandidatePair pair = c == null ? null : c.getSelectedPair();
            if (pair == null) {
                return;
            }
            keepSelectedOnCheckList();
            if (consentAge == null) {
                consentAge = new ConsentAge(connectedAtNanos);
            }
            // ice4j's stamp is wall-clock: only its changes are used, timed on the monotonic
            // clock (see ConsentAge); a newly selected pair counts from when it was selected.
            long age = consentAge.observe(pair, pair.getConsentFreshness(), System.nanoTime());
            if (age >= config.consentTimeoutMs()) {
                // RFC 7675 §5.1: "Consent expires after 30 seconds. That is, if a valid STUN
                // Binding Response corresponding to one of the STUN requests sent in the last 30
                // seconds has not been received from the remote peer, the endpoint MUST cease
                // transmission on that 5-tuple."
                LOG.info("{}: consent lost on selected pair {} (last confirmed {} ms ago)", localUfrag(),
                        pair.toShortString(), age);
                consentLost = true;
                emit(IceState.FAILED);
                consentWatch.cancel(false);
            } else if (age >= config.disconnectedTimeoutMs()) {
                // W3C webrtc-pc RTCIceTransportState "disconnected": "The ICE Agent has determined
                // that connectivity is currently lost for this RTCIceTransport. This is a transient
                // state that may trigger intermittently (and resolve itself without action)".
                if (state == IceState.CONNECTED || state == IceState.COMPLETED) {
                    LOG.debug("{}: no consent answer for {} ms: disconnected", localUfrag(), age);
                }
                emit(IceState.DISCONNECTED);
            } else if (state == IceState.DISCONNECTED) {
                LOG.debug("{}: consent confirmed again: connected", localUfrag());
                emit(IceState.CONNECTED);
                if (agent.getState() == IceProcessingState.TERMINATED) {
                    emit(IceState.COMPLETED);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("consent watch failed", e);
        }
    }

    private void emit(IceState next) {
        synchronized (emitLock) {
            IceState cur = state;
            if (cur == next || cur == IceState.CLOSED
                    || (cur == IceState.FAILED && next != IceState.CLOSED)
                    || (next == IceState.CHECKING && cur != IceState.NEW)
                    || (next == IceState.COMPLETED && cur != IceState.CONNECTED)
                    || (next == IceState.DISCONNECTED && cur != IceState.CONNECTED && cur != IceState.COMPLETED)
                    || (next == IceState.CONNECTED && cur == IceState.COMPLETED)) {
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
     *
     * <p>Also: no connectivity-check pacer of this agent outlives its termination (see
     * {@link #calculateTa()}).
     */
    private static final class NullSafeCancelAgent extends Agent {
        /** Set when {@link #free()} starts; read by ice4j's pacer threads. */
        private volatile boolean freed;
        /** The owning IceAgent's place in the JVM-wide pacing count. */
        private final CheckPacing.Slot pacingSlot;
        /** Told of each authenticated check of the peer that ice4j accepts. */
        private final Runnable onPeerCheck;

        NullSafeCancelAgent(CheckPacing.Slot pacingSlot, Runnable onPeerCheck) {
            this.pacingSlot = pacingSlot;
            this.onPeerCheck = onPeerCheck;
        }

        /**
         * ice4j's {@code ConnectivityCheckServer} calls this for a Binding request whose USERNAME
         * names our ufrag and whose MESSAGE-INTEGRITY the STUN stack verified with our password
         * (before our ICE started too: ice4j then keeps the pair for later and answers).
         */
        @Override
        protected boolean incomingCheckReceived(TransportAddress remoteAddress, TransportAddress localAddress,
                long priority, String remoteUFrag, String localUFrag, boolean useCandidate) {
            boolean answer = super.incomingCheckReceived(remoteAddress, localAddress, priority, remoteUFrag,
                    localUFrag, useCandidate);
            if (answer) {
                onPeerCheck.run();
            }
            return answer;
        }

        @Override
        public void free() {
            freed = true;
            super.free();
        }

        /**
         * The pacing interval Ta (ms) of {@link CheckPacing} (5 ms per agent of the JVM running
         * checks, at most ice4j's 20 ms), or -1 once this agent is freed or has terminated
         * (TERMINATED or FAILED), which makes every connectivity-check pacer of the agent end at
         * its next beat instead of rescheduling itself.
         *
         * <p>Why: ice4j (3.2-15-g6da2b08) paces checks with {@code ConnectivityCheckClient.PaceMaker},
         * a {@code PeriodicRunnable} on the JVM-wide {@code Agent} timer and executor whose
         * {@code getDelayUntilNextRun()} is {@code calculateTa() * max(1, active check lists)}:
         * never negative, so it runs every Ta ms until cancelled ({@code terminate()} and
         * {@code free()} call {@code ConnectivityCheckClient.stop()}). {@code PeriodicRunnable}
         * loses a cancel that comes while a run is finishing: {@code executeRun()} checks
         * {@code running}, computes the next delay, then {@code scheduleNextRun()} sees
         * {@code submittedExecute == null} (cleared by {@code cancel()}), does not take it for a
         * cancelled recurrent run, sets {@code running = true} and reschedules. {@code stop()} has
         * already dropped the pacer from its list, so nothing cancels it again: it runs at 50 Hz
         * forever, holding the freed agent. Seen in {@code Soak}: pacers of 5 of 600 closed agents
         * still running after 300 cycles (about 250 Agent-executor tasks/s after the last close),
         * the likely cause of the tens of {@code ice4j.Agent-executor} workers still alive after
         * the quiet period of 10,000-cycle runs. A negative delay is
         * {@code PeriodicRunnable}'s own way to stop ({@code scheduleNextRun}: "running = false").
         * ice4j itself stops the pacers when the agent terminates, so nothing needs them then;
         * the only other caller, the STUN harvest RTO ({@code max(100, Ta * ...)}), is not used
         * after termination.
         */
        @Override
        protected long calculateTa() {
            org.ice4j.ice.IceProcessingState s = getState();
            if (freed || s == org.ice4j.ice.IceProcessingState.TERMINATED
                    || s == org.ice4j.ice.IceProcessingState.FAILED) {
                // Only a pacer whose cancel raced with the end of its run gets here.
                LOG.debug("ice4j agent {} (freed: {}): ending a check pacer that outlived its cancel", s, freed);
                return -1;
            }
            // RFC 8445 §14.2: one JVM-wide 5 ms floor for all agents' checks instead of ice4j's
            // fixed 20 ms per agent (see CheckPacing); this agent counts while it has checks to send.
            pacingSlot.waiting(hasWaitingChecks());
            return CheckPacing.ta();
        }

        /** @return whether a pair of a check list is Waiting or Frozen (a triggered check is Waiting) */
        private boolean hasWaitingChecks() {
            for (org.ice4j.ice.IceMediaStream st : getStreams()) {
                for (Object o : st.getCheckList().toArray()) { // Vector.toArray: one synchronized copy
                    org.ice4j.ice.CandidatePairState ps = ((CandidatePair) o).getState();
                    if (ps == org.ice4j.ice.CandidatePairState.WAITING || ps == org.ice4j.ice.CandidatePairState.FROZEN) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Exposes {@code createCandidatePair} (it computes the pair priority for our role). */
        CandidatePair newPair(LocalCandidate local, RemoteCandidate remote) {
            return createCandidatePair(local, remote);
        }

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

    // ---- STUN/TURN gathering (background) ----

    /** Most STUN/TURN URLs gathered from per agent (one thread each); more are skipped with a log. */
    static final int MAX_GATHER_JOBS = 8;
    private static final String RELAY_READER_PREFIX = "jdc-ice-relay-rx-";

    /** One usable server URL. */
    private record GatherJob(IceServer server, IceServer.Url url) {
    }

    /** Called under {@link #lock} at the end of a successful {@link #gather()}. */
    private void startServerGathering() {
        List<GatherJob> jobs = new ArrayList<>();
        for (IceServer server : config.iceServers()) {
            for (IceServer.Url url : server.parsedUrls()) {
                if (url.transport() != IceServer.Transport.UDP) {
                    // ice4j's STUN/TURN harvesters talk to a server only from a host candidate of
                    // the same transport (ours are UDP), and ice4j's TCP sockets frame every
                    // message with a 2-byte length (RFC 4571), which TURN over TCP does not use
                    // (RFC 8656 §5: STUN messages back to back on the stream); no TLS either.
                    // See docs/ICE4J.md.
                    LOG.info("{}: skipping ICE server URL {}: only UDP to STUN/TURN servers is supported",
                            localUfrag(), server.urls());
                } else if (!url.isTurn() && config.relayOnly()) {
                    LOG.debug("{}: relay-only: skipping STUN server {}", localUfrag(), url.host());
                } else if (jobs.size() >= MAX_GATHER_JOBS) {
                    LOG.info("{}: more than {} usable ICE server URLs, skipping {}:{}", localUfrag(),
                            MAX_GATHER_JOBS, url.host(), url.port());
                } else {
                    jobs.add(new GatherJob(server, url));
                }
            }
        }
        if (jobs.isEmpty()) {
            finishGathering("no STUN/TURN server");
            return;
        }
        gatheringDeadline = CONSENT_TIMER.schedule(
                () -> finishGathering("timeout after " + config.gatheringTimeoutMs() + " ms"),
                config.gatheringTimeoutMs(), TimeUnit.MILLISECONDS);
        java.util.concurrent.atomic.AtomicInteger remaining = new java.util.concurrent.atomic.AtomicInteger(jobs.size());
        for (GatherJob job : jobs) {
            Thread t = new Thread(() -> {
                try {
                    harvest(job);
                } catch (RuntimeException e) {
                    LOG.warn("{}: gathering from {} failed", localUfrag(), job.url(), e);
                } finally {
                    if (remaining.decrementAndGet() == 0) {
                        finishGathering("all servers done");
                    }
                    helperThreads.remove(Thread.currentThread());
                }
            }, "jdc-ice-gather-" + job.url().host() + ":" + job.url().port());
            t.setDaemon(true);
            helperThreads.add(t);
            t.start();
        }
    }

    private void finishGathering(String why) {
        java.util.concurrent.ScheduledFuture<?> deadline = gatheringDeadline;
        if (deadline != null) {
            deadline.cancel(false); // removed from the shared timer's queue (remove-on-cancel)
        }
        synchronized (candidateLock) {
            if (!gatheringDone.isDone()) {
                LOG.debug("{}: gathering done ({})", localUfrag(), why);
                gatheringDone.complete(null);
            }
        }
    }

    /** Runs on a gathering thread: one STUN Binding or TURN Allocate exchange with one server. */
    private void harvest(GatherJob job) {
        IceServer.Url url = job.url();
        InetAddress address;
        try {
            address = InetAddress.getByName(url.host());
        } catch (UnknownHostException | SecurityException e) {
            LOG.info("{}: ICE server {} does not resolve: {}", localUfrag(), url.host(), e.toString());
            return;
        }
        if (closed) {
            return;
        }
        serverAddresses.add(new InetSocketAddress(address, url.port()));
        TransportAddress server = new TransportAddress(address, url.port(), Transport.UDP);
        org.ice4j.ice.harvest.StunCandidateHarvester h = url.isTurn()
                ? new RelayHarvester(server, new org.ice4j.security.LongTermCredential(
                        job.server().username(), job.server().credential()))
                : new StunHarvester(server);
        Component comp = component;
        // Blocks until every host candidate of a reachable family got an answer or its STUN
        // transactions timed out (ice4j retransmission settings, see Ice4jGlobals).
        Collection<LocalCandidate> found = h.harvest(comp);
        for (LocalCandidate lc : found) {
            boolean isRelay = lc instanceof org.ice4j.ice.RelayedCandidate;
            if (config.relayOnly() && !isRelay) {
                continue;
            }
            IceCandidate c = toIceCandidate(lc, comp);
            boolean advertised;
            synchronized (candidateLock) {
                // RFC 8838 §4.4 (paraphrased): the end-of-candidates indication tells the peer
                // that no further candidates follow in this generation. A candidate that comes in after gatheringDone (the
                // deadline passed, or closed) is therefore not advertised, and a relayed one is
                // not used either: unadvertised, the peer never pairs with it, and its
                // allocation would only cost the server. Decided here, before it carries data.
                advertised = !gatheringDone.isDone() && !closed;
                if (advertised) {
                    LOG.debug("{}: gathered {}", localUfrag(), c);
                    gathered.add(c);
                    for (Consumer<IceCandidate> l : candidateListeners) {
                        callCandidateListener(l, c);
                    }
                } else {
                    LOG.debug("{}: candidate {} arrived after gathering ended; dropped", localUfrag(), c);
                }
            }
            if (lc instanceof org.ice4j.ice.RelayedCandidate rc) {
                if (advertised) {
                    addRelayed(rc);
                    pairLateLocal(rc);
                } else {
                    deallocate(rc);
                }
            }
        }
    }

    private IceCandidate toIceCandidate(LocalCandidate lc, Component comp) {
        TransportAddress ta = lc.getTransportAddress();
        TransportAddress rel = lc.getRelatedAddress();
        String relAddress = rel == null ? null : literal(rel.getAddress());
        int relPort = rel == null ? -1 : rel.getPort();
        if (config.relayOnly() && rel != null) {
            // RFC 8839 §5.1: "<rel-addr> and <rel-port> MUST be present for server
            // reflexive, peer reflexive, and relayed candidates"; for a relayed one they are
            // the mapped address of the allocation, i.e. our public address, which a relay
            // policy exists to hide. Like libwebrtc under a relay-only filter, send them
            // zeroed (0.0.0.0 port 0): present for the grammar, revealing nothing.
            relAddress = rel.getAddress() instanceof java.net.Inet6Address ? "::" : "0.0.0.0";
            relPort = 0;
        }
        return new IceCandidate(lc.getFoundation(), comp.getComponentID(),
                ta.getTransport().toString().toLowerCase(Locale.ROOT), lc.getPriority(),
                literal(ta.getAddress()), ta.getPort(), lc.getType().toString(), relAddress, relPort);
    }

    /**
     * Releases a relayed candidate that will not be used: stops ice4j's STUN reader on it and
     * closes its socket, which deletes the allocation (RFC 8656 §7: a Refresh with LIFETIME 0).
     * ice4j has no way to remove a local candidate from the component; one dropped before
     * {@link #start()} may still be paired by ice4j, and its checks then fail at once (socket
     * closed).
     */
    private void deallocate(org.ice4j.ice.RelayedCandidate rc) {
        try {
            agent.getStunStack().removeSocket(rc.getTransportAddress());
            rc.getCandidateIceSocketWrapper().close();
        } catch (RuntimeException e) {
            LOG.debug("{}: releasing relayed candidate {} failed: {}", localUfrag(), rc, e.toString());
        }
    }

    /**
     * Pairs a local candidate gathered after {@link #start()} with the remote candidates known so
     * far and adds the pairs to the running check list (ice4j pairs only remote candidates that
     * arrive late). RFC 8838 §8.2 (pairing newly gathered local candidates), paraphrased: a local
     * candidate gathered while checks run is paired with the remote candidates and the pairs are
     * added to the checklist as RFC 8445 §6.1.2 describes. (Without this, a relay-only agent that
     * started before its relayed candidate arrived has no pair, never sends, and so never creates
     * the TURN permission the peer's checks need.) Before {@link #start()} nothing is needed: the check list is formed from every
     * local candidate then. Server-reflexive candidates are never paired (RFC 8445 §6.1.2.4
     * replaces them by their base, already paired).
     */
    private void pairLateLocal(LocalCandidate lc) {
        synchronized (lock) {
            if (!started || closed) {
                return;
            }
            org.ice4j.ice.CheckList checkList = stream.getCheckList();
            int added = 0;
            for (RemoteCandidate rc : component.getRemoteCandidates()) {
                if (!lc.canReach(rc) || rc.getTransportAddress().getPort() == 0
                        || checkList.findPairMatching(lc, rc) != null) {
                    continue;
                }
                checkList.add(((NullSafeCancelAgent) agent).newPair(lc, rc));
                added++;
            }
            LOG.debug("{}: paired late local candidate {} with {} remote candidates", localUfrag(),
                    lc.getTransportAddress(), added);
        }
    }

    /**
     * Makes a relayed candidate carry data: its socket (ice4j's RelayedCandidateDatagramSocket
     * inside a MultiplexingDatagramSocket, whose STUN part ice4j's stack already reads) gets a
     * reader thread for the non-STUN datagrams and becomes the data path of its address.
     */
    private void addRelayed(org.ice4j.ice.RelayedCandidate rc) {
        synchronized (lock) {
            if (closed) {
                deallocate(rc);
                return;
            }
            relayed.add(rc);
        }
        org.ice4j.socket.IceSocketWrapper w = rc.getCandidateIceSocketWrapper();
        TransportAddress ta = rc.getTransportAddress();
        InetSocketAddress local = new InetSocketAddress(ta.getAddress(), ta.getPort());
        paths.put(local, (buf, off, len, to) -> w.send(new java.net.DatagramPacket(buf, off, len, to)));
        Thread t = new Thread(() -> readRelayed(w, local), RELAY_READER_PREFIX + local);
        t.setDaemon(true);
        helperThreads.add(t);
        t.start();
    }

    private void readRelayed(org.ice4j.socket.IceSocketWrapper w, InetSocketAddress local) {
        // ice4j's MultiplexingDatagramSocket hands out at most 1500 bytes per datagram.
        byte[] buf = new byte[RELAY_RECEIVE_BUFFER];
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        try {
            while (!closed) {
                p.setData(buf, 0, buf.length);
                try {
                    w.receive(p);
                } catch (IOException e) {
                    if (closed) {
                        break;
                    }
                    LOG.debug("{}: relayed socket {} receive failed: {}", localUfrag(), local, e.toString());
                    break;
                }
                if (p.getLength() > 0 && !HostSocket.isDemultiplexed(buf[p.getOffset()] & 0xFF)) {
                    // The same RFC 7983 §7 rule as on host sockets (see HostSocket.isDemultiplexed).
                    transport.droppedNotDemultiplexed.incrementAndGet();
                } else if (p.getLength() > 0) {
                    transport.deliver(local, Arrays.copyOfRange(buf, p.getOffset(), p.getOffset() + p.getLength()),
                            (InetSocketAddress) p.getSocketAddress());
                }
            }
        } finally {
            helperThreads.remove(Thread.currentThread());
            LOG.debug("{}: relayed reader {} stopped", localUfrag(), local);
        }
    }

    /** Bound of {@link #relayHosts}: at most one allocation per host socket and TURN server. */
    private static final int MAX_RELAY_HOSTS = 256;

    /** Receive buffer of a relayed socket reader. */
    private static final int RELAY_RECEIVE_BUFFER = 65536;

    /** Sends a datagram from one local base address. */
    @FunctionalInterface
    private interface DataPath {
        void send(byte[] buf, int off, int len, InetSocketAddress to) throws IOException;
    }

    /**
     * ice4j's STUN harvester whose harvests can be aborted on {@link #close()} (see
     * {@link AbortableStunHarvest}).
     */
    private final class StunHarvester extends org.ice4j.ice.harvest.StunCandidateHarvester {
        StunHarvester(TransportAddress server) {
            super(server);
        }

        @Override
        protected org.ice4j.ice.harvest.StunCandidateHarvest createHarvest(HostCandidate hostCandidate) {
            return new AbortableStunHarvest(this, hostCandidate);
        }
    }

    /**
     * ice4j's TURN harvester with abortable harvests; under relay-only the server-reflexive
     * candidate that the Allocate response reveals (XOR-MAPPED-ADDRESS) is not created: it would
     * be paired through its base, the host socket (RFC 8445 §6.1.2.4 replaces a server-reflexive
     * local candidate by its base), which relay-only must not use.
     */
    private final class RelayHarvester extends org.ice4j.ice.harvest.TurnCandidateHarvester {
        RelayHarvester(TransportAddress server, org.ice4j.security.LongTermCredential credential) {
            super(server, credential);
        }

        @Override
        protected org.ice4j.ice.harvest.TurnCandidateHarvest createHarvest(HostCandidate hostCandidate) {
            return new AbortableTurnHarvest(this, hostCandidate);
        }
    }

    /**
     * Why abortable: ice4j's harvester thread waits, without a time limit, until each harvest
     * reports completion, which happens when its STUN transaction gets a response or times out.
     * {@code Agent.free()} shuts the STUN stack down, cancelling the transactions without telling
     * anyone, so a harvest still in flight on close (a slow or silent server) would block its
     * gathering thread forever. On close each harvest is completed with no response, and asked
     * for no further request (ice4j's TURN harvest retries with a Binding request otherwise).
     */
    private final class AbortableStunHarvest extends org.ice4j.ice.harvest.StunCandidateHarvest {
        private volatile boolean aborted;

        AbortableStunHarvest(org.ice4j.ice.harvest.StunCandidateHarvester h, HostCandidate hostCandidate) {
            super(h, hostCandidate);
            harvestAborts.add(this::abort);
        }

        @Override
        protected org.ice4j.message.Request createRequestToStartResolvingCandidate() {
            return aborted ? null : super.createRequestToStartResolvingCandidate();
        }

        void abort() {
            aborted = true;
            completedResolvingCandidate(null, null);
        }
    }

    /** See {@link AbortableStunHarvest} and {@link RelayHarvester}. */
    private final class AbortableTurnHarvest extends org.ice4j.ice.harvest.TurnCandidateHarvest {
        private volatile boolean aborted;

        AbortableTurnHarvest(org.ice4j.ice.harvest.TurnCandidateHarvester h, HostCandidate hostCandidate) {
            super(h, hostCandidate);
            harvestAborts.add(this::abort);
        }

        @Override
        protected org.ice4j.message.Request createRequestToStartResolvingCandidate() {
            return aborted ? null : super.createRequestToStartResolvingCandidate();
        }

        /**
         * ice4j refreshes an allocation (and its permissions' carrier) once per granted lifetime,
         * i.e. just when it expires. RFC 8656 §7 (paraphrased): a client that wants to keep its
         * allocation refreshes it before the lifetime runs out; so refresh one minute early
         * (at half the lifetime for lifetimes under two minutes).
         */
        @Override
        protected void setSendKeepAliveMessageInterval(long intervalMs) {
            super.setSendKeepAliveMessageInterval(intervalMs <= 0 ? intervalMs
                    : Math.max(intervalMs / 2, intervalMs - 60_000));
        }

        /** Remembers which host socket the allocation belongs to, for {@link #dataPath()}. */
        @Override
        protected org.ice4j.ice.RelayedCandidate createRelayedCandidate(TransportAddress transportAddress,
                TransportAddress mappedAddress) {
            org.ice4j.ice.RelayedCandidate rc = super.createRelayedCandidate(transportAddress, mappedAddress);
            TransportAddress h = hostCandidate.getTransportAddress();
            if (rc != null && h != null && relayHosts.size() < MAX_RELAY_HOSTS) {
                relayHosts.put(new InetSocketAddress(transportAddress.getAddress(), transportAddress.getPort()),
                        new InetSocketAddress(h.getAddress(), h.getPort()));
            }
            return rc;
        }

        @Override
        protected org.ice4j.ice.ServerReflexiveCandidate createServerReflexiveCandidate(
                TransportAddress transportAddress) {
            return config.relayOnly() ? null : super.createServerReflexiveCandidate(transportAddress);
        }

        void abort() {
            aborted = true;
            completedResolvingCandidate(null, null);
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
                    s = HostSocket.bind(a, config.minPort(), config.maxPort(), config.socketReceiveBufferBytes(),
                            config.socketSendBufferBytes(), transport.hostSink);
                } catch (IOException e) {
                    InterfaceAddresses.invalidate(); // the address may be gone: the next agent lists again
                    harvestError = new IOException("binding " + a.getHostAddress() + " failed: " + e.getMessage(), e);
                    for (HostSocket done : sockets) {
                        done.close();
                    }
                    return List.of();
                }
                HostCandidate hc = new HostSocketCandidate(s, comp, config.relayOnly());
                if (!comp.addLocalCandidate(hc)) {
                    s.close();
                    continue;
                }
                if (config.relayOnly()) {
                    // Relay-only: the host socket talks to the STUN/TURN servers only.
                    s.acceptOnlyFrom(serverAddresses::contains);
                }
                s.guard(stunGuard);
                sockets.add(s);
                paths.put(s.local(), s::sendData);
                hostMtus.put(s.local(), InterfaceAddresses.mtu(a));
                agent.getStunStack().addSocket(s);
                s.start(config.datagramIo());
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

    /** @return the mDNS resolver: the given one, or the default one made on first use */
    private MdnsResolver mdns() {
        if (givenMdns != null) {
            return givenMdns;
        }
        MdnsResolver m = defaultMdns;
        if (m == null) {
            m = MdnsResolver.forAddresses(config.addressFilter()); // a race makes two: harmless
            defaultMdns = m;
        }
        return m;
    }

    private boolean isServerAddress(InetSocketAddress a) {
        return serverAddresses.contains(a);
    }

    private List<InetAddress> allowedAddresses() throws SocketException {
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress a : InterfaceAddresses.up()) {
            if (config.addressFilter().test(a)) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * The addresses of the up network interfaces, listed at most once per
     * {@link #MAX_AGE_NANOS} for the whole JVM. Listing the interfaces costs 0.3-2 ms (a netlink
     * dump per interface property; measured on the loaded 2-core build box), paid by every agent's
     * gathering: a burst of connections set up together shares one listing. An address that
     * appeared less than {@code MAX_AGE_NANOS} ago may be missed, and one that went away may
     * still be tried (its bind then fails and {@link #gather()} throws, as when it goes away
     * between listing and binding); the next agent after that sees a fresh list.
     */
    static final class InterfaceAddresses {
        /** How long a listing is reused: 1 s. */
        static final long MAX_AGE_NANOS = 1_000_000_000L;

        /** @param mtus MTU of the interface holding each address, bytes; absent if it could not be read */
        private record Snapshot(long takenAtNanos, List<InetAddress> addresses, Map<InetAddress, Integer> mtus) {
        }

        private static volatile Snapshot last;

        private InterfaceAddresses() {
        }

        /** @return the addresses of the up interfaces, in interface order, without duplicates */
        static List<InetAddress> up() throws SocketException {
            Snapshot s = last;
            long now = System.nanoTime();
            if (s != null && now - s.takenAtNanos() < MAX_AGE_NANOS) {
                return s.addresses();
            }
            Set<InetAddress> out = new LinkedHashSet<>();
            Map<InetAddress, Integer> mtus = new HashMap<>();
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                List<InetAddress> addrs = Collections.list(nif.getInetAddresses());
                out.addAll(addrs);
                int mtu;
                try {
                    mtu = nif.getMTU(); // one ioctl on the interface at hand, no second listing
                } catch (SocketException e) {
                    mtu = -1;
                }
                if (mtu > 0) {
                    for (InetAddress a : addrs) {
                        mtus.putIfAbsent(a, mtu);
                    }
                }
            }
            List<InetAddress> list = List.copyOf(out);
            last = new Snapshot(now, list, Map.copyOf(mtus));
            return list;
        }

        /**
         * @param address an address {@link #up()} listed
         * @return the MTU of its interface in the latest listing, bytes, or -1 if unknown (not in it,
         *     the MTU could not be read, or the listing was just forgotten)
         */
        static int mtu(InetAddress address) {
            Snapshot s = last;
            Integer m = s == null ? null : s.mtus().get(address);
            return m == null ? -1 : m;
        }

        /** Forgets the listing (after a bind failure, and for tests). */
        static void invalidate() {
            last = null;
        }
    }

    // ---- transport ----

    private record Datagram(byte[] data) {
    }

    /** Bound on the bytes waiting in the receive queue; datagrams beyond it are dropped. */
    static final long MAX_QUEUED_BYTES = 4L << 20;

    /** @return datagrams waiting in the pull receive queue (tests) */
    int queuedReceiveDatagrams() {
        return transport.queuedDatagrams();
    }

    private final class TransportImpl implements IceTransport {
        private final Datagram poison = new Datagram(new byte[0]);
        private final BlockingQueue<Datagram> queue;
        private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
        /** Datagrams dropped because no pair on the check list (nor the selected pair) has their source. */
        final java.util.concurrent.atomic.AtomicLong droppedUnknownSource = new java.util.concurrent.atomic.AtomicLong();
        /** Datagrams dropped because the receive queue was full (datagrams or bytes). */
        final java.util.concurrent.atomic.AtomicLong droppedQueueFull = new java.util.concurrent.atomic.AtomicLong();
        /** Datagrams of relayed sockets dropped by the RFC 7983 first-byte rule (host sockets count their own). */
        final java.util.concurrent.atomic.AtomicLong droppedNotDemultiplexed = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean shut;
        /** Push mode when non-null (see {@link IceTransport#setReceiver}). */
        private volatile Receiver receiver;
        /**
         * Orders the switch to push mode against reader threads that found no receiver: a datagram
         * is either queued before setReceiver drains the queue, or handed to the receiver after.
         */
        private final Object modeLock = new Object();

        TransportImpl(int capacity) {
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        /**
         * The host sockets' sink, on their reader thread, for every non-STUN datagram: a borrowed
         * array goes to the receiver as borrowed (push mode) and is copied for the queue.
         */
        final HostSocket.Sink hostSink = new HostSocket.Sink() {
            @Override
            public void deliver(HostSocket via, byte[] data, InetSocketAddress from) {
                TransportImpl.this.deliver(via.local(), data, from);
            }

            @Override
            public void deliverBorrowed(HostSocket via, byte[] data, int len, InetSocketAddress from) {
                TransportImpl.this.deliverBorrowed(via.local(), data, len, from);
            }
        };

        /**
         * As {@link #deliver(InetSocketAddress, byte[], InetSocketAddress)} for a datagram in
         * {@code data[0..len)}, an array the socket reuses once this returns: push mode lends it to
         * {@link Receiver#onBorrowedDatagram}, the receive queue gets a copy.
         */
        void deliverBorrowed(InetSocketAddress local, byte[] data, int len, InetSocketAddress from) {
            accept(local, data, len, from, true);
        }

        /** Called on a socket reader thread for every non-STUN datagram arriving at {@code local}. */
        void deliver(InetSocketAddress local, byte[] data, InetSocketAddress from) {
            accept(local, data, data.length, from, false);
        }

        /**
         * One datagram, {@code data[0..len)}: dropped from an unknown source, else pushed to the
         * receiver or queued. {@code borrowed}: the array is reused by the caller once this returns,
         * so the receiver gets it through {@link Receiver#onBorrowedDatagram} and the queue a copy.
         */
        private void accept(InetSocketAddress local, byte[] data, int len, InetSocketAddress from, boolean borrowed) {
            if (shut) {
                return;
            }
            if (!isKnownPeer(local, from)) {
                // RFC 8445 §7.3.1.3 / RFC 7675: data is accepted only from an address that passed
                // (or is being checked with) an authenticated check; anyone else's datagrams are
                // dropped before they can reach DTLS.
                droppedUnknownSource.incrementAndGet();
                LOG.debug("{}: dropping {} bytes from unknown {}", localUfrag(), len, from);
                return;
            }
            Receiver r = receiver;
            if (r != null) {
                // Push mode: no queue, no hand-off; the receiver must not block.
                push(r, data, len, borrowed);
                return;
            }
            synchronized (modeLock) {
                r = receiver;
                if (r != null) {
                    push(r, data, len, borrowed);
                    return;
                }
                enqueue(borrowed ? java.util.Arrays.copyOf(data, len) : data);
            }
        }

        private void push(Receiver r, byte[] data, int len, boolean borrowed) {
            try {
                if (borrowed) {
                    r.onBorrowedDatagram(data, 0, len);
                } else {
                    r.onDatagram(data, 0, len);
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: the datagram receiver failed", localUfrag(), e);
            }
        }

        private void enqueue(byte[] data) {
            if (queuedBytes.addAndGet(data.length) > MAX_QUEUED_BYTES) {
                queuedBytes.addAndGet(-data.length);
                droppedQueueFull.incrementAndGet();
                LOG.debug("{}: receive queue holds {} bytes, dropping {} bytes", localUfrag(), queuedBytes.get(),
                        data.length);
                return;
            }
            if (!queue.offer(new Datagram(data))) {
                queuedBytes.addAndGet(-data.length);
                droppedQueueFull.incrementAndGet();
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
        boolean isKnownPeer(InetSocketAddress local, InetSocketAddress from) {
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
            receiver = null;
            queue.clear();
            queue.offer(poison);
        }

        int queuedDatagrams() {
            int n = queue.size();
            return queue.contains(poison) ? n - 1 : n;
        }

        @Override
        public void setReceiver(Receiver r) {
            synchronized (modeLock) {
                if (r != null && !shut) {
                    // Hand over what waits in the queue first, oldest first (the contract:
                    // queued datagrams before any newer one; readers wait on modeLock meanwhile).
                    Datagram d;
                    while ((d = queue.poll()) != null) {
                        if (d == poison) {
                            queue.offer(poison);
                            break;
                        }
                        queuedBytes.addAndGet(-d.data.length);
                        push(r, d.data, d.data.length, false);
                    }
                }
                receiver = shut ? null : r;
            }
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
                // RFC 8445 §12.1: "An ICE agent MAY send data on any valid pair before selected
                // pairs have been produced for the data stream"; once a pair is selected, only it.
                pair = dataReady.isDone() ? earlyPair : null;
            }
            if (pair == null) {
                throw new IOException("no selected candidate pair yet (ICE state " + state + ")");
            }
            SendPath p = sendPath;
            if (p == null || p.pair != pair) {
                p = sendPath(pair);
            }
            p.via.send(buf, off, len, p.to);
        }

        /**
         * Where the selected pair sends: looked up once per selected pair (ice4j's selected pair is
         * a field read; a new pair, e.g. after ICE restart or a renomination, makes a new lookup),
         * so a send allocates no addresses.
         */
        private record SendPath(CandidatePair pair, DataPath via, InetSocketAddress to) {
        }

        private volatile SendPath sendPath;

        private SendPath sendPath(CandidatePair pair) throws IOException {
            LocalCandidate lc = pair.getLocalCandidate();
            if (lc.getBase() != null) {
                lc = lc.getBase();
            }
            TransportAddress localTa = lc.getTransportAddress();
            // The base of a host or server-reflexive candidate is the host socket; a relayed
            // candidate is its own base (RFC 8445 §5.1.1.2) and sends through the TURN server.
            DataPath via = paths.get(new InetSocketAddress(localTa.getAddress(), localTa.getPort()));
            if (via == null) {
                throw new IOException("no socket for local candidate " + localTa);
            }
            TransportAddress remote = pair.getRemoteCandidate().getTransportAddress();
            SendPath p = new SendPath(pair, via, new InetSocketAddress(remote.getAddress(), remote.getPort()));
            sendPath = p;
            return p;
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
