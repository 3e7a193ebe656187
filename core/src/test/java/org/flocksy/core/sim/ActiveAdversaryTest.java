package org.flocksy.core.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flocksy.core.testing.Holds.holds;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: an adversary on one node's path who delays, jitters or drops its traffic, constant or changing
 * during runs, must not let an observer of the wire tell whether that node originated. 200 runs per
 * scenario, originators rotating; every rule of {@link WireObserver} is held against chance (exact binomial
 * test, two-sided, Bonferroni over the rules at a family-wise 1 %). Virtual time: a scenario takes seconds.
 */
class ActiveAdversaryTest {
    private static final int RUNS = 200;
    private static final int NODES = 3;
    private static final double FAMILY_ALPHA = 0.01;

    @Test
    void aConstantDelayOnOneNodesEgress(@TempDir Path dir) throws Exception {
        scenario(dir, 1501, "300 ms on everything node 0 sends", (from, to, now, r) -> from == 0 ? 300_000_000L : 0);
    }

    @Test
    void aDelayThatChangesDuringRuns(@TempDir Path dir) throws Exception {
        scenario(dir, 1502, "node 0's egress delayed by a new 0-2 s every 1.5 s", varying(0, true, 2_000_000_000L, 1_500_000_000L, 1502));
    }

    @Test
    void jitterOnOneNodesEgress(@TempDir Path dir) throws Exception {
        scenario(dir, 1503, "every frame node 0 sends held back 0-400 ms", (from, to, now, r) -> from == 0 ? r.nextLong(400_000_000L) : 0);
    }

    @Test
    void lossAndHeldBackSegmentsOnOneNodesLinks(@TempDir Path dir) throws Exception {
        scenario(dir, 1504, "node 0's links both ways: 3 % lost, 1 % held back 250 ms (what TCP makes of reordering)", (from, to, now, r) -> {
            if (from != 0 && to != 0) {
                return 0;
            }
            double x = r.nextDouble();
            return x < 0.03 ? -1 : x < 0.04 ? 250_000_000L : 0;
        });
    }

    @Test
    void aDelayThatChangesOnOneNodesIngress(@TempDir Path dir) throws Exception {
        scenario(dir, 1505, "what node 0 receives delayed by a new 0-2 s every 1.5 s", varying(0, false, 2_000_000_000L, 1_500_000_000L, 1505));
    }

    @Test
    void theOthersSlowedAgainstOneNode(@TempDir Path dir) throws Exception {
        scenario(dir, 1506, "everything nodes 1 and 2 send delayed 800 ms (node 0 seems fast)",
                (from, to, now, r) -> from != 0 ? 800_000_000L : 0);
    }

    @Test
    void blackoutsThatMakeRunsGiveUp(@TempDir Path dir) throws Exception {
        // TCP holds what it cannot deliver and sends it when the path comes back: a blackout is a delay that
        // shrinks to zero at its end. 4 s is past what runs absorb, so the runs it hits are given up.
        long givenUp = scenario(dir, 1507, "node 0's egress blacked out 4 s in every 61 s (runs it hits are given up)", (from, to, now, r) -> {
            long phase = now % 61_000_000_000L;
            return from == 0 && phase < 4_000_000_000L ? 4_000_000_000L - phase : 0;
        });
        assertThat(givenUp).as("runs given up on the way").isGreaterThan(20);
    }

    /** A delay on one node's egress (or ingress) that takes a new value in [0, max] every period. */
    private static SimNetwork.Adversary varying(int node, boolean egress, long maxNanos, long periodNanos, long seed) {
        return (from, to, now, r) -> {
            if (egress ? from != node : to != node) {
                return 0;
            }
            return new SplittableRandom(seed * 31 + now / periodNanos).nextLong(maxNanos + 1);
        };
    }

    private static long scenario(Path dir, long seed, String what, SimNetwork.Adversary adversary) throws Exception {
        SimFlock flock = new SimFlock(seed, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.network.adversary(adversary);
        flock.start();
        WireObserver observer = new WireObserver(NODES, 0, 100_000_000L, seed);
        SplittableRandom sizes = new SplittableRandom(seed);
        for (int run = 0; run < RUNS; run++) {
            int originator = run % NODES;
            int from = flock.network.log().size();
            byte[] data = new byte[1 + sizes.nextInt(40_000)];
            sizes.nextBytes(data);
            String name = "run-" + run;
            flock.nodes.get(originator).write(name, data);
            boolean done = flock.runUntil(() -> flock.nodes.stream().allMatch(n -> holds(n.box.resolve(name), data)) && flock.quiet(),
                    Duration.ofSeconds(300));
            assertThat(done).as("%s: run %d from node %d did not complete (seed %d)", what, run, originator, seed).isTrue();
            observer.observe(List.copyOf(flock.network.log().subList(from, flock.network.log().size())), originator);
        }
        WireObserver.Verdict verdict = observer.verdict();
        long givenUp = flock.nodes.stream().mapToLong(n -> n.machine.abandonedRuns()).sum();
        System.out.printf("active adversary, %s (seed %d, %d runs, %d given up by some node on the way):%n%s", what, seed,
                observer.observed(), givenUp, verdict.table());
        assertThat(verdict.smallestP())
                .as("%s (seed %d): rule '%s' names the originator better or worse than chance%n%s%nfirst runs:%n%s", what, seed,
                        verdict.rule(), verdict.table(), String.join("\n", observer.sample(12)))
                .isGreaterThan(FAMILY_ALPHA / verdict.rules());
        return givenUp;
    }

}
