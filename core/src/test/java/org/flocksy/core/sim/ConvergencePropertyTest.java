package org.flocksy.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.flocksy.core.crypto.Blake2b;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random file operations (writes, deletes, renames) on three to five simulated nodes with partitions coming
 * and going and processes that die and restart: once the network heals, every box converges to the same tree, and no byte is lost: every content the sync engine (not the
 * user) replaced or removed on a node is still on that node — in its box (perhaps as a sync-conflict copy)
 * or in its {@code .flocksy/versions/}. What the user overwrote or deleted by hand is the user's own
 * edit. The default run tries a few pinned seeds; {@code -Psoak} tries many.
 */
class ConvergencePropertyTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final String[] PATHS = {"a.txt", "b.txt", "d/c.txt", "d/e/f.bin"};

    @Property(tries = 6, seed = "20261125")
    void convergesAndKeepsEverySharedByte(@ForAll long seed) throws Exception {
        run(seed, 14);
    }

    /** The long run: {@code mvn -B -Psoak test -pl core} (seeds from {@code -Dsoak.from}, {@code -Dsoak.runs}). */
    @Test
    @Tag("soak")
    void soak() throws Exception {
        long from = Long.getLong("soak.from", 1);
        for (long seed = from; seed < from + Long.getLong("soak.runs", 200); seed++) {
            run(seed, 30);
        }
    }

    private static void run(long seed, int operations) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "converge-");
        try {
            int size = 3 + (int) Math.floorMod(seed, 3L);
            SimFlock flock = new SimFlock(seed, dir, SimNetwork.Options.lan(), new long[size]);
            flock.start();
            SplittableRandom random = new SplittableRandom(seed);
            boolean[] cut = new boolean[size];
            // Per node: the contents it holds, and those the engine (not the user) took away from it.
            List<Set<String>> held = new ArrayList<>();
            List<Set<String>> takenByEngine = new ArrayList<>();
            for (int n = 0; n < size; n++) {
                held.add(new HashSet<>(tree(flock.node(n + 1).box).values()));
                takenByEngine.add(new HashSet<>());
            }
            List<String> done = new ArrayList<>();
            for (int i = 0; i < operations; i++) {
                int node = random.nextInt(size);
                SimFlock.SimNode actor = flock.node(node + 1);
                String path = PATHS[random.nextInt(PATHS.length)];
                Path file = actor.box.resolve(path);
                Set<String> destroyedByUser = new HashSet<>();
                switch (random.nextInt(9)) {
                    case 0, 1, 2 -> {
                        if (Files.isRegularFile(file)) {
                            destroyedByUser.add(HexFormat.of().formatHex(BLAKE2B.hash256(file)));
                        }
                        byte[] content = new byte[1 + random.nextInt(6000)];
                        random.nextBytes(content);
                        actor.write(path, content);
                        done.add("node" + (node + 1) + " writes " + path);
                    }
                    case 3 -> {
                        if (Files.isRegularFile(file)) {
                            destroyedByUser.add(HexFormat.of().formatHex(BLAKE2B.hash256(file)));
                            actor.change(path, Files::delete);
                            done.add("node" + (node + 1) + " deletes " + path);
                        }
                    }
                    case 4, 5 -> {
                        // A rename, perhaps over another file (whose content the user then destroyed).
                        String to = PATHS[random.nextInt(PATHS.length)];
                        Path target = actor.box.resolve(to);
                        if (Files.isRegularFile(file) && !to.equals(path) && !Files.isDirectory(target)) {
                            if (Files.isRegularFile(target)) {
                                destroyedByUser.add(HexFormat.of().formatHex(BLAKE2B.hash256(target)));
                            }
                            actor.change(to, p -> {
                                Files.createDirectories(p.getParent());
                                Files.move(file, p, StandardCopyOption.REPLACE_EXISTING);
                            });
                            actor.change(path, p -> { });
                            done.add("node" + (node + 1) + " renames " + path + " to " + to);
                        }
                    }
                    case 6 -> {
                        // The process dies between two events and comes back after a while.
                        actor.crash();
                        flock.world.runFor(Duration.ofMillis(200 + random.nextInt(8_000)).toNanos());
                        flock.restart(node + 1);
                        done.add("node" + (node + 1) + " dies and restarts");
                    }
                    default -> {
                        cut[node] = !cut[node];
                        isolate(flock, node, cut[node], size);
                        done.add("node" + (node + 1) + (cut[node] ? " is cut off" : " rejoins"));
                    }
                }
                flock.world.runFor(Duration.ofMillis(500 + random.nextInt(12_000)).toNanos());
                for (int n = 0; n < size; n++) {
                    Set<String> now = new HashSet<>(tree(flock.node(n + 1).box).values());
                    for (String h : held.get(n)) {
                        if (!now.contains(h) && !(n == node && destroyedByUser.contains(h))) {
                            takenByEngine.get(n).add(h);
                        }
                    }
                    held.set(n, now);
                }
            }
            for (int n = 0; n < size; n++) {
                isolate(flock, n, false, size);
            }
            boolean converged = flock.runUntil(() -> converged(flock) && flock.quiet(), Duration.ofMinutes(30));
            assertThat(converged).as("seed %d (%d nodes): boxes converge after healing: %s%nafter %s", seed, size, converged ? "" : describe(flock),
                    done).isTrue();
            for (int n = 0; n < size; n++) {
                Set<String> kept = hashesUnder(flock.node(n + 1).box);
                takenByEngine.get(n).remove("dir");
                assertThat(kept).as("seed %d: every content the engine replaced or deleted on node %d is still there (box or versions)",
                        seed, n + 1).containsAll(takenByEngine.get(n));
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void isolate(SimFlock flock, int node, boolean isCut, int size) {
        for (int other = 0; other < size; other++) {
            if (other != node) {
                flock.network.partition(node, other, isCut);
            }
        }
    }

    private static String describe(SimFlock flock) {
        StringBuilder out = new StringBuilder("quiet=" + flock.quiet());
        for (SimFlock.SimNode n : flock.nodes) {
            try {
                out.append("\nnode").append(n.index + 1).append(' ').append(n.machine.state()).append(' ')
                        .append(new TreeMap<>(tree(n.box)).toString().replaceAll("([0-9a-f]{8})[0-9a-f]{56}", "$1"));
            } catch (IOException e) {
                out.append(e);
            }
        }
        return out.toString();
    }

    private static boolean converged(SimFlock flock) {
        try {
            Map<String, String> first = tree(flock.node(1).box);
            for (SimFlock.SimNode n : flock.nodes) {
                if (!tree(n.box).equals(first)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every file and directory of a box (its .flocksy excluded): path to content hash, "dir" for directories. */
    private static Map<String, String> tree(Path box) throws IOException {
        Map<String, String> tree = new HashMap<>();
        try (Stream<Path> all = Files.walk(box)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String rel = box.relativize(p).toString();
                if (rel.isEmpty() || rel.equals(".flocksy") || rel.startsWith(".flocksy/")) {
                    continue;
                }
                tree.put(rel, Files.isDirectory(p) ? "dir" : HexFormat.of().formatHex(BLAKE2B.hash256(p)));
            }
        }
        return tree;
    }

    /** Hashes of every file under a box, its versions included. */
    private static Set<String> hashesUnder(Path box) throws IOException {
        Set<String> hashes = new HashSet<>();
        try (Stream<Path> all = Files.walk(box)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p) && !p.toString().contains("/.flocksy/tmp/") && !p.getFileName().toString().equals("index.db")
                        && !p.getFileName().toString().startsWith("index.db-")) {
                    hashes.add(HexFormat.of().formatHex(BLAKE2B.hash256(p)));
                }
            }
        }
        return hashes;
    }
}
