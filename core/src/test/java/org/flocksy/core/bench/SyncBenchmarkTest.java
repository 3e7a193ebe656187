package org.flocksy.core.bench;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.kernel.LocalFlock;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.timing.FlockTiming;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers for docs/measurements.md: 10 000 small files (4 KiB each) written into one node's box, until
 * every file is on both other nodes (three nodes in one JVM, real CURVE sockets on loopback, default
 * rate); then how big the receivers' indexes are and how many runs it took. Run with
 * {@code scripts/bench-sync.sh}.
 */
@Tag("benchmark")
class SyncBenchmarkTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final int FILES = Integer.getInteger("bench.files", 10_000);
    private static final int FILE_BYTES = 4096;

    @Test
    void tenThousandSmallFiles(@TempDir Path dir) throws Exception {
        List<LocalFlock.Member> members = LocalFlock.create(dir, 3);
        List<Node> nodes = new ArrayList<>();
        try {
            for (LocalFlock.Member m : members) {
                Node node = Node.create(m.settings(), TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults());
                nodes.add(node);
                node.start();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().allMatch(n -> n.machine().connectedPeers() == 2));
            await().atMost(Duration.ofSeconds(120)).until(() -> nodes.stream().allMatch(n -> n.machine().deliveredRuns() >= 1));
            long runsBefore = nodes.get(0).machine().deliveredRuns();

            Random random = new Random(10_000);
            byte[] content = new byte[FILE_BYTES];
            long t0 = System.nanoTime();
            for (int i = 0; i < FILES; i++) {
                random.nextBytes(content);
                Path file = members.get(0).box().resolve("d" + (i / 100) + "/f" + i + ".bin");
                Files.createDirectories(file.getParent());
                Files.write(file, content);
            }
            long written = System.nanoTime();
            await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> count(members.get(1).box()) == FILES && count(members.get(2).box()) == FILES);
            long synced = System.nanoTime();
            System.out.printf("=== flocksy sync benchmark ===%nfiles=%d x %d B  written in %.1f s  on both peers %.1f s after the first"
                            + " write  runs=%d  index on a receiver=%d KiB  heap used=%d MiB%n",
                    FILES, FILE_BYTES, (written - t0) / 1e9, (synced - t0) / 1e9,
                    nodes.get(0).machine().deliveredRuns() - runsBefore,
                    Files.size(members.get(1).box().resolve(".flocksy/index.db")) / 1024,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1024 * 1024));
        } finally {
            nodes.forEach(Node::close);
        }
    }

    private static long count(Path box) {
        try (Stream<Path> all = Files.walk(box)) {
            return all.filter(p -> !p.toString().contains("/.flocksy/") && Files.isRegularFile(p) && p.toString().endsWith(".bin")).count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }
}
