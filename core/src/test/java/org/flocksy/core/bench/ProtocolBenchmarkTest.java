package org.flocksy.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.fsm.State;
import org.flocksy.core.kernel.LocalFlock;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.timing.FlockTiming;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers for docs/measurements.md, not a pass/fail test: schedule error of file frames (p50, p99), CPU per
 * node idle and during a run, and goodput, for 3 and 8 nodes on loopback in one JVM over real CURVE
 * sockets; then the frame rate swept upwards on 3 nodes. Run with {@code scripts/bench-protocol.sh}.
 * Fixed sleeps are deliberate here: they are the measurement windows.
 */
@Tag("benchmark")
class ProtocolBenchmarkTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final int RUN_BYTES = 2 * 1024 * 1024;

    record Result(int nodes, int rate, double p50Ms, double p99Ms, double idleCpuPct, double runCpuPct,
                  double syncSeconds, double goodputKiBs) {
        @Override
        public String toString() {
            return String.format("nodes=%d rate=%d/s  schedule error p50=%.1f ms p99=%.1f ms  cpu/node idle=%.1f %% run=%.1f %%"
                    + "  2 MiB synced in %.1f s  goodput=%.0f KiB/s", nodes, rate, p50Ms, p99Ms, idleCpuPct, runCpuPct,
                    syncSeconds, goodputKiBs);
        }
    }

    @Test
    void protocolNumbers(@TempDir Path dir) throws Exception {
        System.out.println("=== flocksy protocol benchmark ===");
        List<Result> results = new ArrayList<>();
        for (int n : new int[] {3, 8}) {
            try {
                results.add(report(measure(dir.resolve("n" + n), n, FlockTiming.defaults())));
            } catch (AssertionError e) {
                System.out.println("nodes=" + n + " rate=200/s  not sustainable here: " + e.getMessage());
            }
        }
        for (int rate : Integer.getInteger("bench.rates", 0) > 0 ? new int[] {Integer.getInteger("bench.rates")}
                : new int[] {400, 800, 1600}) {
            FlockTiming d = FlockTiming.defaults();
            FlockTiming t = new FlockTiming(d.heartbeatPeriod(), d.heartbeatJitter(), rate, d.startOffsetMin(),
                    d.startOffsetMax(), d.stopOffsetMin(), d.stopOffsetMax(), d.timepointJitter(), d.connectedPeriods(),
                    d.replyDeadlinePeriods(), d.minBucketFrames());
            try {
                results.add(report(measure(dir.resolve("rate" + rate), 3, t)));
            } catch (AssertionError e) {
                System.out.println("nodes=3 rate=" + rate + "/s  not sustainable here: " + e.getMessage());
                break;
            }
        }
        assertThat(results).isNotEmpty().allMatch(r -> r.syncSeconds() > 0);
    }

    private static Result report(Result r) {
        System.out.println(r);
        return r;
    }

    private Result measure(Path dir, int n, FlockTiming timing) throws Exception {
        Files.createDirectories(dir);
        List<LocalFlock.Member> members = LocalFlock.create(dir, n);
        List<Node> nodes = new ArrayList<>();
        try {
            for (LocalFlock.Member m : members) {
                Node node = Node.create(m.settings(), TestPlugins.catalog(), BLAKE2B, new SystemClock(), timing);
                nodes.add(node);
                node.start();
            }
            waitFor(() -> nodes.stream().allMatch(x -> x.machine().connectedPeers() == n - 1), Duration.ofSeconds(60));
            Thread.sleep(5_000);
            double idle = cpuPercentOver(Duration.ofSeconds(10)) / n;

            byte[] data = new byte[RUN_BYTES];
            new Random(n).nextBytes(data);
            nodes.forEach(x -> x.lateness().reset());
            long cpu0 = OS.getProcessCpuTime();
            long t0 = System.nanoTime();
            Files.write(members.get(0).box().resolve("bench.bin"), data);
            waitFor(() -> members.stream().allMatch(m -> same(m.box().resolve("bench.bin"), data)), Duration.ofSeconds(90));
            long synced = System.nanoTime();
            waitFor(() -> nodes.stream().allMatch(x -> x.machine().state() == State.READY), Duration.ofMinutes(1));
            long t1 = System.nanoTime();
            double run = 100.0 * (OS.getProcessCpuTime() - cpu0) / (t1 - t0) / n;
            double p50 = nodes.stream().mapToLong(x -> x.lateness().percentileNanos(0.5)).max().orElse(0) / 1e6;
            double p99 = nodes.stream().mapToLong(x -> x.lateness().percentileNanos(0.99)).max().orElse(0) / 1e6;
            double seconds = (synced - t0) / 1e9;
            return new Result(n, timing.framesPerSecond(), p50, p99, idle, run, seconds, RUN_BYTES / 1024.0 / seconds);
        } finally {
            nodes.forEach(Node::close);
        }
    }

    private static double cpuPercentOver(Duration window) throws InterruptedException {
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(window.toMillis());
        return 100.0 * (OS.getProcessCpuTime() - cpu0) / (System.nanoTime() - t0);
    }

    private static boolean same(Path file, byte[] data) {
        try {
            return Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), data);
        } catch (IOException e) {
            return false;
        }
    }

    private static void waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("benchmark condition not reached within " + limit);
            }
            Thread.sleep(20);
        }
    }
}
