package org.flocksy.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.flocksy.core.wire.FrameCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flock scenarios (digest §12.2) on the simulator: the kernel's own state machine and sync engine in
 * virtual time. A failing test names its seed; the same seed replays the same run.
 */
class FlockScenariosTest {
    private static final Duration BUDGET = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private static byte[] content(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static boolean holds(SimFlock.SimNode node, String path, byte[] expected) {
        try {
            Path file = node.box.resolve(path);
            return Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), expected);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean allReady(SimFlock flock) {
        return flock.nodes.stream().allMatch(SimFlock.SimNode::ready);
    }

    @Test
    @DisplayName("One file, three nodes: both receivers hold the bytes, and every node sent the same frames")
    void oneFileThreeNodes() throws Exception {
        SimFlock flock = new SimFlock(1, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.start();
        byte[] data = content(1, 10 * 1024);
        flock.node(1).write("docs/report.bin", data);
        assertThat(flock.runUntil(() -> holds(flock.node(2), "docs/report.bin", data)
                && holds(flock.node(3), "docs/report.bin", data), BUDGET)).as("seed 1").isTrue();
        assertThat(flock.runUntil(() -> allReady(flock), BUDGET)).isTrue();

        List<SimNetwork.Emission> log = flock.network.log();
        assertThat(log).allMatch(e -> e.bytes() == FrameCodec.HEARTBEAT_BYTES || e.bytes() == FrameCodec.FILE_FRAME_BYTES);
        Map<Integer, Long> fileFrames = log.stream().filter(e -> e.bytes() == FrameCodec.FILE_FRAME_BYTES)
                .collect(Collectors.groupingBy(SimNetwork.Emission::node, Collectors.counting()));
        assertThat(fileFrames).hasSize(3);
        long min = fileFrames.values().stream().min(Long::compare).orElseThrow();
        long max = fileFrames.values().stream().max(Long::compare).orElseThrow();
        assertThat(max - min).as("file frames per node %s", fileFrames).isLessThanOrEqualTo(1);
        assertThat(log.stream().filter(e -> e.status() == 200).map(SimNetwork.Emission::node).distinct())
                .as("only the originator sends data").containsExactly(0);
    }

    @Test
    @DisplayName("A seed replays a run exactly")
    void seedReplays() throws Exception {
        List<SimNetwork.Emission> first = runOnce(7, dir.resolve("a"));
        List<SimNetwork.Emission> second = runOnce(7, dir.resolve("b"));
        for (int i = 0; i < Math.min(first.size(), second.size()); i++) {
            assertThat(second.get(i)).as("emission %d of %d/%d", i, first.size(), second.size()).isEqualTo(first.get(i));
        }
        assertThat(second).isEqualTo(first);
        assertThat(runOnce(8, dir.resolve("c"))).isNotEqualTo(first);
    }

    private List<SimNetwork.Emission> runOnce(long seed, Path where) throws Exception {
        SimFlock flock = new SimFlock(seed, Files.createDirectories(where), SimNetwork.Options.lan(), 0, 0, 0);
        flock.start();
        byte[] data = content(seed, 5000);
        flock.node(2).write("x.bin", data);
        assertThat(flock.runUntil(() -> holds(flock.node(1), "x.bin", data) && holds(flock.node(3), "x.bin", data), BUDGET)).isTrue();
        flock.runUntil(() -> allReady(flock), BUDGET);
        return List.copyOf(flock.network.log());
    }

    @Test
    @DisplayName("Collision: two nodes announce in the same instant, both files reach everyone")
    void collision() throws Exception {
        SimFlock flock = new SimFlock(3, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.start();
        byte[] a = content(31, 3000);
        byte[] b = content(32, 9000);
        flock.node(1).write("from-a", a);
        flock.node(2).write("from-b", b);
        assertThat(flock.runUntil(() -> flock.nodes.stream().allMatch(n -> holds(n, "from-a", a) && holds(n, "from-b", b)),
                BUDGET)).as("seed 3").isTrue();
    }

    @Test
    @DisplayName("Offline peer: C is down before the change, A and B still sync and return to ready")
    void offlinePeer() throws Exception {
        SimFlock flock = new SimFlock(4, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.start();
        flock.node(3).crash();
        flock.runUntil(() -> flock.node(1).machine.connectedPeers() == 1, Duration.ofSeconds(5));
        byte[] data = content(4, 2000);
        flock.node(1).write("f", data);
        assertThat(flock.runUntil(() -> holds(flock.node(2), "f", data), BUDGET)).isTrue();
        assertThat(flock.runUntil(() -> flock.node(1).ready() && flock.node(2).ready(), BUDGET)).isTrue();
    }

    @Test
    @DisplayName("Offline peer: C dies mid-run, A and B finish and return to ready")
    void peerDiesMidRun() throws Exception {
        SimFlock flock = new SimFlock(5, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.start();
        byte[] data = content(5, 400 * 1024);
        flock.node(1).write("big", data);
        assertThat(flock.runUntil(() -> flock.node(3).emitter.bulkActive(), BUDGET)).isTrue();
        flock.node(3).crash();
        assertThat(flock.runUntil(() -> holds(flock.node(2), "big", data), BUDGET)).isTrue();
        assertThat(flock.runUntil(() -> flock.node(1).ready() && flock.node(2).ready(), BUDGET)).isTrue();
    }

    @Test
    @DisplayName("Frame loss: 1 % of deliveries lost, the carousel still completes the file")
    void frameLoss() throws Exception {
        SimFlock flock = new SimFlock(6, dir, new SimNetwork.Options(0.01, 200_000, 300_000), 0, 0, 0);
        flock.start();
        byte[] data = content(6, 300 * 1024);
        flock.node(1).write("lossy", data);
        assertThat(flock.runUntil(() -> holds(flock.node(2), "lossy", data) && holds(flock.node(3), "lossy", data),
                BUDGET)).as("seed 6").isTrue();
    }

    @Test
    @DisplayName("Clock skew: one node +40 s, another -40 s, bulk phases still start together")
    void clockSkew() throws Exception {
        SimFlock flock = new SimFlock(7, dir, SimNetwork.Options.lan(), 0, 40_000, -40_000);
        flock.start();
        flock.world.runFor(Duration.ofSeconds(3).toNanos());
        byte[] data = content(7, 8000);
        flock.node(1).write("skewed", data);
        assertThat(flock.runUntil(() -> holds(flock.node(2), "skewed", data) && holds(flock.node(3), "skewed", data),
                BUDGET)).isTrue();
        Map<Integer, Long> firstBulk = flock.network.log().stream().filter(e -> e.bytes() == FrameCodec.FILE_FRAME_BYTES)
                .collect(Collectors.toMap(SimNetwork.Emission::node, SimNetwork.Emission::atNanos, Math::min));
        long spread = firstBulk.values().stream().max(Long::compare).orElseThrow()
                - firstBulk.values().stream().min(Long::compare).orElseThrow();
        // Own jitter is ±25 ms per node; the offset estimate adds the link delay (< 1 ms here).
        assertThat(spread).as("first file frame per node %s", firstBulk).isLessThan(Duration.ofMillis(60).toNanos());
    }

    @Test
    @DisplayName("Echo suppression: receivers do not announce what they just received")
    void echoSuppression() throws Exception {
        SimFlock flock = new SimFlock(8, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.start();
        byte[] data = content(8, 100);
        flock.node(1).write("echo", data);
        assertThat(flock.runUntil(() -> holds(flock.node(3), "echo", data) && holds(flock.node(2), "echo", data), BUDGET)).isTrue();
        // The receivers' watchers report their own writes, as an OS watcher would.
        flock.node(2).watcher.changed(flock.node(2).box, flock.node(2).box.resolve("echo"));
        flock.node(3).watcher.changed(flock.node(3).box, flock.node(3).box.resolve("echo"));
        flock.world.runFor(Duration.ofSeconds(30).toNanos());
        assertThat(flock.network.log().stream().filter(e -> e.status() == 120).map(SimNetwork.Emission::node).distinct())
                .as("nodes that announced").containsExactly(0);
        assertThat(flock.nodes).allMatch(SimFlock.SimNode::ready);
    }

    @Test
    @DisplayName("Silent peer: C heartbeats in the bulk phase but sends no file frames, A aborts with 410 and retries without C")
    void silentPeer() throws Exception {
        SimFlock flock = new SimFlock(10, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.start();
        flock.node(3).emitter.silentInBulk();
        byte[] data = content(10, 2 * 1024 * 1024);
        flock.node(1).write("f", data);
        assertThat(flock.runUntil(() -> flock.network.log().stream().anyMatch(e -> e.node() == 0 && e.status() == 410),
                BUDGET)).as("node 1 sent 410").isTrue();
        assertThat(flock.runUntil(() -> holds(flock.node(2), "f", data), BUDGET)).isTrue();
        assertThat(flock.runUntil(() -> flock.node(1).ready() && flock.node(2).ready(), BUDGET)).isTrue();
    }

    @Test
    @DisplayName("Modify and delete from different nodes reach everyone")
    void modifyAndDelete() throws Exception {
        SimFlock flock = new SimFlock(9, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.start();
        byte[] v1 = content(91, 5000);
        flock.node(1).write("doc", v1);
        assertThat(flock.runUntil(() -> flock.nodes.stream().allMatch(n -> holds(n, "doc", v1)), BUDGET)).isTrue();
        flock.runUntil(() -> allReady(flock), BUDGET);
        byte[] v2 = content(92, 0);
        flock.node(2).write("doc", v2);
        assertThat(flock.runUntil(() -> flock.nodes.stream().allMatch(n -> holds(n, "doc", v2)), BUDGET)).isTrue();
        flock.runUntil(() -> allReady(flock), BUDGET);
        flock.node(3).delete("doc");
        assertThat(flock.runUntil(() -> flock.nodes.stream().noneMatch(n -> Files.exists(n.box.resolve("doc"))), BUDGET)).isTrue();
    }
}
