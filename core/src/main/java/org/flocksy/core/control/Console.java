package org.flocksy.core.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flocksy.api.BoxSpec;
import org.flocksy.api.StoredVersion;
import org.flocksy.core.config.BoxSpecs;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Endpoint;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Z85;
import org.flocksy.core.fsm.FlockMachine;
import org.flocksy.core.fsm.RunProgress;
import org.flocksy.core.fsm.Peer;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.path.PathSafety;
import org.flocksy.core.plugin.BoxResolver;
import org.flocksy.core.plugin.PluginControl;
import org.flocksy.core.sync.Box;
import org.flocksy.core.traffic.Traffic;

/**
 * The commands of the shell and of {@code flocksy ctl}, answered from a running node. Whatever reads or
 * changes kernel state runs on the node's event loop ({@link Node#onLoop}); nothing here touches the
 * protocol except through it.
 */
public final class Console {
    /** A command as the shell lists, completes and explains it. */
    public record Command(String name, String usage, String summary, List<String> subcommands) {}

    /** Every command, in the order {@code help} lists them. */
    public static final List<Command> COMMANDS = List.of(
            new Command("status", "status", "this node, its peers (last heartbeat, clock offset), its state and the run in progress", List.of()),
            new Command("boxes", "boxes", "each box: folder, entries, changes waiting, paused or not", List.of()),
            new Command("box", "box pause|resume|rescan|remove BOX | box add NAME@PATH",
                    "stop or restart syncing a box, compare it with its index now, add or remove one (kept in the config file)",
                    List.of("pause", "resume", "rescan", "add", "remove")),
            new Command("nodes", "nodes", "the peers this node syncs with, and whether they are connected", List.of()),
            new Command("node", "node add URI PUBLIC-KEY", "make a peer a node: its public key into the keystore and a node line into the config (used from the next start)",
                    List.of("add")),
            new Command("keys", "keys", "this node's public keys, to give to the other nodes", List.of()),
            new Command("conflicts", "conflicts | conflicts show BOX PATH | conflicts resolve BOX PATH keep-local|take-remote|keep-both",
                    "conflict copies: list them, compare one with the file it belongs to, settle it", List.of("show", "resolve")),
            new Command("versions", "versions BOX PATH | versions restore BOX PATH N",
                    "stored versions of a file (replaced or deleted by a peer's change), newest first; put one back", List.of("restore")),
            new Command("plugins", "plugins | plugins enable|disable ID", "loaded plugins with version and state; enable or disable one",
                    List.of("enable", "disable")),
            new Command("traffic", "traffic", "frames and bytes sent and received, in total and per peer; the share of fake frames", List.of()),
            new Command("log", "log [LINES] [LEVEL]", "the daemon's last log lines (default 20, INFO and above)", List.of()),
            new Command("help", "help [COMMAND]", "the commands, or one command in detail", List.of()),
            new Command("exit", "exit", "leave the shell; the daemon keeps running", List.of()));

    private static final Set<String> NO_ARGUMENTS = Set.of("status", "boxes", "nodes", "keys", "traffic", "exit");

    /** What {@code conflicts resolve} can do with a conflict copy. */
    public static final List<String> RESOLUTIONS = List.of("keep-local", "take-remote", "keep-both");

    private static final Pattern CONFLICT = Pattern.compile("(.*)\\.sync-conflict-\\d{8}-\\d{6}-[0-9a-f]{7}(\\.[^./]*)?");

    private final Node node;
    private final PluginControl plugins;
    private final LogTail logs;
    private final Path configFile;

    /**
     * @param configFile where {@code box add}, {@code box remove} and {@code node add} write, so that the change
     *     outlives the daemon; {@code null} when the node has no config file
     */
    public Console(Node node, PluginControl plugins, LogTail logs, Path configFile) {
        this.node = node;
        this.plugins = plugins;
        this.logs = logs;
        this.configFile = configFile;
    }

    /** The command named {@code name}, if there is one. */
    public static Optional<Command> command(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Runs one command line, already split into words. Never throws: a failure is a reply saying why. */
    public Reply run(List<String> words) {
        if (words.isEmpty()) {
            return Reply.failed("no command given (try 'help')");
        }
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        if (NO_ARGUMENTS.contains(name) && !args.isEmpty()) {
            return Reply.failed("usage: " + name + " (it takes no arguments)");
        }
        try {
            return switch (name) {
                case "status" -> node.onLoop(this::status);
                case "boxes" -> node.onLoop(this::boxes);
                case "box" -> box(args);
                case "nodes" -> node.onLoop(this::nodes);
                case "node" -> nodeAdd(args);
                case "keys" -> keys();
                case "conflicts" -> node.onLoop(() -> conflicts(args));
                case "versions" -> node.onLoop(() -> versions(args));
                case "plugins" -> plugins(args);
                case "traffic" -> traffic();
                case "log" -> log(args);
                case "help" -> help(args);
                case "exit" -> Reply.ok("", Map.of());
                default -> Reply.failed("unknown command '" + name + "' (try 'help')");
            };
        } catch (TimeoutException e) {
            return Reply.failed("the daemon did not answer within 10 s (busy?); the command may still complete: check with 'status' or 'boxes'");
        } catch (IllegalArgumentException | ConfigException e) {
            return Reply.failed(e.getMessage());
        } catch (IOException e) {
            return Reply.failed(name + ": " + Problems.describe(e));
        } catch (Exception e) {
            return Reply.failed(name + " failed: " + e);
        }
    }

    /** The answer to {@code help [COMMAND]}; needs no daemon. */
    public static Reply help(List<String> args) {
        if (!args.isEmpty()) {
            Command c = command(args.get(0)).orElseThrow(() -> new IllegalArgumentException("no command '" + args.get(0) + "' (try 'help')"));
            return Reply.ok(c.usage() + "\n  " + c.summary() + (c.name().equals("conflicts") ? """

                      keep-local   the file that kept the name stays; the conflict copy goes to the versions (if the box keeps any)
                      take-remote  the conflict copy takes the name; the file that had it goes to the versions
                      keep-both    both stay as ordinary files: the copy is renamed NAME (conflict WRITER).EXT""" : ""),
                    Map.of("usage", c.usage(), "summary", c.summary()));
        }
        StringBuilder text = new StringBuilder();
        List<Map<String, String>> data = new ArrayList<>();
        for (Command c : COMMANDS) {
            text.append(String.format("%-10s %s%n", c.name(), c.summary()));
            data.add(Map.of("name", c.name(), "usage", c.usage(), "summary", c.summary()));
        }
        return Reply.ok(text.toString().stripTrailing(), data);
    }

    private Reply status() {
        FlockMachine m = node.machine();
        long now = node.clock().monotonicNanos();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("node", node.name());
        data.put("uid", m.uid().toString());
        data.put("state", m.state().name());
        data.put("connected", m.connectedPeers());
        data.put("configured", m.configuredPeers());
        data.put("delivered_runs", m.deliveredRuns());
        data.put("abandoned_runs", m.abandonedRuns());
        StringBuilder text = new StringBuilder(String.format("node %s (%s): %s, %d of %d peer(s) connected, %d run(s) delivered, %d abandoned%n",
                node.name(), m.uid().shortId(), m.state(), m.connectedPeers(), m.configuredPeers(), m.deliveredRuns(), m.abandonedRuns()));
        List<Map<String, Object>> peers = new ArrayList<>();
        for (Peer p : m.peers()) {
            long heard = p.lastHeartbeatNanos();
            Long ageMs = heard == Long.MIN_VALUE ? null : (now - heard) / 1_000_000L;
            Map<String, Object> peer = new LinkedHashMap<>();
            peer.put("endpoint", p.endpoint());
            peer.put("connected", p.connected());
            peer.put("last_heartbeat_ms_ago", ageMs);
            peer.put("clock_offset_ms", p.clockOffsetMs());
            peers.add(peer);
            text.append(String.format("  %-28s %-12s last heartbeat %s, clock offset %+d ms%n", p.endpoint(),
                    p.connected() ? "connected" : "not connected", ageMs == null ? "never" : ageMs + " ms ago", p.clockOffsetMs()));
        }
        data.put("peers", peers);
        RunProgress run = m.progress();
        if (run != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("role", run.role());
            r.put("box", run.box());
            r.put("peer", run.peer());
            r.put("records", run.records());
            r.put("bytes", run.bytes());
            r.put("chunks_done", run.chunksDone());
            r.put("chunks", run.chunks());
            data.put("run", r);
            text.append(String.format("  run: %s box '%s' (%d change(s), %d B) %s %s: %d of %d chunks%n", run.role(), run.box(), run.records(),
                    run.bytes(), run.role().equals("sending") ? "to" : "from", run.peer(), run.chunksDone(), run.chunks()));
        }
        return Reply.ok(text.toString().stripTrailing(), data);
    }

    private Reply boxes() {
        StringBuilder text = new StringBuilder();
        List<Map<String, Object>> data = new ArrayList<>();
        for (Box b : node.sync().boxes()) {
            String state = b.blocked() ? "paused (bad .flocksyignore)" : node.sync().pausedByUser(b) ? "paused"
                    : b.available() ? "syncing" : "folder gone";
            int entries = b.knownPaths().size();
            int queued = node.sync().queued(b);
            Map<String, Object> box = new LinkedHashMap<>();
            box.put("name", b.name());
            box.put("path", b.root().toString());
            box.put("state", state);
            box.put("entries", entries);
            box.put("queued", queued);
            box.put("symlinks", b.links().name().toLowerCase(Locale.ROOT));
            box.put("resolver", node.settings().resolverOf(b.name()));
            box.put("backup", node.settings().backupOf(b.name()));
            data.add(box);
            text.append(String.format("%-12s %-40s %-8s %6d entries, %d waiting; resolver %s, backup %s, links %s%n", b.name(), b.root(), state,
                    entries, queued, box.get("resolver"), box.get("backup"), box.get("symlinks")));
        }
        return Reply.ok(text.toString().stripTrailing(), data);
    }

    private Box boxNamed(String name) {
        return node.sync().boxes().stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no box '" + name + "' (boxes: "
                        + String.join(", ", node.sync().boxes().stream().map(Box::name).toList()) + ")"));
    }

    private Reply box(List<String> args) throws Exception {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("usage: " + command("box").orElseThrow().usage());
        }
        String action = args.get(0);
        if (args.size() != 2 || !List.of("pause", "resume", "rescan", "add", "remove").contains(action)) {
            throw new IllegalArgumentException("usage: " + command("box").orElseThrow().usage());
        }
        if (action.equals("add")) {
            return boxAdd(args.get(1));
        }
        if (action.equals("remove")) {
            return boxRemove(args.get(1));
        }
        return node.onLoop(() -> {
            Box b = boxNamed(args.get(1));
            switch (action) {
                case "pause" -> node.sync().pause(b);
                case "resume" -> node.sync().resume(b);
                default -> node.sync().rescanNow(b);
            }
            String done = switch (action) {
                case "pause" -> "paused: nothing is scanned, sent or applied until 'box resume " + b.name() + "'";
                case "resume" -> "syncing again; changes made meanwhile are being looked for";
                default -> "compared with its index; " + node.sync().queued(b) + " change(s) waiting to be sent";
            };
            return Reply.ok("box '" + b.name() + "': " + done, Map.of("box", b.name(), "action", action));
        });
    }

    private synchronized Reply boxAdd(String spec) throws Exception {
        BoxSpec box = BoxSpecs.parse(spec, "box add");
        if (box.location().chars().anyMatch(Character::isISOControl) || box.name().chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a box name or path with control characters cannot go into the config file");
        }
        if (!Path.of(box.location()).isAbsolute() && !box.location().startsWith("~")) {
            throw new IllegalArgumentException("give the box's folder as an absolute path, e.g. box add docs@/home/ann/Documents");
        }
        var resolved = BoxResolver.resolve(List.of(new Declared<>(box, "box add")), node.plugins())
                .get(0);
        node.onLoop(() -> {
            node.sync().addBox(resolved.name(), resolved.root());
            return null;
        });
        String kept = "";
        if (configFile != null) {
            List<String> lines = new ArrayList<>(Files.exists(configFile) ? Files.readAllLines(configFile) : List.of());
            lines.add("box = " + box.name() + "@" + box.location());
            writeConfig(lines);
            kept = "; kept in " + configFile;
        }
        return Reply.ok("box '" + resolved.name() + "' at " + resolved.root() + ": syncing" + kept
                + " (the other nodes sync it once they add a box of that name)", Map.of("box", resolved.name(), "path", resolved.root().toString()));
    }

    private synchronized Reply boxRemove(String name) throws Exception {
        Box removed = node.onLoop(() -> {
            Box b = boxNamed(name);
            node.sync().removeBox(b);
            return b;
        });
        String kept = "";
        if (configFile != null && Files.exists(configFile)) {
            List<String> lines = Files.readAllLines(configFile);
            // Its box line and the resolver, backup and symlinks lines for it: a line for an undeclared box stops the next start.
            Pattern mine = Pattern.compile("\\s*(box\\s*=\\s*" + Pattern.quote(name) + "\\s*@|(resolver|backup|symlinks)\\s*=\\s*"
                    + Pattern.quote(name) + "\\s*:).*");
            List<String> left = lines.stream().filter(l -> !mine.matcher(l).matches()).toList();
            if (left.size() != lines.size()) {
                writeConfig(left);
                kept = "; its lines are gone from " + configFile;
            } else {
                kept = "; it was not in " + configFile + " (given with --box?)";
            }
            if (left.stream().noneMatch(l -> l.strip().matches("box\\s*=.*")) && node.sync().boxes().isEmpty()) {
                kept += "; no box is left, so the next start needs --box or a 'box =' line";
            }
        }
        return Reply.ok("box '" + name + "': no longer synced here; " + removed.root() + " is left as it is" + kept,
                Map.of("box", name, "path", removed.root().toString()));
    }

    /** Rewrites the config file through a temp file beside it, keeping its permissions (and a link to it). */
    private void writeConfig(List<String> lines) throws IOException {
        Path real = Files.exists(configFile) ? configFile.toRealPath() : configFile;
        Path temp = real.resolveSibling(real.getFileName() + ".flocksy-tmp");
        Files.write(temp, lines);
        if (Files.exists(real)) {
            Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(real));
        }
        Files.move(temp, real, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Reply nodes() {
        StringBuilder text = new StringBuilder();
        List<Map<String, Object>> data = new ArrayList<>();
        for (Peer p : node.machine().peers()) {
            String key = node.keyring().peers().stream().filter(k -> k.endpoint().equals(p.endpoint())).map(k -> k.publicKey())
                    .findFirst().orElse("?");
            data.add(Map.of("endpoint", p.endpoint(), "uid", p.uid().toString(), "connected", p.connected(), "public_key", key));
            text.append(String.format("%-28s %s  %-13s key %s%n", p.endpoint(), p.uid().shortId(), p.connected() ? "connected" : "not connected", key));
        }
        return Reply.ok(text.toString().stripTrailing(), data);
    }

    private synchronized Reply nodeAdd(List<String> args) throws IOException, ConfigException {
        if (args.size() != 3 || !args.get(0).equals("add")) {
            throw new IllegalArgumentException("usage: " + command("node").orElseThrow().usage());
        }
        String uri = Endpoint.normalize(args.get(1));
        String key = args.get(2);
        try {
            if (Z85.decodeKey(key).length != 32) {
                throw new IllegalArgumentException();
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + key + "' is not a public key (40 Z85 characters, as --create-private-keys prints)");
        }
        if (node.keyring().hosts().stream().anyMatch(h -> h.endpoint().equals(uri))) {
            throw new IllegalArgumentException(uri + " is this node's own hostname, not a peer");
        }
        Path file = node.settings().keystore().value();
        Map<String, String> keys = new LinkedHashMap<>(Files.exists(file) ? KeyFiles.readKeystore(file) : Map.of());
        String before = keys.put(uri, key);
        List<String> done = new ArrayList<>();
        if (!key.equals(before)) {
            KeyFiles.writeKeystore(file, keys);
            done.add((before == null ? "added its key to " : "replaced its key in ") + file);
        }
        if (configFile != null) {
            List<String> lines = new ArrayList<>(Files.exists(configFile) ? Files.readAllLines(configFile) : List.of());
            boolean listed = lines.stream().map(l -> l.strip().split("\\s*=\\s*", 2))
                    .anyMatch(kv -> kv.length == 2 && kv[0].equals("node") && sameEndpoint(kv[1], uri));
            if (!listed) {
                lines.add("node = " + uri);
                writeConfig(lines);
                done.add("added 'node = " + uri + "' to " + configFile);
            }
        }
        if (done.isEmpty()) {
            return Reply.ok(uri + " is already a node with this key", Map.of("endpoint", uri, "changed", false));
        }
        return Reply.ok(uri + ": " + String.join("; ", done) + "; restart flocksy to connect (the peer needs this node's keys too: see 'keys')",
                Map.of("endpoint", uri, "changed", true));
    }

    private static boolean sameEndpoint(String written, String uri) {
        try {
            return Endpoint.normalize(written.strip()).equals(uri);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Reply keys() {
        StringBuilder text = new StringBuilder();
        Map<String, String> data = new LinkedHashMap<>();
        node.keyring().hosts().forEach(h -> {
            data.put(h.endpoint(), h.keys().publicKey());
            text.append(h.endpoint()).append("  ").append(h.keys().publicKey()).append('\n');
        });
        return Reply.ok(text.toString().stripTrailing(), data);
    }

    private Reply conflicts(List<String> args) throws IOException {
        if (args.isEmpty()) {
            StringBuilder text = new StringBuilder();
            List<Map<String, String>> data = new ArrayList<>();
            for (Box b : node.sync().boxes()) {
                for (String path : new TreeSet<>(b.knownPaths())) {
                    Matcher m = CONFLICT.matcher(path);
                    if (m.matches()) {
                        String original = m.group(1) + (m.group(2) == null ? "" : m.group(2));
                        data.add(Map.of("box", b.name(), "copy", path, "file", original));
                        text.append(b.name()).append("  ").append(path).append("  (a version of ").append(original).append(")\n");
                    }
                }
            }
            return Reply.ok(data.isEmpty() ? "no conflicts" : text.toString().stripTrailing(), data);
        }
        String action = args.get(0);
        if (!(action.equals("show") && args.size() == 3) && !(action.equals("resolve") && args.size() == 4 && RESOLUTIONS.contains(args.get(3)))) {
            throw new IllegalArgumentException("usage: " + command("conflicts").orElseThrow().usage());
        }
        Box b = boxNamed(args.get(1));
        String copy = args.get(2);
        Matcher m = CONFLICT.matcher(copy);
        String problem = PathSafety.problem(copy);
        if (problem != null || !m.matches() || !Files.isRegularFile(b.resolve(copy), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("'" + copy + "' is not a conflict copy in box '" + b.name() + "' (see 'conflicts')");
        }
        String original = m.group(1) + (m.group(2) == null ? "" : m.group(2));
        if (m.group(1).isEmpty() || m.group(1).endsWith("/") || PathSafety.problem(original) != null || throughLink(b, copy)) {
            throw new IllegalArgumentException("'" + copy + "' is not a conflict copy in box '" + b.name() + "' (see 'conflicts')");
        }
        Path copyPath = b.resolve(copy);
        Path originalPath = b.resolve(original);
        if (action.equals("show")) {
            String text = describe("the file    ", original, originalPath) + "\n" + describe("the copy    ", copy, copyPath);
            return Reply.ok(text, Map.of("file", original, "copy", copy));
        }
        String resolution = args.get(3);
        switch (resolution) {
            case "keep-local" -> b.versions().takeAway(copy);
            case "take-remote" -> {
                if (Files.isRegularFile(originalPath, LinkOption.NOFOLLOW_LINKS)) {
                    b.versions().keepBeforeOverwrite(original);
                }
                Files.move(copyPath, originalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            case "keep-both" -> {
                String writer = copy.substring(copy.lastIndexOf('-') + 1).replaceAll("\\..*", "");
                String stem = m.group(1);
                String ext = m.group(2) == null ? "" : m.group(2);
                String renamed = stem + " (conflict " + writer + ")" + ext;
                if (PathSafety.problem(renamed) != null || Files.exists(b.resolve(renamed), LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException("cannot rename the copy to '" + renamed + "': that name is taken or too long");
                }
                Files.move(copyPath, b.resolve(renamed), StandardCopyOption.ATOMIC_MOVE);
            }
            default -> throw new IllegalStateException("unchecked resolution " + resolution);
        }
        return Reply.ok("box '" + b.name() + "': " + copy + " settled (" + resolution + "); the change syncs like any edit",
                Map.of("box", b.name(), "copy", copy, "resolution", resolution));
    }

    /** Whether a path of the box passes through a symbolic link: nothing is moved through one. */
    private static boolean throughLink(Box box, String path) {
        for (Path p = box.resolve(path).getParent(); p != null && p.startsWith(box.root()) && !p.equals(box.root()); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(String label, String path, Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return label + path + ": not there";
        }
        return String.format("%s%s: %d B, modified %s", label, path, Files.size(file), Files.getLastModifiedTime(file));
    }

    private Reply versions(List<String> args) throws IOException {
        boolean restore = !args.isEmpty() && args.get(0).equals("restore");
        if (restore ? args.size() != 4 : args.size() != 2) {
            throw new IllegalArgumentException("usage: " + command("versions").orElseThrow().usage());
        }
        Box b = boxNamed(args.get(restore ? 1 : 0));
        String path = args.get(restore ? 2 : 1);
        List<StoredVersion> versions;
        try {
            versions = b.versions().list(path);
        } catch (IOException e) {
            throw new IllegalArgumentException(Problems.describe(e));
        }
        if (!restore) {
            if (versions.isEmpty()) {
                return Reply.ok("no stored versions of " + path + " in box '" + b.name() + "'", List.of());
            }
            StringBuilder text = new StringBuilder();
            List<Map<String, Object>> data = new ArrayList<>();
            for (int i = 0; i < versions.size(); i++) {
                StoredVersion v = versions.get(i);
                text.append(String.format("%3d  %s  %10d B  %s%n", i + 1, v.archivedAt(), v.size(), v.location()));
                data.add(Map.of("n", i + 1, "archived_at", v.archivedAt().toString(), "size", v.size(), "location", v.location()));
            }
            return Reply.ok(text.toString().stripTrailing(), data);
        }
        int n;
        try {
            n = Integer.parseInt(args.get(3));
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > versions.size()) {
            throw new IllegalArgumentException("no version " + args.get(3) + " of " + path + " (there are " + versions.size() + "; see 'versions "
                    + b.name() + " " + path + "')");
        }
        StoredVersion v = versions.get(n - 1);
        b.versions().restore(v, b.tmpDir());
        return Reply.ok("box '" + b.name() + "': " + path + " is back as it was before " + v.archivedAt()
                + " (the file it replaced is kept as a version); it syncs like any edit", Map.of("restored", v.location()));
    }

    private Reply plugins(List<String> args) throws Exception {
        if (args.isEmpty()) {
            List<PluginControl.Plugin> list = plugins.list();
            StringBuilder text = new StringBuilder();
            List<Map<String, String>> data = new ArrayList<>();
            for (PluginControl.Plugin p : list) {
                text.append(String.format("%-24s %-14s %-9s %s%n", p.id(), p.version(), p.state(), p.description()));
                data.add(Map.of("id", p.id(), "version", p.version(), "state", p.state(), "description", p.description()));
            }
            return Reply.ok(list.isEmpty() ? "no plugin manager in this process" : text.toString().stripTrailing(), data);
        }
        if (args.size() != 2 || !List.of("enable", "disable").contains(args.get(0))) {
            throw new IllegalArgumentException("usage: " + command("plugins").orElseThrow().usage());
        }
        String outcome = plugins.enable(args.get(1), args.get(0).equals("enable"), node.onLoop(this::inUse));
        return Reply.ok(outcome, Map.of("id", args.get(1), "enabled", args.get(0).equals("enable")));
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

    private Reply traffic() {
        Traffic t = node.traffic();
        Traffic.Counter heartbeats = t.sent(Traffic.Kind.HEARTBEAT);
        Traffic.Counter data = t.sent(Traffic.Kind.DATA);
        Traffic.Counter fake = t.sent(Traffic.Kind.FAKE);
        long fileFrames = data.frames() + fake.frames();
        double fakeShare = fileFrames == 0 ? 0 : 100.0 * fake.frames() / fileFrames;
        StringBuilder text = new StringBuilder(String.format(
                "sent: %d heartbeats (%d B), %d data frames (%d B), %d fake frames (%d B): %.1f %% of file frames fake%n",
                heartbeats.frames(), heartbeats.bytes(), data.frames(), data.bytes(), fake.frames(), fake.bytes(), fakeShare));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sent", Map.of("heartbeat", Map.of("frames", heartbeats.frames(), "bytes", heartbeats.bytes()),
                "data", Map.of("frames", data.frames(), "bytes", data.bytes()), "fake", Map.of("frames", fake.frames(), "bytes", fake.bytes())));
        out.put("fake_share_percent", fakeShare);
        Map<String, Object> peers = new LinkedHashMap<>();
        for (Peer p : node.machine().peers()) {
            Traffic.Counter in = t.receivedFrom(p.endpoint());
            Traffic.Counter outHeartbeats = t.sentTo(p.endpoint(), Traffic.Kind.HEARTBEAT);
            Traffic.Counter outData = t.sentTo(p.endpoint(), Traffic.Kind.DATA);
            Traffic.Counter outFake = t.sentTo(p.endpoint(), Traffic.Kind.FAKE);
            long outFrames = outHeartbeats.frames() + outData.frames() + outFake.frames();
            long outBytes = outHeartbeats.bytes() + outData.bytes() + outFake.bytes();
            long outFile = outData.frames() + outFake.frames();
            double outFakeShare = outFile == 0 ? 0 : 100.0 * outFake.frames() / outFile;
            peers.put(p.endpoint(), Map.of(
                    "in", Map.of("frames", in.frames(), "bytes", in.bytes()),
                    "out", Map.of("frames", outFrames, "bytes", outBytes, "data_frames", outData.frames(), "fake_frames", outFake.frames()),
                    "out_fake_share_percent", outFakeShare));
            text.append(String.format("%-28s in %d frames (%d B), out %d frames (%d B; %.1f %% of file frames fake)%n",
                    p.endpoint(), in.frames(), in.bytes(), outFrames, outBytes, outFakeShare));
        }
        out.put("peers", peers);
        out.put("dropped", t.droppedCount());
        text.append("dropped (malformed or from unknown senders): ").append(t.droppedCount());
        return Reply.ok(text.toString(), out);
    }

    private Reply log(List<String> args) {
        int lines = 20;
        String level = "INFO";
        for (String a : args) {
            if (a.matches("\\d{1,5}")) {
                lines = Integer.parseInt(a);
            } else if (List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(a.toUpperCase(Locale.ROOT))) {
                level = a.toUpperCase(Locale.ROOT);
            } else {
                throw new IllegalArgumentException("usage: " + command("log").orElseThrow().usage() + " (LEVEL: ERROR, WARN, INFO, DEBUG)");
            }
        }
        List<String> tail = logs.last(lines, level);
        return Reply.ok(String.join("\n", tail), tail);
    }
}
