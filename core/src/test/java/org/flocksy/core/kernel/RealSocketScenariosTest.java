package org.flocksy.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.flocksy.core.testing.Holds.holds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.fsm.State;
import org.flocksy.core.testing.Stats;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.wire.FrameCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digest's scenarios 1, 2, 7 and 8 over real CURVE sockets on 127.0.0.1 (14 is
 * {@code ZapAuthenticationTest}): three in-process nodes, and a fourth member that runs no node but
 * records what every node sends, as an observer inside the group would. One flock serves the scenarios
 * in order (starting one costs its digest runs); each begins once the flock is idle.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealSocketScenariosTest {
    private static final Blake2b BLAKE2B = Blake2b.load();

    private final List<Node> nodes = new ArrayList<>();
    /** How many of the nodes run (the last scenario stops node 3 and starts it again). */
    private int running = 3;
    private List<LocalFlock.Member> members;
    private FrameTap tap;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        members = LocalFlock.create(dir, 4);
        for (LocalFlock.Member m : members.subList(0, 3)) {
            Node node = Node.create(m.settings(), TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults());
            nodes.add(node);
            node.start();
        }
        tap = new FrameTap(members.get(3), members.subList(0, 3));
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n -> n.machine().connectedPeers() == 2));
        // Every node sends its digest once the joins settle; the scenarios start when those runs are over.
        await().atMost(Duration.ofSeconds(120)).until(() -> nodes.stream().allMatch(n -> n.machine().deliveredRuns() >= 1));
        await().atMost(Duration.ofSeconds(60)).until(() -> allQuiescent() && allQuiescent());
    }

    @BeforeEach
    void idle() {
        await().atMost(Duration.ofSeconds(60)).until(() -> allQuiescent() && allQuiescent());
    }

    private boolean allQuiescent() throws InterruptedException {
        for (Node n : nodes.subList(0, running)) {
            if (!n.quiescent()) {
                return false;
            }
        }
        return true;
    }

    @AfterAll
    void stop() throws Exception {
        nodes.forEach(Node::close);
        if (tap != null) {
            tap.close();
        }
    }

    private static byte[] content(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path box(int node) {
        return members.get(node).box();
    }

    private boolean allReady() {
        return nodes.stream().allMatch(n -> n.machine().state() == State.READY);
    }

    @Test
    @Order(1)
    @DisplayName("1 Idle: only 256-byte heartbeats, every 250 ms on average, alike on every node (KS, α = 0.001)")
    void idleIndistinguishable() {
        // The last digest run's closing 150s go out within a heartbeat or two.
        int settled = tap.mark();
        await().atMost(Duration.ofSeconds(10)).until(() -> tap.since(settled).stream().filter(s -> s.status() == 100)
                .mapToInt(FrameTap.Seen::node).distinct().count() == 3);
        int mark = tap.mark();
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        await().atMost(Duration.ofSeconds(40)).until(() -> System.nanoTime() > end);
        List<FrameTap.Seen> idle = tap.since(mark);
        assertThat(idle).isNotEmpty().allMatch(s -> s.bytes() == FrameCodec.HEARTBEAT_BYTES && s.status() == 100);
        double[][] intervals = new double[3][];
        for (int n = 0; n < 3; n++) {
            int node = n;
            long[] at = idle.stream().filter(s -> s.node() == node).mapToLong(FrameTap.Seen::atNanos).toArray();
            intervals[n] = new double[at.length - 1];
            for (int i = 1; i < at.length; i++) {
                intervals[n][i - 1] = (at[i] - at[i - 1]) / 1e6;
            }
            double[] sorted = intervals[n].clone();
            Arrays.sort(sorted);
            assertThat(Arrays.stream(sorted).average().orElseThrow()).as("mean interval of node %d", n + 1).isBetween(240.0, 260.0);
            // Delivery over loopback adds a little noise to the ±25 ms the scheduler draws.
            assertThat(sorted[sorted.length / 20]).as("5th percentile of node %d", n + 1).isGreaterThan(215.0);
            assertThat(sorted[sorted.length - 1 - sorted.length / 20]).as("95th percentile of node %d", n + 1).isLessThan(285.0);
        }
        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                assertThat(Stats.ksStatistic(intervals[a], intervals[b])).as("KS distance between nodes %d and %d", a + 1, b + 1)
                        .isLessThan(Stats.ksCritical001(intervals[a].length, intervals[b].length));
            }
        }
    }

    @Test
    @Order(2)
    @DisplayName("2 One file: receivers hold bytes, mode and mtime; every node sent as many file frames, starting and ending together")
    void oneFileThreeNodes() throws Exception {
        byte[] data = content(2, 10 * 1024);
        int mark = tap.mark();
        Path source = box(0).resolve("report.bin");
        Files.write(source, data);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r-----"));
        await().atMost(Duration.ofSeconds(60)).until(() -> holds(box(1).resolve("report.bin"), data)
                && holds(box(2).resolve("report.bin"), data) && allReady());
        for (int n = 1; n < 3; n++) {
            Path copy = box(n).resolve("report.bin");
            assertThat(Files.getLastModifiedTime(copy).toMillis()).isEqualTo(Files.getLastModifiedTime(source).toMillis());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rw-r-----");
        }
        // Every node sends 150 after its last slot: once the tap saw all three, it has every file frame.
        await().atMost(Duration.ofSeconds(10)).until(() -> tap.since(mark).stream().filter(s -> s.status() == 150)
                .mapToInt(FrameTap.Seen::node).distinct().count() == 3);
        List<FrameTap.Seen> run = tap.since(mark);
        long[] count = new long[3];
        long[] first = new long[3];
        long[] last = new long[3];
        Arrays.fill(first, Long.MAX_VALUE);
        for (FrameTap.Seen s : run) {
            assertThat(s.bytes()).isIn(FrameCodec.HEARTBEAT_BYTES, FrameCodec.FILE_FRAME_BYTES);
            if (s.bytes() == FrameCodec.FILE_FRAME_BYTES) {
                count[s.node()]++;
                first[s.node()] = Math.min(first[s.node()], s.atNanos());
                last[s.node()] = Math.max(last[s.node()], s.atNanos());
            }
        }
        assertThat(Arrays.stream(count).min().orElseThrow()).as("file frames per node %s", Arrays.toString(count)).isGreaterThanOrEqualTo(32);
        assertThat(Arrays.stream(count).max().orElseThrow() - Arrays.stream(count).min().orElseThrow())
                .as("file frames per node %s", Arrays.toString(count)).isLessThanOrEqualTo(1);
        // Each node adds its own ±25 ms to the shared timepoints; loopback clocks agree to a millisecond or so.
        assertThat(spreadMs(first)).as("spread of the first file frames").isLessThan(100);
        assertThat(spreadMs(last)).as("spread of the last file frames").isLessThan(100);
    }

    private static long spreadMs(long[] nanos) {
        return (Arrays.stream(nanos).max().orElseThrow() - Arrays.stream(nanos).min().orElseThrow()) / 1_000_000;
    }

    @Test
    @Order(3)
    @DisplayName("7 Collision: two nodes announce at the same moment; one wins, both files reach everyone")
    void collision() throws Exception {
        byte[] a = content(71, 3000);
        byte[] b = content(72, 3000);
        Files.write(box(0).resolve("from-a"), a);
        Files.write(box(1).resolve("from-b"), b);
        await().atMost(Duration.ofSeconds(90)).until(() -> holds(box(1).resolve("from-a"), a) && holds(box(2).resolve("from-a"), a)
                && holds(box(0).resolve("from-b"), b) && holds(box(2).resolve("from-b"), b) && allReady());
    }

    @Test
    @Order(4)
    @DisplayName("8 Offline peer: a node killed mid-run never blocks the others, and catches up when it comes back")
    void offlinePeer() throws Exception {
        byte[] big = content(81, 2 * 1024 * 1024);
        Files.write(box(0).resolve("big.bin"), big);
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.get(2).machine().state().phase == State.Phase.SENDING_FAKE);
        nodes.get(2).close();
        running = 2;
        await().atMost(Duration.ofSeconds(90)).until(() -> holds(box(1).resolve("big.bin"), big)
                && nodes.get(0).machine().state() == State.READY && nodes.get(1).machine().state() == State.READY);
        assertThat(box(2).resolve("big.bin")).as("no partial file on the killed node").doesNotExist();

        // Node 3 stays down: runs between the two others go on without it.
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.get(0).machine().connectedPeers() == 1);
        byte[] small = content(82, 500);
        Files.write(box(1).resolve("later.txt"), small);
        await().atMost(Duration.ofSeconds(60)).until(() -> holds(box(0).resolve("later.txt"), small)
                && nodes.get(0).machine().state() == State.READY && nodes.get(1).machine().state() == State.READY);

        // It comes back with its index: the others' digests of its return bring it what it missed.
        byte[] offline = content(83, 700);
        Files.write(box(2).resolve("written-while-down.txt"), offline);
        Node again = Node.create(members.get(2).settings(), TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults());
        nodes.set(2, again);
        again.start();
        running = 3;
        await().atMost(Duration.ofSeconds(180)).until(() -> holds(box(2).resolve("big.bin"), big) && holds(box(2).resolve("later.txt"), small)
                && holds(box(0).resolve("written-while-down.txt"), offline) && holds(box(1).resolve("written-while-down.txt"), offline));
    }
}
