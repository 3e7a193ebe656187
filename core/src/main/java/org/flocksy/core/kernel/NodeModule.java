package org.flocksy.core.kernel;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Keyring;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.fsm.FlockMachine;
import org.flocksy.core.fsm.FsmModel;
import org.flocksy.core.loop.EventLoop;
import org.flocksy.core.loop.Failure;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.plugin.BoxResolver;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.sync.Box;
import org.flocksy.core.sync.ReadAhead;
import org.flocksy.core.sync.SyncEngine;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.timing.RateLimit;
import org.flocksy.core.timing.RateSource;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.transport.FrameScheduler;
import org.flocksy.core.transport.ZmqTransport;

/**
 * Binds one node's kernel. What is shared by every node of a process (libsodium, the plugins, the clock)
 * comes in from outside; everything else is a singleton of this node's injector. The simulator runs the
 * same bindings with its own loop, emitter, disk timing, randomness and counters put over them
 * ({@code Modules.override}), so both wire the kernel in one place.
 */
public final class NodeModule extends AbstractModule {
    private final Settings settings;
    private final Keyring keyring;
    private final List<BoxResolver.Resolved> boxes;
    private final PluginCatalog plugins;
    private final Blake2b blake2b;
    private final Clock clock;
    private final FlockTiming timing;
    private final RateSource rateSource;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());

    /** A node at the timing's own rate. */
    public NodeModule(Settings settings, Keyring keyring, List<BoxResolver.Resolved> boxes, PluginCatalog plugins,
                      Blake2b blake2b, Clock clock, FlockTiming timing) {
        this(settings, keyring, boxes, plugins, blake2b, clock, timing,
                RateSource.fixed(RateLimit.fixed(timing.framesPerSecond(), "the protocol's default")));
    }

    /** @param rateSource the fastest rate this node takes part in runs at (see {@link RateLimit}), asked once here and again later */
    public NodeModule(Settings settings, Keyring keyring, List<BoxResolver.Resolved> boxes, PluginCatalog plugins,
                      Blake2b blake2b, Clock clock, FlockTiming timing, RateSource rateSource) {
        this.rateSource = rateSource;
        this.settings = settings;
        this.keyring = keyring;
        this.boxes = List.copyOf(boxes);
        this.plugins = plugins;
        this.blake2b = blake2b;
        this.clock = clock;
        this.timing = timing;
    }

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
        bind(Settings.class).toInstance(settings);
        bind(Keyring.class).toInstance(keyring);
        bind(PluginCatalog.class).toInstance(plugins);
        bind(Blake2b.class).toInstance(blake2b);
        bind(Clock.class).toInstance(clock);
        bind(FlockTiming.class).toInstance(timing);
        bind(RateSource.class).toInstance(rateSource);
        bind(RateProbe.class).in(Singleton.class);
        bind(Traffic.class).in(Singleton.class);
        bind(Failure.class).in(Singleton.class);
        bind(ZmqTransport.class).in(Singleton.class);
        bind(EventLoop.class).in(Singleton.class);
        bind(Loop.class).to(EventLoop.class);
        bind(FrameScheduler.class).in(Singleton.class);
        bind(SyncEngine.class).in(Singleton.class);
        bind(ReadAhead.class).toInstance(ReadAhead.THREAD);
        bind(FlockMachine.class).in(Singleton.class);
        bind(Node.class).in(Singleton.class);
    }

    /** The limit the node starts with: measured once, when the node is made. */
    @Provides
    @Singleton
    RateLimit rateLimit() {
        return rateSource.limit();
    }

    @Provides
    Emitter emitter(FrameScheduler scheduler) {
        return scheduler.emitter();
    }

    /** Loaded and checked once per node: a broken model stops the node before it sends anything. */
    @Provides
    @Singleton
    FsmModel fsmModel() {
        return FsmModel.load();
    }

    /** Each component gets its own stream, split from one root: seeded, a simulation replays exactly. */
    @Provides
    SplittableRandom random() {
        synchronized (random) {
            return random.split();
        }
    }

    /** This node's identity on the wire and in version vectors. */
    @Provides
    @Singleton
    NodeUid self() {
        return NodeUid.ofPublicKey(blake2b, keyring.clientKeys().publicKeyBytes());
    }

    @Provides
    @Singleton
    List<Box> boxes() {
        return boxes.stream().map(b -> new Box(b.name(), b.root(), blake2b)).toList();
    }
}
