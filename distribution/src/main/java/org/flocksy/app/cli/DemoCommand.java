package org.flocksy.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.flocksy.app.control.ExitCodes;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.fsm.State;
import org.flocksy.core.kernel.LocalFlock;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.core.plugin.PluginHost;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.traffic.Traffic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code flocksy demo}: three nodes on this machine, fresh keys, one file synced, numbers printed. */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        description = {"Starts three nodes on this machine and shows a file reaching the other two.",
            "The nodes get free 127.0.0.1 ports, fresh keys and boxes; a file written into the first node's box is awaited until the"
                + " other two hold the same bytes, then every node's traffic is shown. Needs no config or keys."})
final class DemoCommand implements Callable<Integer> {
    static final Duration ARRIVAL_LIMIT = Duration.ofSeconds(60);
    private static final Duration CONNECT_LIMIT = Duration.ofSeconds(30);
    private static final int SAMPLE_BYTES = 64 * 1024;

    @Spec
    CommandSpec spec;

    @ParentCommand
    FlocksyCommand parent;

    @Option(names = "--dir", paramLabel = "D",
            description = "Keep the nodes' keys and boxes in D (default: a temporary directory, removed afterwards).")
    Path dir;

    private final Main.Environment env;

    DemoCommand(Main.Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean temporary = dir == null;
        Path root = temporary ? Files.createTempDirectory("flocksy-demo-") : Files.createDirectories(dir);
        long started = System.nanoTime();
        List<Node> nodes = new ArrayList<>();
        try (PluginHost plugins = PluginHost.open(env.pluginsDir())) {
            PluginCatalog catalog = plugins.catalog();
            Blake2b blake2b = Blake2b.load();
            List<LocalFlock.Member> members = LocalFlock.create(root, 3);
            for (LocalFlock.Member m : members) {
                Node node = Node.create(m.settings(), catalog, blake2b, new SystemClock(), FlockTiming.defaults());
                nodes.add(node);
                node.start();
                out.printf("node%d  %s  box %s%n", nodes.size(), m.hostname(), m.box());
            }
            out.flush();
            if (!waitFor(() -> nodes.stream().allMatch(n -> n.machine().connectedPeers() == 2), CONNECT_LIMIT)) {
                out.println("demo failed: the three nodes did not connect within " + CONNECT_LIMIT.toSeconds() + " s");
                return ExitCodes.FAILED;
            }
            long connected = System.nanoTime();
            out.printf("all three nodes connected after %.1f s%n", seconds(connected - started));

            byte[] sample = sample();
            Path file = members.get(0).box().resolve("hello-flock.txt");
            Files.write(file, sample);
            out.printf("wrote %s (%d bytes) into node1's box; waiting for node2 and node3...%n", file.getFileName(), sample.length);
            out.flush();
            long written = System.nanoTime();
            BooleanSupplier arrived = () -> members.subList(1, 3).stream()
                    .allMatch(m -> sameBytes(m.box().resolve("hello-flock.txt"), sample));
            if (!waitFor(arrived, ARRIVAL_LIMIT)) {
                out.println("demo failed: the file did not arrive on every node within " + ARRIVAL_LIMIT.toSeconds() + " s");
                return ExitCodes.FAILED;
            }
            long done = System.nanoTime();
            out.printf("the file is byte-identical on all three nodes %.1f s after it was written (%.1f s in all)%n",
                    seconds(done - written), seconds(done - started));
            // The run's stop timepoint comes a second or two after the receivers' completion: wait for it,
            // so the table shows whole runs.
            waitFor(() -> nodes.stream().allMatch(n -> n.machine().state() == State.READY), ARRIVAL_LIMIT);
            nodes.forEach(Node::close);
            printTraffic(out, nodes);
            out.println("every node sent frames of the same two sizes on the same schedule: an observer cannot tell that node1 was the sender.");
            return ExitCodes.OK;
        } finally {
            nodes.forEach(Node::close);
            if (temporary) {
                deleteTree(root);
            } else {
                out.println("keys and boxes kept in " + root);
            }
            out.flush();
        }
    }

    private static void printTraffic(PrintWriter out, List<Node> nodes) {
        out.println();
        out.printf("%-6s %-24s %10s %10s %10s %12s%n", "node", "hostname", "heartbeat", "data(200)", "fake(210)", "bytes sent");
        for (int i = 0; i < nodes.size(); i++) {
            Traffic t = nodes.get(i).traffic();
            out.printf("%-6s %-24s %10d %10d %10d %12d%n", "node" + (i + 1), nodes.get(i).name(),
                    t.sent(Traffic.Kind.HEARTBEAT).frames(), t.sent(Traffic.Kind.DATA).frames(),
                    t.sent(Traffic.Kind.FAKE).frames(), t.sentBytes());
        }
        out.println("(frames per node as emitted; each goes to both peers, encrypted once per connection)");
    }

    private static byte[] sample() {
        StringBuilder text = new StringBuilder();
        for (int line = 1; text.length() < SAMPLE_BYTES; line++) {
            text.append(String.format("%05d a flock of birds protects each bird%n", line));
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static boolean sameBytes(Path file, byte[] expected) {
        try {
            return Files.exists(file) && Arrays.equals(Files.readAllBytes(file), expected);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
