package org.flocksy.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.sync.OutgoingRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers for docs/measurements.md: the first scan of a folder new to flocksy (100 000 files, 1 GiB:
 * walked, each file hashed once, the index filled), beside {@code b2sum} over the same tree in the same
 * run; then every bundle written one after the other (sending copies each file into one, run by run); a rescan at start with nothing changed; the index's size and the heap it takes. Warm
 * page cache (the files were just written). Run with {@code scripts/bench-scan.sh}.
 */
@Tag("benchmark")
class ScanBenchmarkTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final int FILES = Integer.getInteger("bench.scan.files", 100_000);
    private static final long BYTES = Long.getLong("bench.scan.bytes", 1L << 30);

    @Test
    void firstScanRescanAndIndex(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("box"));
        Random random = new Random(100_000);
        byte[] pool = new byte[(int) Math.min(Integer.MAX_VALUE - 8, 4 * BYTES / FILES + 1_000_000)];
        random.nextBytes(pool);
        long total = 0;
        for (int i = 0; i < FILES; i++) {
            int size = (int) (random.nextDouble() * 2 * BYTES / FILES);
            Path file = root.resolve("d" + (i / 1000) + "/f" + i + ".bin");
            Files.createDirectories(file.getParent());
            int from = random.nextInt(pool.length - size);
            Files.write(file, Arrays.copyOfRange(pool, from, from + size));
            total += size;
        }

        long b2sum = timeB2sum(root);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();

        Map<String, Long> cpuBefore = cpuByThread();
        long t0 = System.nanoTime();
        long bundles = 0;
        long records = 0;
        long scanned;
        long hashed;
        try (EngineHarness harness = new EngineHarness(root, dir, BLAKE2B, (byte) 7)) {
            scanned = System.nanoTime();
            while (harness.call(harness.engine()::hashing)) {
                Thread.sleep(20);
            }
            hashed = System.nanoTime();
            Map<String, Long> cpuScan = cpuByThread();
            for (OutgoingRun run; (run = harness.next()) != null; ) {
                bundles++;
                records += run.metadata().records();
                OutgoingRun done = run;
                harness.call(() -> {
                    harness.engine().completed(done);
                    return null;
                });
            }
            long indexed = System.nanoTime();
            System.gc();
            long heap = rt.totalMemory() - rt.freeMemory() - heapBefore;
            long wal = Files.size(root.resolve(".flocksy/index.db")) + sizeIfAny(root.resolve(".flocksy/index.db-wal"));
            harness.close();
            long indexBytes = Files.size(root.resolve(".flocksy/index.db"));

            long r0 = System.nanoTime();
            boolean clean;
            try (EngineHarness again = new EngineHarness(root, dir, BLAKE2B, (byte) 7)) {
                clean = !again.call(again.engine()::hasWork);
            }
            long rescan = System.nanoTime() - r0;

            double first = (hashed - t0) / 1e9;
            double all = (indexed - hashed) / 1e9;
            System.out.println("=== flocksy scan benchmark ===");
            System.out.printf("files=%d bytes=%d (%.0f MiB)%n", FILES, total, total / 1048576.0);
            System.out.printf("b2sum over the tree: %.1f s (%.0f MB/s)%n", b2sum / 1e9, total / 1e6 / (b2sum / 1e9));
            System.out.printf("first scan (walk, hash each file once, index): %.1f s = %.0f files/s, %.0f MB/s = %.0f %% of b2sum; "
                    + "walk and compare alone %.1f s%n", first, FILES / first, total / 1e6 / first, 100.0 * b2sum / 1e9 / first,
                    (scanned - t0) / 1e9);
            System.out.println("CPU during the first scan, by thread: " + cpuSince(cpuBefore, cpuScan));
            System.out.printf("every bundle written one after the other (what sending it all copies, run by run): %.1f s = %.0f MB/s; "
                    + "%d bundles, %d records%n", all, total / 1e6 / all, bundles, records);
            System.out.printf("rescan at start, nothing changed: %.1f s (%s)%n", rescan / 1e9, clean ? "nothing queued" : "SOMETHING QUEUED");
            System.out.printf("index: %.1f MiB on disk (%.1f MiB with its WAL before the checkpoint at close) = %.0f B per file%n",
                    indexBytes / 1048576.0, wal / 1048576.0, (double) indexBytes / FILES);
            System.out.printf("heap held by the engine after the scan: %.1f MiB (%.0f B per file)%n", heap / 1048576.0, (double) heap / FILES);
            assertThat(records).isGreaterThanOrEqualTo(FILES);
            assertThat(clean).isTrue();
        }
    }

    /** CPU time (user + system, ms) of this JVM's threads by name, digits dropped (the JIT's and GC's threads too). */
    private static Map<String, Long> cpuByThread() throws IOException {
        Map<String, Long> ms = new TreeMap<>();
        long tick = 10; // USER_HZ is 100 on Linux
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ms.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * tick, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // A thread that ended meanwhile.
                }
            }
        }
        return ms;
    }

    private static String cpuSince(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> spent = new TreeMap<>();
        after.forEach((name, ms) -> spent.put(name, ms - before.getOrDefault(name, 0L)));
        long total = spent.values().stream().mapToLong(Long::longValue).sum();
        return String.format("%.1f s in all; ", total / 1000.0) + spent.entrySet().stream().filter(e -> e.getValue() >= 50)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format("%s %.2f s", e.getKey(), e.getValue() / 1000.0)).collect(Collectors.joining(", "));
    }

    private static long sizeIfAny(Path p) throws Exception {
        return Files.exists(p) ? Files.size(p) : 0;
    }

    /** b2sum (BLAKE2b-512, one process, the same files) as the yardstick for hashing speed on this machine. */
    private static long timeB2sum(Path root) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", "find . -type f -print0 | xargs -0 b2sum > /dev/null")
                .directory(root.toFile()).inheritIO().start();
        try {
            assertThat(p.waitFor()).isZero();
        } finally {
            p.destroyForcibly();
        }
        return System.nanoTime() - t0;
    }
}
