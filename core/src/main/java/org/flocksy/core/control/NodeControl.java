package org.flocksy.core.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.flocksy.api.BoxSpec;
import org.flocksy.api.StoredVersion;
import org.flocksy.core.config.BoxSpecs;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.ConfigFileEditor;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Endpoint;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Z85;
import org.flocksy.core.fsm.FlockMachine;
import org.flocksy.core.fsm.Peer;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.plugin.BoxResolver;
import org.flocksy.core.plugin.PluginControl;
import org.flocksy.core.sync.Box;
import org.flocksy.core.sync.ConflictCopies;
import org.flocksy.core.sync.ConflictName;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.nacl.Nacl;

/**
 * The control facade of a running node. Whatever reads or changes kernel state runs on the node's event
 * loop ({@link Node#onLoop}), between protocol events; changes that must outlive the daemon go to the config
 * file and the keystore.
 */
public final class NodeControl implements Control {
    private final Node node;
    private final PluginControl plugins;
    private final LogTail logs;
    /** Where box and node changes are kept, or {@code null} when the node has no config file. */
    private final ConfigFileEditor config;

    public NodeControl(Node node, PluginControl plugins, LogTail logs, Path configFile) {
        this.node = node;
        this.plugins = plugins;
        this.logs = logs;
        this.config = configFile == null ? null : new ConfigFileEditor(configFile);
    }

    /** Runs {@code task} on the loop; its refusals and failures become one-line answers. */
    private <T> T onLoop(Callable<T> task) throws IOException {
        try {
            return node.onLoop(task);
        } catch (TimeoutException e) {
            throw new ControlException("the daemon did not answer within 10 s (busy?); the command may still complete: check with 'status'");
        } catch (IllegalArgumentException e) {
            throw new ControlException(e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Override
    public NodeStatus status() throws IOException {
        return onLoop(() -> {
            FlockMachine m = node.machine();
            long now = node.clock().monotonicNanos();
            List<PeerStatus> peers = new ArrayList<>();
            for (Peer p : m.peers()) {
                long heard = p.lastHeartbeatNanos();
                peers.add(new PeerStatus(p.endpoint(), p.connected(), heard == Long.MIN_VALUE ? null : (now - heard) / 1_000_000L,
                        p.clockOffsetMs()));
            }
            return new NodeStatus(node.name(), m.uid().toString(), m.state().name(), m.connectedPeers(), m.configuredPeers(),
                    m.deliveredRuns(), m.abandonedRuns(), peers, m.progress(), m.rateLimit().framesPerSecond(), m.rateLimit().why(),
                    Nacl.implementation());
        });
    }

    @Override
    public List<BoxStatus> boxes() throws IOException {
        return onLoop(() -> node.sync().boxes().stream().map(this::statusOf).toList());
    }

    private BoxStatus statusOf(Box b) {
        String state = b.blocked() ? "blocked" : node.sync().pausedByUser(b) ? "paused" : b.available() ? "syncing" : "folder gone";
        return new BoxStatus(b.name(), b.root().toString(), state, b.knownPaths().size(), node.sync().queued(b),
                b.links().name().toLowerCase(Locale.ROOT), node.settings().resolverOf(b.name()), node.settings().backupOf(b.name()));
    }

    private Box boxNamed(String name) {
        return node.sync().boxes().stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no box '" + name + "' (boxes: "
                        + String.join(", ", node.sync().boxes().stream().map(Box::name).toList()) + ")"));
    }

    @Override
    public BoxStatus pauseBox(String box) throws IOException {
        return withBox(box, node.sync()::pause);
    }

    @Override
    public BoxStatus resumeBox(String box) throws IOException {
        return withBox(box, node.sync()::resume);
    }

    @Override
    public BoxStatus rescanBox(String box) throws IOException {
        return withBox(box, node.sync()::rescanNow);
    }

    /** Does something to the named box on the loop and says how the box is then. */
    private BoxStatus withBox(String box, Consumer<Box> action) throws IOException {
        return onLoop(() -> {
            Box b = boxNamed(box);
            action.accept(b);
            return statusOf(b);
        });
    }

    @Override
    public synchronized BoxAdded addBox(String spec) throws IOException {
        BoxSpec box;
        BoxResolver.Resolved resolved;
        try {
            box = BoxSpecs.parse(spec, "box add");
            if (box.location().chars().anyMatch(Character::isISOControl) || box.name().chars().anyMatch(Character::isISOControl)) {
                throw new ControlException("a box name or path with control characters cannot go into the config file");
            }
            if (!Path.of(box.location()).isAbsolute() && !box.location().startsWith("~")) {
                throw new ControlException("give the box's folder as an absolute path, e.g. box add docs@/home/ann/Documents");
            }
            resolved = BoxResolver.resolve(List.of(new Declared<>(box, "box add")), node.plugins()).get(0);
        } catch (ConfigException e) {
            throw new ControlException(e.getMessage());
        }
        try {
            onLoop(() -> {
                node.sync().addBox(resolved.name(), resolved.root());
                return null;
            });
        } catch (ControlException e) {
            throw e;
        } catch (IOException e) {
            throw new ControlException("box: " + Problems.describe(e));
        }
        if (config != null) {
            config.addBox(box.name(), box.location());
        }
        return new BoxAdded(resolved.name(), resolved.root().toString(), config == null ? null : config.file().toString());
    }

    @Override
    public synchronized BoxRemoved removeBox(String box) throws IOException {
        Box removed = onLoop(() -> {
            Box b = boxNamed(box);
            node.sync().removeBox(b);
            return b;
        });
        ConfigFileEditor.Removal removal = config == null ? null : config.removeBox(box);
        boolean noneLeft = removal != null && removal.noBoxLeft() && onLoop(() -> node.sync().boxes().isEmpty());
        return new BoxRemoved(box, removed.root().toString(), config == null ? null : config.file().toString(),
                removal != null && removal.hadLines(), noneLeft);
    }

    @Override
    public List<PeerInfo> nodes() throws IOException {
        return onLoop(() -> {
            List<PeerInfo> peers = new ArrayList<>();
            for (Peer p : node.machine().peers()) {
                String key = node.keyring().peers().stream().filter(k -> k.endpoint().equals(p.endpoint())).map(k -> k.publicKey())
                        .findFirst().orElse("?");
                peers.add(new PeerInfo(p.endpoint(), p.uid().toString(), p.connected(), key));
            }
            return peers;
        });
    }

    @Override
    public synchronized NodeAdded addNode(String uri, String publicKey) throws IOException {
        String endpoint;
        try {
            endpoint = Endpoint.normalize(uri);
        } catch (IllegalArgumentException e) {
            throw new ControlException(e.getMessage());
        }
        try {
            if (Z85.decodeKey(publicKey).length != 32) {
                throw new IllegalArgumentException();
            }
        } catch (RuntimeException e) {
            throw new ControlException("'" + publicKey + "' is not a public key (40 Z85 characters, as --create-private-keys prints)");
        }
        if (node.keyring().hosts().stream().anyMatch(h -> h.endpoint().equals(endpoint))) {
            throw new ControlException(endpoint + " is this node's own hostname, not a peer");
        }
        Path file = node.settings().keystore().value();
        String change;
        try {
            Map<String, String> keys = new LinkedHashMap<>(Files.exists(file) ? KeyFiles.readKeystore(file) : Map.of());
            String before = keys.put(endpoint, publicKey);
            change = publicKey.equals(before) ? "unchanged" : before == null ? "added" : "replaced";
            if (!change.equals("unchanged")) {
                KeyFiles.writeKeystore(file, keys);
            }
        } catch (ConfigException e) {
            throw new ControlException(e.getMessage());
        }
        boolean lineAdded = config != null && config.addNode(endpoint);
        return new NodeAdded(endpoint, file.toString(), change, config == null ? null : config.file().toString(), lineAdded);
    }

    @Override
    public List<HostKey> keys() {
        return node.keyring().hosts().stream().map(h -> new HostKey(h.endpoint(), h.keys().publicKey())).toList();
    }

    @Override
    public Conflicts conflicts(int days) throws IOException {
        long since = node.clock().wallMillis() - Math.max(0, days) * 86_400_000L;
        return onLoop(() -> {
            List<ConflictCopy> copies = new ArrayList<>();
            List<SettledConflict> settled = new ArrayList<>();
            for (Box b : node.sync().boxes()) {
                ConflictCopies.in(b).forEach(c -> copies.add(new ConflictCopy(b.name(), c.copy(), c.original())));
                for (BoxIndex.Settled s : b.settledSince(since)) {
                    settled.add(new SettledConflict(b.name(), s.path(), s.atMs(), s.winner(), s.loser(), s.keptAs(), s.rule()));
                }
            }
            return new Conflicts(copies, settled);
        });
    }

    @Override
    public ConflictPair showConflict(String box, String copy) throws IOException {
        return onLoop(() -> {
            Box b = boxNamed(box);
            ConflictName name = ConflictCopies.find(b, copy);
            return new ConflictPair(b.name(), facts(b, name.original()), facts(b, name.copy()));
        });
    }

    private static FileFacts facts(Box box, String path) throws IOException {
        Path file = box.resolve(path);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return new FileFacts(path, false, 0, 0);
        }
        return new FileFacts(path, true, Files.size(file), Files.getLastModifiedTime(file).toMillis());
    }

    @Override
    public ConflictSettled resolveConflict(String box, String copy, String resolution) throws IOException {
        ConflictCopies.Resolution how = ConflictCopies.Resolution.named(resolution);
        if (how == null) {
            throw new ControlException("no resolution '" + resolution + "' (" + String.join(", ", RESOLUTIONS) + ")");
        }
        return onLoop(() -> {
            Box b = boxNamed(box);
            String kept = ConflictCopies.settle(b, ConflictCopies.find(b, copy), how);
            return new ConflictSettled(b.name(), copy, how.typed(), kept);
        });
    }

    @Override
    public List<VersionEntry> versions(String box, String path) throws IOException {
        return onLoop(() -> {
            List<StoredVersion> stored = storedVersions(boxNamed(box), path);
            List<VersionEntry> listed = new ArrayList<>();
            for (int i = 0; i < stored.size(); i++) {
                StoredVersion v = stored.get(i);
                listed.add(new VersionEntry(i + 1, v.archivedAt().toString(), v.size(), v.location()));
            }
            return listed;
        });
    }

    private static List<StoredVersion> storedVersions(Box b, String path) {
        try {
            return b.versions().list(path);
        } catch (IOException e) {
            throw new IllegalArgumentException(Problems.describe(e));
        }
    }

    @Override
    public VersionRestored restoreVersion(String box, String path, int n) throws IOException {
        return onLoop(() -> {
            Box b = boxNamed(box);
            List<StoredVersion> stored = storedVersions(b, path);
            if (n < 1 || n > stored.size()) {
                throw new IllegalArgumentException("no version " + n + " of " + path + " (there are " + stored.size() + "; see 'versions "
                        + b.name() + " " + path + "')");
            }
            StoredVersion v = stored.get(n - 1);
            b.versions().restore(v, b.tmpDir());
            return new VersionRestored(b.name(), path, v.archivedAt().toString(), v.location());
        });
    }

    @Override
    public List<PluginInfo> plugins() {
        return plugins.list().stream().map(p -> new PluginInfo(p.id(), p.version(), p.state(), p.description(), p.extensions())).toList();
    }

    @Override
    public PluginChanged enablePlugin(String id, boolean enabled) throws IOException {
        PluginControl.InUse inUse = onLoop(this::inUse);
        try {
            plugins.enable(id, enabled, inUse);
        } catch (IllegalArgumentException e) {
            throw new ControlException(e.getMessage());
        }
        return new PluginChanged(id, enabled, String.valueOf(plugins.pluginsDir()));
    }

    private PluginControl.InUse inUse() {
        List<String> locations = new ArrayList<>();
        node.settings().boxes().forEach(b -> locations.add(b.value().location()));
        Set<String> ids = new HashSet<>();
        for (Box b : node.sync().boxes()) {
            locations.add(b.root().toString());
            ids.add(node.settings().resolverOf(b.name()));
            ids.add(node.settings().backupOf(b.name()).split(":", 2)[0]);
        }
        return new PluginControl.InUse(locations, ids);
    }

    @Override
    public TrafficReport traffic() throws IOException {
        Traffic t = node.traffic();
        Counter heartbeats = counter(t.sent(Traffic.Kind.HEARTBEAT));
        Counter data = counter(t.sent(Traffic.Kind.DATA));
        Counter fake = counter(t.sent(Traffic.Kind.FAKE));
        Map<String, PeerTraffic> peers = new LinkedHashMap<>();
        for (Peer p : onLoop(() -> node.machine().peers())) {
            Traffic.Counter outHeartbeats = t.sentTo(p.endpoint(), Traffic.Kind.HEARTBEAT);
            Traffic.Counter outData = t.sentTo(p.endpoint(), Traffic.Kind.DATA);
            Traffic.Counter outFake = t.sentTo(p.endpoint(), Traffic.Kind.FAKE);
            Counter out = new Counter(outHeartbeats.frames() + outData.frames() + outFake.frames(),
                    outHeartbeats.bytes() + outData.bytes() + outFake.bytes());
            peers.put(p.endpoint(), new PeerTraffic(counter(t.receivedFrom(p.endpoint())), out, outData.frames(), outFake.frames(),
                    share(outFake.frames(), outData.frames() + outFake.frames())));
        }
        return new TrafficReport(new Sent(heartbeats, data, fake), share(fake.frames(), data.frames() + fake.frames()), peers, t.droppedCount());
    }

    private static Counter counter(Traffic.Counter c) {
        return new Counter(c.frames(), c.bytes());
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    @Override
    public List<LogLine> log(int lines, String level, long after) throws ControlException {
        String upper = level.toUpperCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(upper)) {
            throw new ControlException("no log level '" + level + "' (" + String.join(", ", LOG_LEVELS) + ")");
        }
        return logs.last(Math.max(0, lines), upper, after);
    }
}
