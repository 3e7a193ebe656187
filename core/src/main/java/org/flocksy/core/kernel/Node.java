package org.flocksy.core.kernel;

import com.google.inject.Guice;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Keyring;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.fsm.FlockMachine;
import org.flocksy.core.fsm.State;
import org.flocksy.core.loop.EventLoop;
import org.flocksy.core.loop.Failure;
import org.flocksy.core.plugin.BoxResolver;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.core.scheduler.Lateness;
import org.flocksy.core.sync.SyncEngine;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.timing.RateLimit;
import org.flocksy.core.timing.RateSource;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.transport.FrameScheduler;
import org.flocksy.core.transport.ZmqTransport;
import org.flocksy.nacl.Nacl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running flocksy node. {@link #close()} stops it within about two seconds, sockets closed. */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final Settings settings;
    private final EventLoop loop;
    private final ZmqTransport transport;
    private final FrameScheduler scheduler;
    private final SyncEngine sync;
    private final FlockMachine machine;
    private final Traffic traffic;
    private final Keyring keyring;
    private final Clock clock;
    private final PluginCatalog plugins;
    private final RateProbe probe;
    private final Failure failure;
    private boolean started;
    private boolean closed;

    @Inject
    Node(Settings settings, EventLoop loop, ZmqTransport transport, FrameScheduler scheduler, SyncEngine sync,
         FlockMachine machine, Traffic traffic, Keyring keyring, Clock clock,
         PluginCatalog plugins, RateProbe probe, Failure failure) {
        this.failure = failure;
        this.plugins = plugins;
        this.probe = probe;
        this.keyring = keyring;
        this.clock = clock;
        this.settings = settings;
        this.loop = loop;
        this.transport = transport;
        this.scheduler = scheduler;
        this.sync = sync;
        this.machine = machine;
        this.traffic = traffic;
    }

    /** Checks keys and boxes against the disk and the plugins, then builds (but does not start) a node. */
    public static Node create(Settings settings, PluginCatalog plugins, Blake2b blake2b, Clock clock, FlockTiming timing)
            throws ConfigException {
        return create(settings, plugins, blake2b, clock, timing, RateSource.fixed(RateLimit.fixed(timing.framesPerSecond(), "the protocol's default")));
    }

    /**
     * As {@link #create(Settings, PluginCatalog, Blake2b, Clock, FlockTiming)}, taking part in runs at most at
     * {@code rateSource}, which is asked once the settings, keys and boxes passed their checks (it may take a
     * measurement, and a bad line should not wait for it) and, if it adapts, again later (see {@link RateProbe}).
     */
    public static Node create(Settings settings, PluginCatalog plugins, Blake2b blake2b, Clock clock, FlockTiming timing,
                              RateSource rateSource) throws ConfigException {
        Keyring keyring = Keyring.load(settings);
        List<BoxResolver.Resolved> boxes = BoxResolver.resolve(settings.boxes(), plugins);
        // Before anything starts, so that a bad line is the only thing the user reads.
        for (BoxResolver.Resolved box : boxes) {
            plugins.resolverFor(settings, box.name());
            plugins.backupFor(settings, box.name());
        }
        return Guice.createInjector(new NodeModule(settings, keyring, boxes, plugins, blake2b, clock, timing, rateSource))
                .getInstance(Node.class);
    }

    /**
     * Binds, connects and starts watching.
     *
     * @throws ConfigException when a hostname cannot be bound or a box cannot be watched; the node is closed then
     */
    public void start() throws ConfigException, InterruptedException {
        try {
            transport.start(machine::onFrames);
            scheduler.start(machine::heartbeat);
            started = true;
            CompletableStart.run(loop, () -> sync.start(machine::workAvailable));
            machine.start();
            probe.start();
        } catch (ConfigException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        } catch (IOException e) {
            close();
            throw new ConfigException(e.getMessage(), e);
        }
        log.info("node {} ({}) up: {} box(es), {} peer(s) configured, CURVE crypto on {}", settings.nodeName(), machine.uid().shortId(),
                sync.boxes().size(), machine.configuredPeers(), Nacl.implementation());
    }

    public String name() {
        return settings.nodeName();
    }

    public FlockMachine machine() {
        return machine;
    }

    public Traffic traffic() {
        return traffic;
    }

    public SyncEngine sync() {
        return sync;
    }

    public Settings settings() {
        return settings;
    }

    public Keyring keyring() {
        return keyring;
    }

    public Clock clock() {
        return clock;
    }

    /** The extensions this node runs with (box sources for boxes added while it runs). */
    public PluginCatalog plugins() {
        return plugins;
    }

    /**
     * Runs {@code task} on the node's event loop and returns its result: the only way the control interface
     * reads or changes kernel state.
     *
     * @throws TimeoutException if the loop did not get to it within 10 s
     */
    public <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> answer = new CompletableFuture<>();
        loop.post(() -> {
            try {
                answer.complete(task.call());
            } catch (Exception | LinkageError e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The first internal error this node cannot run on with (see {@link Failure}); the daemon waits for it. */
    public Failure failure() {
        return failure;
    }

    /** How late this node's file frames left against their slots. */
    public Lateness lateness() {
        return scheduler.lateness();
    }

    /** Whether the node is idle with nothing queued to send, as its event loop sees it. */
    public boolean quiescent() throws InterruptedException {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        loop.post(() -> answer.complete(machine.state() == State.READY && !sync.hasWork()));
        try {
            return answer.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    public long zapDenied() {
        return transport.zapDenied();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        probe.close();
        // The loop first: nothing touches the boxes' indexes once it has stopped.
        loop.close();
        sync.close();
        machine.close();
        scheduler.close();
        transport.close();
        if (started) {
            log.info("node {} stopped", settings.nodeName());
        }
    }
}
