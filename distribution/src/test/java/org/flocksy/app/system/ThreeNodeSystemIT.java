package org.flocksy.app.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.kernel.LocalFlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real {@code bin/flocksy} daemons, each with its own HOME holding the seed's default files, on free
 * 127.0.0.1 ports: create, modify and delete of files of 0 B, 1 B, 4096 B, 4097 B and 5 MiB reach the other
 * two nodes byte for byte; then SIGTERM stops each daemon with exit code 0.
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

    private static void awaitSame(List<Path> boxes, Map<String, byte[]> expected) {
        for (Path box : boxes) {
            for (var e : expected.entrySet()) {
                Path file = box.resolve(e.getKey());
                await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(200))
                        .until(() -> Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), e.getValue()));
            }
        }
    }
}
