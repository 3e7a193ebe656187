package org.flocksy.core.sim;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.util.Modules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.flocksy.api.BoxSpec;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Keyring;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.CurveKeyPair;
import org.flocksy.core.crypto.Z85;
import org.flocksy.core.fsm.FlockMachine;
import org.flocksy.core.fsm.FsmModel;
import org.flocksy.core.fsm.State;
import org.flocksy.core.kernel.NodeModule;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.plugin.BoxResolver;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.sync.ReadAhead;
import org.flocksy.core.sync.SyncEngine;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.timing.RateLimit;
import org.flocksy.core.timing.RateSource;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.MalformedFrameException;

/**
 * N nodes running the kernel's own state machine and sync engine in virtual time, over a simulated
 * network, with real boxes in temp directories. One seed reproduces a run exactly.
 */
final class SimFlock {
    static final String BOX = "sim";
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final FsmModel MODEL = FsmModel.load();

    /** One simulated node. */
    final class SimNode {
        final int index;
        final Path box;
        final SimClock clock;
        final SimLoop loop;
        final SimEmitter emitter;
        final ManualWatcher watcher = new ManualWatcher();
        final Traffic traffic = new Traffic();
        final SyncEngine sync;
        final FlockMachine machine;

        private final long skewMs;
        private final Settings settings;
        private final Keyring keyring;

        SimNode(int index, Path box, long skewMs, Settings settings, Keyring keyring) throws IOException {
            this.index = index;
            this.skewMs = skewMs;
            this.settings = settings;
            this.keyring = keyring;
            this.box = box.toRealPath();
            this.clock = new SimClock(world, skewMs);
            this.loop = new SimLoop(world);
            this.emitter = new SimEmitter(world, network, clock, traffic, timing);
            PluginCatalog plugins = new PluginCatalog(List.of(), List.of(watcher), TestPlugins.catalog().resolvers(),
                    TestPlugins.catalog().backups());
            // The daemon's own wiring, with virtual time, an inline disk and the simulated network put over it.
            RateLimit rate = rateLimits.length > index ? RateLimit.fixed(rateLimits[index], "sim")
                    : RateLimit.fixed(timing.framesPerSecond(), "the protocol's default");
            Injector node = Guice.createInjector(Modules.override(new NodeModule(settings, keyring,
                    List.of(new BoxResolver.Resolved(BOX, this.box, "sim")), plugins, BLAKE2B, clock, timing, RateSource.fixed(rate))).with(new AbstractModule() {
                        @Override
                        protected void configure() {
                            bind(Loop.class).toInstance(loop);
                            bind(Emitter.class).toInstance(emitter.emitter());
                            bind(ReadAhead.class).toInstance(ReadAhead.INLINE);
                            bind(Traffic.class).toInstance(traffic);
                            bind(SplittableRandom.class).toProvider(world::split);
                            bind(FsmModel.class).toInstance(MODEL);
                        }
                    }));
            this.sync = node.getInstance(SyncEngine.class);
            this.machine = node.getInstance(FlockMachine.class);
        }

        /** Writes a file into the box and tells the watcher, as the OS would. */
        void write(String path, byte[] content) {
            try {
                Path file = box.resolve(path);
                // Directories made on the way are reported too, as the OS watcher would.
                Deque<Path> created = new ArrayDeque<>();
                for (Path p = file.getParent(); !Files.exists(p); p = p.getParent()) {
                    created.push(p);
                }
                Files.createDirectories(file.getParent());
                Files.write(file, content);
                created.forEach(d -> watcher.changed(box, d));
                watcher.changed(box, file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void delete(String path) {
            try {
                Files.delete(box.resolve(path));
                watcher.changed(box, box.resolve(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Changes something in the box (chmod, touch, mkdir, rmdir…) and reports {@code path} to the watcher. */
        void change(String path, IoAction action) {
            try {
                action.run(box.resolve(path));
                watcher.changed(box, box.resolve(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Stops the node dead: no more events, no more frames. */
        void crash() {
            loop.kill();
            emitter.kill();
        }

        boolean ready() {
            return machine.state() == State.READY;
        }
    }

    /** A file-system change a scenario makes. */
    interface IoAction {
        void run(Path path) throws IOException;
    }

    final SimWorld world;
    final SimNetwork network;
    final FlockTiming timing;
    /** Each node's own rate limit (its index), else the protocol's default. */
    private int[] rateLimits = new int[0];
    final List<SimNode> nodes = new ArrayList<>();

    /**
     * @param skewsMs each node's wall-clock skew; its length is the number of nodes
     */
    SimFlock(long seed, Path dir, SimNetwork.Options options, long... skewsMs) throws IOException {
        this(seed, dir, options, Settings.DEFAULT_RESOLVER, skewsMs);
    }

    /**
     * @param resolver the conflict resolver every node's box uses
     */
    SimFlock(long seed, Path dir, SimNetwork.Options options, String resolver, long... skewsMs) throws IOException {
        this(seed, dir, options, resolver, "copy", skewsMs);
    }

    /**
     * @param symlinks how every node's box treats links ({@code copy}, {@code follow}, {@code ignore})
     */
    SimFlock(long seed, Path dir, SimNetwork.Options options, String resolver, String symlinks, long... skewsMs) throws IOException {
        this(seed, dir, options, resolver, symlinks, new int[0], skewsMs);
    }

    private SimFlock(long seed, Path dir, SimNetwork.Options options, String resolver, String symlinks, int[] rateLimits, long... skewsMs)
            throws IOException {
        this.rateLimits = rateLimits.clone();
        this.world = new SimWorld(seed);
        this.network = new SimNetwork(world, options);
        this.timing = FlockTiming.defaults();
        int n = skewsMs.length;
        SplittableRandom keys = world.split();
        List<CurveKeyPair> pairs = new ArrayList<>();
        List<String> hostnames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // The simulation never runs CURVE: keys only need to be distinct and reproducible.
            pairs.add(new CurveKeyPair(Z85.encodeKey(bytes(keys)), Z85.encodeKey(bytes(keys))));
            hostnames.add("sim://node" + (i + 1));
        }
        for (int i = 0; i < n; i++) {
            List<Keyring.Peer> peers = new ArrayList<>();
            List<Declared<String>> nodeDecls = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    peers.add(new Keyring.Peer(hostnames.get(j), pairs.get(j).publicKey()));
                    nodeDecls.add(new Declared<>(hostnames.get(j), "sim"));
                }
            }
            Path box = Files.createDirectories(dir.resolve("node" + (i + 1)));
            Settings settings = new Settings(List.of(new Declared<>(hostnames.get(i), "sim")), nodeDecls,
                    List.of(new Declared<>(new BoxSpec(BOX, box.toString()), "sim")),
                    new Declared<>(dir.resolve("keystore"), "sim"), new Declared<>(dir.resolve("keys"), "sim"),
                    Map.of(BOX, new Declared<>(resolver, "sim")), Map.of(), Map.of(BOX, new Declared<>(symlinks, "sim")));
            Keyring keyring = new Keyring(List.of(new Keyring.Host(hostnames.get(i), pairs.get(i))), peers,
                    Set.copyOf(pairs.stream().map(CurveKeyPair::publicKey).toList()));
            nodes.add(new SimNode(i, box, skewsMs[i], settings, keyring));
        }
        for (SimNode attached : nodes) {
            int index = network.attach((from, frame) -> {
                // Whichever node runs at this index now: a restarted node takes its place.
                SimNode node = nodes.get(attached.index);
                int peer = from < node.index ? from : from - 1;
                node.machine.onFrames(peer, List.of(frame), world.now(), node.clock.wallMillis());
            });
            if (index != attached.index) {
                throw new IllegalStateException("attach order");
            }
        }
    }

    private static byte[] bytes(SplittableRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return b;
    }

    /** A frame a node sent, decoded (the simulation's frames are all well-formed). */
    static Heartbeat decode(byte[] frame) {
        try {
            return (Heartbeat) FrameCodec.decode(frame);
        } catch (MalformedFrameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A flock whose nodes take part in runs at most at these rates (frames per second), one per node. */
    SimFlock(long seed, Path dir, SimNetwork.Options options, int[] rateLimits, long... skewsMs) throws IOException {
        this(seed, dir, options, Settings.DEFAULT_RESOLVER, "copy", rateLimits, skewsMs);
    }

    /** Starts every node and runs until all see each other. */
    void start() throws IOException {
        for (SimNode node : nodes) {
            node.sync.start(node.machine::workAvailable);
            node.emitter.start(node.index, node.machine::heartbeat);
            node.machine.start();
        }
        if (!world.runUntil(() -> nodes.stream().allMatch(n -> n.machine.connectedPeers() == nodes.size() - 1),
                Duration.ofSeconds(5).toNanos())) {
            throw new AssertionError("nodes did not connect in virtual time");
        }
        // Every node sends its digest once the joins settle: wait until those runs are over.
        world.runFor(Duration.ofSeconds(3).toNanos());
        if (!world.runUntil(this::quiet, Duration.ofSeconds(600).toNanos())) {
            throw new AssertionError("the start-up digest runs did not end in virtual time");
        }
        // Their closing 150s go out, then the flock is idle; scenarios look at the log from here on.
        world.runFor(Duration.ofSeconds(1).toNanos());
        started = network.log().size();
    }

    /**
     * Starts a crashed node again on the same folder, index and keys, as a restarted daemon would: a new
     * sync engine reads the index from disk, compares it with the folder, and the node rejoins.
     */
    void restart(int oneBased) throws IOException {
        SimNode old = node(oneBased);
        old.crash();
        // The dead process's files are closed by the OS; its last index write was committed.
        old.sync.close();
        SimNode fresh = new SimNode(old.index, old.box, old.skewMs, old.settings, old.keyring);
        nodes.set(old.index, fresh);
        fresh.sync.start(fresh.machine::workAvailable);
        fresh.emitter.start(fresh.index, fresh.machine::heartbeat);
        fresh.machine.start();
    }

    /** Where the log stood when {@link #start} returned: the scenario's own frames follow. */
    private int started;

    /** The frames sent since the flock started (after the start-up digests). */
    List<SimNetwork.Emission> log() {
        List<SimNetwork.Emission> all = network.log();
        return all.subList(started, all.size());
    }

    /** Every node idle with nothing queued. */
    boolean quiet() {
        return nodes.stream().allMatch(n -> n.ready() && !n.sync.hasWork());
    }

    boolean runUntil(BooleanSupplier done, Duration budget) {
        return world.runUntil(done, budget.toNanos());
    }

    SimNode node(int oneBased) {
        return nodes.get(oneBased - 1);
    }
}
