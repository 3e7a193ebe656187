package org.flocksy.core.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flocksy.core.testing.Holds.holds;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.flocksy.core.wire.FrameCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an observer of the wire sees over many runs with rotating originators: only two frame sizes, the
 * same number of file frames from every node in every run, and no systematic lead or lag of the
 * originator's first or last file frame.
 */
class TrafficEqualityTest {
    private static final int RUNS = 60;
    private static final int NODES = 3;
    /** Two-sided significance of the binomial tests below: a false alarm once in a thousand seeds. */
    private static final double ALPHA = 0.001;

    @Test
    void fiftyRunsWithRotatingOriginatorsLookAlikeOnTheWire(@TempDir Path dir) throws Exception {
        SimFlock flock = new SimFlock(2026, dir, SimNetwork.Options.lan(), 0, 900, -700);
        flock.start();
        int originatorFirst = 0;
        int originatorLast = 0;
        for (int run = 0; run < RUNS; run++) {
            int originator = run % NODES;
            int from = flock.network.log().size();
            byte[] data = new byte[(run * 7919) % 30_000];
            new Random(run).nextBytes(data);
            String name = "run-" + run;
            flock.nodes.get(originator).write(name, data);
            boolean done = flock.runUntil(() -> flock.nodes.stream().allMatch(n -> holds(n.box.resolve(name), data))
                    && flock.nodes.stream().allMatch(SimFlock.SimNode::ready), Duration.ofSeconds(120));
            assertThat(done).as("run %d (seed 2026)", run).isTrue();
            List<SimNetwork.Emission> runLog = flock.network.log().subList(from, flock.network.log().size());

            assertThat(runLog).allMatch(e -> e.bytes() == FrameCodec.HEARTBEAT_BYTES || e.bytes() == FrameCodec.FILE_FRAME_BYTES);
            long[] count = new long[NODES];
            long[] first = new long[NODES];
            long[] last = new long[NODES];
            Arrays.fill(first, Long.MAX_VALUE);
            for (SimNetwork.Emission e : runLog) {
                if (e.bytes() == FrameCodec.FILE_FRAME_BYTES) {
                    count[e.node()]++;
                    first[e.node()] = Math.min(first[e.node()], e.atNanos());
                    last[e.node()] = Math.max(last[e.node()], e.atNanos());
                }
            }
            long min = Arrays.stream(count).min().orElseThrow();
            long max = Arrays.stream(count).max().orElseThrow();
            assertThat(max - min).as("file frames per node in run %d: %s", run, Arrays.toString(count)).isLessThanOrEqualTo(1);
            if (isExtreme(first, originator, true)) {
                originatorFirst++;
            }
            if (isExtreme(last, originator, false)) {
                originatorLast++;
            }
        }
        System.out.printf("traffic equality: originator first in %d/%d runs (p=%.3f), last in %d/%d (p=%.3f)%n",
                originatorFirst, RUNS, twoSidedBinomialP(originatorFirst, RUNS, 1.0 / NODES),
                originatorLast, RUNS, twoSidedBinomialP(originatorLast, RUNS, 1.0 / NODES));
        // H0: every node's timing jitter is independent of who sends, so the originator is the first (or
        // the last) of three nodes in a run with probability 1/3. Reject if the count is improbable.
        assertThat(twoSidedBinomialP(originatorFirst, RUNS, 1.0 / NODES))
                .as("originator's first file frame was the earliest in %d of %d runs", originatorFirst, RUNS)
                .isGreaterThan(ALPHA);
        assertThat(twoSidedBinomialP(originatorLast, RUNS, 1.0 / NODES))
                .as("originator's last file frame was the latest in %d of %d runs", originatorLast, RUNS)
                .isGreaterThan(ALPHA);
    }

    /**
     * An adversary on node 0's path delays everything it sends by 300 ms. Were a peer's timepoints read with
     * the clock offset estimated from its heartbeats (which includes that delay), every receiver would start
     * and stop 300 ms after node 0 whenever node 0 originates, and only then. Every node reads them on its
     * own clock instead: node 0's first and last file frames sit among the others' alike in both roles.
     */
    @Test
    void aDelayedNodeStartsAndStopsAlikeWhetherItOriginatesOrNot(@TempDir Path dir) throws Exception {
        SimFlock flock = new SimFlock(2027, dir, SimNetwork.Options.lan(), 0, 0, 0);
        flock.network.delay(0, 1, 300_000_000L);
        flock.network.delay(0, 2, 300_000_000L);
        flock.start();
        for (int run = 0; run < 12; run++) {
            int originator = run % NODES;
            int from = flock.network.log().size();
            byte[] data = new byte[1_000 + run * 3_000];
            new Random(run).nextBytes(data);
            String name = "delayed-" + run;
            flock.nodes.get(originator).write(name, data);
            assertThat(flock.runUntil(() -> flock.nodes.stream().allMatch(n -> holds(n.box.resolve(name), data))
                    && flock.nodes.stream().allMatch(SimFlock.SimNode::ready), Duration.ofSeconds(120))).as("run %d (seed 2027)", run).isTrue();
            long[] first = new long[NODES];
            long[] last = new long[NODES];
            Arrays.fill(first, Long.MAX_VALUE);
            for (SimNetwork.Emission e : flock.network.log().subList(from, flock.network.log().size())) {
                if (e.bytes() == FrameCodec.FILE_FRAME_BYTES) {
                    first[e.node()] = Math.min(first[e.node()], e.atNanos());
                    last[e.node()] = Math.max(last[e.node()], e.atNanos());
                }
            }
            long startLeadMs = ((first[1] + first[2]) / 2 - first[0]) / 1_000_000;
            long stopLeadMs = ((last[1] + last[2]) / 2 - last[0]) / 1_000_000;
            System.out.printf("delayed node 0, run %d from node %d: node 0 starts %d ms and stops %d ms before the others%n",
                    run, originator, startLeadMs, stopLeadMs);
            // Own jitter is ±25 ms per node and start: anything near the 300 ms delay would be the leak.
            assertThat(Math.abs(startLeadMs)).as("run %d from node %d: node 0's start lead", run, originator).isLessThan(60);
            assertThat(Math.abs(stopLeadMs)).as("run %d from node %d: node 0's stop lead", run, originator).isLessThan(60);
        }
    }

    private static boolean isExtreme(long[] times, int node, boolean earliest) {
        for (int i = 0; i < times.length; i++) {
            if (i != node && (earliest ? times[i] < times[node] : times[i] > times[node])) {
                return false;
            }
        }
        return true;
    }

    /** P(a count at least as far from the mean as {@code k}) for Binomial(n, p), summing exact terms. */
    static double twoSidedBinomialP(int k, int n, double p) {
        double mean = n * p;
        double distance = Math.abs(k - mean);
        double total = 0;
        for (int i = 0; i <= n; i++) {
            if (Math.abs(i - mean) >= distance - 1e-9) {
                total += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log(1 - p));
            }
        }
        return Math.min(1, total);
    }

    private static double logChoose(int n, int k) {
        double r = 0;
        for (int i = 1; i <= k; i++) {
            r += Math.log(n - k + i) - Math.log(i);
        }
        return r;
    }

    @Test
    void theBinomialTestRejectsAnObviousLead() {
        assertThat(twoSidedBinomialP(20, 60, 1.0 / 3)).isGreaterThan(0.5);
        assertThat(twoSidedBinomialP(45, 60, 1.0 / 3)).isLessThan(ALPHA);
        assertThat(twoSidedBinomialP(2, 60, 1.0 / 3)).isLessThan(ALPHA);
    }
}
