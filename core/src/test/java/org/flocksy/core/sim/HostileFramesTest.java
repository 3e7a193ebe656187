package org.flocksy.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.flocksy.core.wire.FrameDecoderFuzzTest;

/**
 * A peer's link carries a hundred thousand hostile frames per seed (a million over the property's tries)
 * into a node's state machine, mixed with the real peer's traffic: nothing escapes, the garbage is
 * counted, and afterwards the node still syncs a file with both peers.
 */
class HostileFramesTest {
    private static final int FRAMES_PER_SEED = 100_000;

    @Property(tries = 10, seed = "20261125") // pinned: CI must be reproducible; change the seed to explore
    void hostileFramesLeaveTheNodeWorking(@ForAll long seed) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "hostile-");
        try {
            SimFlock flock = new SimFlock(seed, dir, SimNetwork.Options.lan(), 0, 0, 0);
            flock.start();
            SimFlock.SimNode victim = flock.node(1);
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < FRAMES_PER_SEED; i++) {
                victim.machine.onFrames(random.nextInt(2), List.of(FrameDecoderFuzzTest.hostileFrame(random)),
                        flock.world.now(), victim.clock.wallMillis());
                if (i % 50 == 0) {
                    flock.world.runFor(Duration.ofMillis(5).toNanos());
                }
            }
            assertThat(victim.traffic.droppedCount()).as("seed %d", seed).isPositive();
            // Let every deadline the garbage may have started run out, then sync for real.
            flock.world.runFor(Duration.ofSeconds(90).toNanos());
            byte[] data = new byte[6000];
            random.nextBytes(data);
            flock.node(2).write("after-the-storm", data);
            assertThat(flock.runUntil(() -> holds(victim, data) && holds(flock.node(3), data), Duration.ofSeconds(180)))
                    .as("seed %d: the node still syncs after the hostile frames", seed).isTrue();
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean holds(SimFlock.SimNode node, byte[] expected) {
        try {
            Path file = node.box.resolve("after-the-storm");
            return Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), expected);
        } catch (IOException e) {
            return false;
        }
    }
}
