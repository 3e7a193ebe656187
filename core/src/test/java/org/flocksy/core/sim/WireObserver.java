package org.flocksy.core.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.flocksy.core.wire.FrameCodec;

/**
 * Someone who sees only the wire and guesses, run by run, which node originated it, with every rule of
 * timing and volume a single feature gives (first and last bulk frame, lining up with the others, gap
 * smoothness, frame counts), one rule about a node the adversary singled out (its start lines up with the
 * others' only when it originates), and a vote of all of them. Each rule's hits are then held against
 * chance with an exact binomial test, Bonferroni-corrected over the rules.
 */
final class WireObserver {
    /** One node's bulk traffic in one run. */
    record Features(long first, long last, long frames, double gapSpread) {}

    private final int nodes;
    private final int singledOut;
    private final long alignedWithinNanos;
    private final SplittableRandom ties;
    private final Map<String, int[]> hits = new LinkedHashMap<>();
    private final List<String> runs = new ArrayList<>();
    private int observed;

    /**
     * @param singledOut the node the adversary works on, or -1
     * @param alignedWithinNanos how close to the others' median the singled-out node's start must lie to count as lined up
     */
    WireObserver(int nodes, int singledOut, long alignedWithinNanos, long seed) {
        this.nodes = nodes;
        this.singledOut = singledOut;
        this.alignedWithinNanos = alignedWithinNanos;
        this.ties = new SplittableRandom(seed);
    }

    /** Reads one run's frames (as they left each node) and scores every rule against the true originator. */
    void observe(List<SimNetwork.Emission> run, int originator) {
        Features[] f = features(run);
        Map<String, Integer> picks = new LinkedHashMap<>();
        picks.put("earliest first bulk frame", pick(f, x -> -x.first()));
        picks.put("latest first bulk frame", pick(f, x -> x.first()));
        picks.put("earliest last bulk frame (first to stop or abort)", pick(f, x -> -x.last()));
        picks.put("latest last bulk frame (last to stop or abort)", pick(f, x -> x.last()));
        picks.put("start closest to the others'", closest(f, true));
        picks.put("stop closest to the others'", closest(f, false));
        picks.put("smoothest gaps", pick(f, x -> -x.gapSpread()));
        picks.put("roughest gaps", pick(f, x -> x.gapSpread()));
        picks.put("most bulk frames", pick(f, x -> x.frames()));
        picks.put("fewest bulk frames", pick(f, x -> -x.frames()));
        if (singledOut >= 0) {
            picks.put("singled-out node lines up only when it originates", singledOutAligned(f));
        }
        int[] votes = new int[nodes];
        picks.values().forEach(p -> votes[p]++);
        picks.put("vote of all rules", best(Arrays.stream(votes).asDoubleStream().toArray()));
        picks.forEach((rule, picked) -> {
            int[] h = hits.computeIfAbsent(rule, r -> new int[1]);
            if (picked == originator) {
                h[0]++;
            }
        });
        observed++;
        StringBuilder line = new StringBuilder("originator " + originator + ":");
        for (int n = 0; n < nodes; n++) {
            line.append(String.format(" n%d first %+d ms last %+d ms frames %d;", n, (f[n].first() - f[0].first()) / 1_000_000,
                    (f[n].last() - f[0].last()) / 1_000_000, f[n].frames()));
        }
        runs.add(line.toString());
    }

    int observed() {
        return observed;
    }

    /** The smallest two-sided p-value of any rule, and the table of all. */
    Verdict verdict() {
        double worst = 1;
        String worstRule = null;
        StringBuilder table = new StringBuilder();
        for (Map.Entry<String, int[]> e : hits.entrySet()) {
            double p = TrafficEqualityTest.twoSidedBinomialP(e.getValue()[0], observed, 1.0 / nodes);
            table.append(String.format("  %-52s %3d/%d  p=%.4f%n", e.getKey(), e.getValue()[0], observed, p));
            if (p < worst) {
                worst = p;
                worstRule = e.getKey();
            }
        }
        return new Verdict(worst, worstRule, hits.size(), table.toString());
    }

    /** The first runs' features, for a failure message. */
    List<String> sample(int n) {
        return runs.subList(0, Math.min(n, runs.size()));
    }

    record Verdict(double smallestP, String rule, int rules, String table) {}

    private Features[] features(List<SimNetwork.Emission> run) {
        List<List<Long>> at = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            at.add(new ArrayList<>());
        }
        for (SimNetwork.Emission e : run) {
            if (e.bytes() == FrameCodec.FILE_FRAME_BYTES) {
                at.get(e.node()).add(e.atNanos());
            }
        }
        Features[] f = new Features[nodes];
        for (int n = 0; n < nodes; n++) {
            List<Long> t = at.get(n);
            if (t.isEmpty()) {
                f[n] = new Features(Long.MAX_VALUE / 4, Long.MIN_VALUE / 4, 0, 0);
                continue;
            }
            double mean = (t.get(t.size() - 1) - t.get(0)) / (double) Math.max(1, t.size() - 1);
            double sq = 0;
            for (int i = 1; i < t.size(); i++) {
                double d = t.get(i) - t.get(i - 1) - mean;
                sq += d * d;
            }
            f[n] = new Features(t.get(0), t.get(t.size() - 1), t.size(), t.size() > 2 ? Math.sqrt(sq / (t.size() - 1)) : 0);
        }
        return f;
    }

    private int pick(Features[] f, ToDoubleFunction<Features> score) {
        double[] s = new double[nodes];
        for (int n = 0; n < nodes; n++) {
            s[n] = score.applyAsDouble(f[n]);
        }
        return best(s);
    }

    /** The node with the highest score; a tie is broken at random, as an observer without a preference would. */
    private int best(double[] score) {
        double top = Arrays.stream(score).max().orElseThrow();
        int[] tied = java.util.stream.IntStream.range(0, score.length).filter(i -> score[i] == top).toArray();
        return tied[ties.nextInt(tied.length)];
    }

    private int closest(Features[] f, boolean start) {
        double[] s = new double[nodes];
        for (int n = 0; n < nodes; n++) {
            s[n] = -Math.abs((start ? f[n].first() : f[n].last()) - othersMedian(f, n, start));
        }
        return best(s);
    }

    private int singledOutAligned(Features[] f) {
        if (Math.abs(f[singledOut].first() - othersMedian(f, singledOut, true)) < alignedWithinNanos) {
            return singledOut;
        }
        int other = ties.nextInt(nodes - 1);
        return other >= singledOut ? other + 1 : other;
    }

    private double othersMedian(Features[] f, int node, boolean start) {
        double[] others = new double[nodes - 1];
        int k = 0;
        for (int n = 0; n < nodes; n++) {
            if (n != node) {
                others[k++] = start ? f[n].first() : f[n].last();
            }
        }
        Arrays.sort(others);
        return others.length % 2 == 1 ? others[others.length / 2] : (others[others.length / 2 - 1] + others[others.length / 2]) / 2;
    }
}
