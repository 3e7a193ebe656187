package org.flocksy.app.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.kernel.LocalFlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real {@code bin/flocksy} daemons, each with its own HOME holding the seed's default files, on free
 * 127.0.0.1 ports: create, modify and delete of files of 0 B, 1 B, 4096 B, 4097 B and 5 MiB reach the other
 * two nodes byte for byte; one node is killed with SIGKILL while it receives, and again while it writes its
 * first bundle after a restart (its index checked against its disk each time), and catches up
 * both ways; then SIGTERM stops each daemon with exit code 0.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ThreeNodeSystemIT {
    private static final int[] SIZES = {0, 1, 4096, 4097, 5 * 1024 * 1024};
    private static final Duration ARRIVAL = Duration.ofMinutes(3);
    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void killAll() {
        daemons.forEach(Process::destroyForcibly);
    }

    @Test
    void createModifyAndDeleteSyncAcrossThreeProcesses(@TempDir Path dir) throws Exception {
        List<Integer> ports = LocalFlock.freePorts(3);
        List<Path> homes = new ArrayList<>();
        List<String> hostnames = new ArrayList<>();
        Map<String, String> keystore = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            Path home = Files.createDirectories(dir.resolve("home" + (i + 1)));
            String hostname = "tcp://127.0.0.1:" + ports.get(i);
            Flocksy.Result keys = Flocksy.run(home, 60, "--create-private-keys", "-p", hostname);
            assertThat(keys.exit()).as(keys.err()).isZero();
            @SuppressWarnings("unchecked")
            Map<String, String> printed = new ObjectMapper().readValue(keys.out(), Map.class);
            keystore.putAll(printed);
            homes.add(home);
            hostnames.add(hostname);
        }
        List<Path> boxes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path home = homes.get(i);
            // Boxes are matched by name; each node keeps its box at a different local path.
            Path box = Files.createDirectories(home.resolve("files-of-node" + (i + 1)));
            boxes.add(box);
            KeyFiles.writeKeystore(home.resolve(".ssh/flocksy_keystore"), keystore);
            StringBuilder config = new StringBuilder("# written by the system test\nhostname = " + hostnames.get(i) + "\n");
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    config.append("node = ").append(hostnames.get(j)).append('\n');
                }
            }
            config.append("box = shared@").append(box).append('\n');
            Files.writeString(home.resolve(".flocksy"), config);
        }
        List<Path> logs = new ArrayList<>();
        for (Path home : homes) {
            Path log = home.resolve("flocksy.log");
            logs.add(log);
            daemons.add(Flocksy.builder(home).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        }
        for (Path log : logs) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("(2/2 connected)"));
        }

        Random random = new Random(42);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int size : SIZES) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            files.put("size-" + size + ".bin", content);
        }

        // The 5 MiB file alone first, timed.
        String big = "size-" + (5 * 1024 * 1024) + ".bin";
        long start = System.nanoTime();
        Files.write(boxes.get(0).resolve(big), files.get(big));
        awaitSame(boxes.subList(1, 3), Map.of(big, files.get(big)));
        System.out.printf("system test: 5 MiB file synced to both peers in %.1f s%n", (System.nanoTime() - start) / 1e9);

        Files.createDirectories(boxes.get(0).resolve("nested/deeper"));
        for (var e : files.entrySet()) {
            if (!e.getKey().equals(big)) {
                Files.write(boxes.get(0).resolve("nested/deeper/" + e.getKey()), e.getValue());
            }
        }
        Map<String, byte[]> created = new LinkedHashMap<>();
        files.forEach((name, content) -> created.put(name.equals(big) ? name : "nested/deeper/" + name, content));
        awaitSame(boxes.subList(1, 3), created);

        // Modify every file on node 2.
        Map<String, byte[]> modified = new LinkedHashMap<>();
        for (var e : created.entrySet()) {
            byte[] content = Arrays.copyOf(e.getValue(), e.getValue().length);
            if (content.length > 0) {
                content[content.length / 2] ^= 0x5A;
            } else {
                content = "no longer empty".getBytes(StandardCharsets.UTF_8);
            }
            modified.put(e.getKey(), content);
            Files.write(boxes.get(1).resolve(e.getKey()), content);
        }
        awaitSame(List.of(boxes.get(0), boxes.get(2)), modified);

        // Delete every file on node 3.
        for (String path : modified.keySet()) {
            Files.delete(boxes.get(2).resolve(path));
        }
        for (Path box : List.of(boxes.get(0), boxes.get(1))) {
            for (String path : modified.keySet()) {
                await().atMost(ARRIVAL).until(() -> !Files.exists(box.resolve(path)));
            }
        }

        // kill -9 of node 3 while it receives a run, then its restart: nothing partial in its box, its index
        // agrees with its disk, and it catches up both ways.
        byte[] survivor = new byte[5 * 1024 * 1024];
        random.nextBytes(survivor);
        Files.write(boxes.get(0).resolve("survivor.bin"), survivor);
        Path incoming = boxes.get(2).resolve(".flocksy/tmp");
        await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(50)).until(() -> receiving(incoming));
        Process killed = daemons.get(2);
        killed.destroyForcibly();
        assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();
        System.out.printf("system test: node3 killed with SIGKILL (exit %d) while receiving%n", killed.exitValue());
        assertThat(boxes.get(2).resolve("survivor.bin")).doesNotExist();
        assertIndexMatchesDisk(boxes.get(2));
        awaitSame(List.of(boxes.get(1)), Map.of("survivor.bin", survivor));

        byte[] changedMeanwhile = "changed on node 2 while node 3 was down".getBytes(StandardCharsets.UTF_8);
        Files.write(boxes.get(1).resolve("nested/deeper/size-1.bin"), changedMeanwhile);
        awaitSame(List.of(boxes.get(0)), Map.of("nested/deeper/size-1.bin", changedMeanwhile));
        byte[] writtenWhileDown = "written into node 3's box while it was down".getBytes(StandardCharsets.UTF_8);
        Files.write(boxes.get(2).resolve("while-down.txt"), writtenWhileDown);

        // Two thousand files written while it was down: killed again as its first bundle after the restart is being
        // written (the files are walked and hashed first: queued changes wait for those still hashing), its index
        // still agrees with its disk.
        Map<String, byte[]> bulk = new LinkedHashMap<>();
        for (int i = 0; i < 2000; i++) {
            byte[] content = new byte[4096];
            random.nextBytes(content);
            bulk.put("bulk/" + (i / 100) + "/f" + i + ".bin", content);
        }
        for (var e : bulk.entrySet()) {
            Files.createDirectories(boxes.get(2).resolve(e.getKey()).getParent());
            Files.write(boxes.get(2).resolve(e.getKey()), e.getValue());
        }
        Path scanlog = homes.get(2).resolve("flocksy-scan.log");
        logs.add(scanlog);
        daemons.set(2, Flocksy.builder(homes.get(2)).redirectErrorStream(true).redirectOutput(scanlog.toFile()).start());
        await().atMost(ARRIVAL).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> preparing(incoming));
        daemons.get(2).destroyForcibly();
        assertThat(daemons.get(2).waitFor(10, TimeUnit.SECONDS)).isTrue();
        System.out.printf("system test: node3 killed with SIGKILL while writing its first bundle after a restart "
                + "(%d of 2000 new files in its index after the kill)%n", indexed(boxes.get(2), "bulk/%"));
        assertIndexMatchesDisk(boxes.get(2));

        Path relog = homes.get(2).resolve("flocksy-restarted.log");
        logs.add(relog);
        daemons.set(2, Flocksy.builder(homes.get(2)).redirectErrorStream(true).redirectOutput(relog.toFile()).start());
        long restarted = System.nanoTime();
        awaitSame(List.of(boxes.get(2)), Map.of("survivor.bin", survivor, "nested/deeper/size-1.bin", changedMeanwhile));
        awaitSame(boxes.subList(0, 2), Map.of("while-down.txt", writtenWhileDown));
        awaitSame(boxes.subList(0, 2), bulk);
        System.out.printf("system test: restarted node3 caught up both ways in %.1f s%n", (System.nanoTime() - restarted) / 1e9);

        for (int i = 0; i < daemons.size(); i++) {
            Process p = daemons.get(i);
            long stopping = System.nanoTime();
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("daemon %d stops after SIGTERM", i + 1).isTrue();
            System.out.printf("system test: node%d exited %d, %.2f s after SIGTERM%n", i + 1, p.exitValue(),
                    (System.nanoTime() - stopping) / 1e9);
            assertThat(p.exitValue()).isZero();
        }
        for (Path log : logs) {
            assertThat(Files.readString(log)).doesNotContain("ERROR", "Exception");
        }
    }

    /** Entries of the box's index (read beside the running daemon: WAL) whose path is LIKE {@code pattern}. */
    private static int indexed(Path box, String pattern) throws Exception {
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + box.resolve(".flocksy/index.db"));
             var query = db.prepareStatement("SELECT count(*) FROM entries WHERE path LIKE ? AND deleted = 0")) {
            query.setString(1, pattern);
            try (var rows = query.executeQuery()) {
                return rows.getInt(1);
            }
        }
    }

    private static boolean preparing(Path tmp) throws IOException {
        try (var files = Files.list(tmp)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("out-"));
        }
    }

    private static boolean receiving(Path tmp) throws IOException {
        try (var files = Files.list(tmp)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("in-"));
        }
    }

    /** Every entry the index of a box lists as present is on disk, files with the recorded size and mtime. */
    private static void assertIndexMatchesDisk(Path box) throws Exception {
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + box.resolve(".flocksy/index.db"));
             var rows = db.createStatement().executeQuery("SELECT path, directory, size, mtime_ms, hash FROM entries WHERE deleted = 0")) {
            int checked = 0;
            while (rows.next()) {
                Path entry = box.resolve(rows.getString(1));
                if (rows.getInt(2) == 1) {
                    assertThat(entry).as("indexed directory %s", rows.getString(1)).isDirectory();
                } else {
                    assertThat(entry).as("indexed file %s", rows.getString(1)).isRegularFile();
                    assertThat(Files.size(entry)).isEqualTo(rows.getLong(3));
                    assertThat(Files.getLastModifiedTime(entry).toMillis()).isEqualTo(rows.getLong(4));
                    assertThat(Blake2b.load().hash256(entry)).as("content of %s", rows.getString(1)).isEqualTo(rows.getBytes(5));
                }
                checked++;
            }
            assertThat(checked).as("entries in the index of %s", box).isPositive();
        }
    }

    /** Waits until every box holds every expected file with the expected bytes (one wait per box: thousands of files). */
    private static void awaitSame(List<Path> boxes, Map<String, byte[]> expected) {
        for (Path box : boxes) {
            await().atMost(ARRIVAL).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (var e : expected.entrySet()) {
                    Path file = box.resolve(e.getKey());
                    if (!Files.isRegularFile(file) || !Arrays.equals(Files.readAllBytes(file), e.getValue())) {
                        return false;
                    }
                }
                return true;
            });
        }
    }
}
