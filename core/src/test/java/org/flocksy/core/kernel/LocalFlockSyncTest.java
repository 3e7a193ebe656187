package org.flocksy.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.traffic.Traffic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three in-process nodes over real CURVE sockets on 127.0.0.1 sync a box. */
@Timeout(180)
class LocalFlockSyncTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    @Test
    void createModifyAndDeleteReachEveryNode(@TempDir Path dir) throws Exception {
        List<LocalFlock.Member> members = LocalFlock.create(dir, 3);
        for (LocalFlock.Member m : members) {
            Node node = Node.create(m.settings(), TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults());
            nodes.add(node);
            node.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n -> n.machine().connectedPeers() == 2));

        byte[] content = new byte[10_000];
        new Random(1).nextBytes(content);
        Path source = members.get(0).box().resolve("sub/dir/file.bin");
        Files.createDirectories(source.getParent());
        Files.write(source, content);
        for (LocalFlock.Member m : members.subList(1, 3)) {
            Path copy = m.box().resolve("sub/dir/file.bin");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(copy) && Arrays.equals(Files.readAllBytes(copy), content));
            assertThat(Files.getLastModifiedTime(copy).toMillis()).isEqualTo(Files.getLastModifiedTime(source).toMillis());
        }

        byte[] changed = "changed on node 2".getBytes();
        Files.write(members.get(1).box().resolve("sub/dir/file.bin"), changed);
        for (LocalFlock.Member m : List.of(members.get(0), members.get(2))) {
            Path copy = m.box().resolve("sub/dir/file.bin");
            await().atMost(Duration.ofSeconds(60)).until(() -> Arrays.equals(Files.readAllBytes(copy), changed));
        }

        Files.delete(members.get(2).box().resolve("sub/dir/file.bin"));
        for (LocalFlock.Member m : members.subList(0, 2)) {
            Path copy = m.box().resolve("sub/dir/file.bin");
            await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(copy));
        }

        // Every node sent file frames, real or fake, and only frames of the two Flock sizes.
        nodes.forEach(Node::close);
        for (Node n : nodes) {
            Traffic t = n.traffic();
            long frames = t.sent(Traffic.Kind.DATA).frames() + t.sent(Traffic.Kind.FAKE).frames();
            assertThat(frames).isPositive();
            assertThat(t.sent(Traffic.Kind.HEARTBEAT).bytes()).isEqualTo(t.sent(Traffic.Kind.HEARTBEAT).frames() * 256);
            assertThat(t.sent(Traffic.Kind.DATA).bytes() + t.sent(Traffic.Kind.FAKE).bytes()).isEqualTo(frames * 4117);
            assertThat(t.droppedCount()).isZero();
        }
    }
}
