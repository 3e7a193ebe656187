package org.flocksy.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.flocksy.core.testing.Holds.holds;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.fsm.State;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.timing.RateLimit;
import org.flocksy.core.timing.RateSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 4: a receiver that is slow to apply must not change anyone's bytes on the wire. Three real
 * nodes over CURVE, every link through a {@link CountingRelay}; the receiver's event loop is held up most of
 * the run (as a long apply on a slow disk holds it). Every link must carry the same bytes, within 1 %: a
 * publisher dropping frames at its high-water mark for the slow subscriber would show as less on the links
 * into that node.
 */
@Timeout(240)
class SlowReceiverEgressTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final int RATE = 1_000;

    @Test
    void aReceiverBusyApplyingLeavesEveryLinkCarryingTheSameBytes(@TempDir Path dir) throws Exception {
        List<LocalFlock.Member> members = LocalFlock.create(dir, 3);
        Path keystore = members.get(0).settings().keystore().value();
        Map<String, String> keys = new LinkedHashMap<>(KeyFiles.readKeystore(keystore));
        // relays[i][j]: node i's publications on their way to node j.
        CountingRelay[][] relays = new CountingRelay[3][3];
        List<Node> nodes = new ArrayList<>();
        Thread busy = null;
        try {
            for (int i = 0; i < 3; i++) {
                int port = URI.create(members.get(i).hostname()).getPort();
                for (int j = 0; j < 3; j++) {
                    if (i != j) {
                        relays[i][j] = new CountingRelay(port);
                        keys.put(endpoint(relays[i][j]), keys.get(members.get(i).hostname()));
                    }
                }
            }
            KeyFiles.writeKeystore(keystore, keys);
            for (int j = 0; j < 3; j++) {
                LocalFlock.Member m = members.get(j);
                List<Declared<String>> peers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    if (i != j) {
                        peers.add(new Declared<>(endpoint(relays[i][j]), "test"));
                    }
                }
                Settings s = m.settings();
                Settings viaRelays = new Settings(s.hostnames(), peers, s.boxes(), s.keystore(), s.privateKeys(), Map.of(), Map.of(),
                        Map.of());
                Node node = Node.create(viaRelays, TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults(),
                        RateSource.fixed(RateLimit.fixed(RATE, "test")));
                nodes.add(node);
                node.start();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n -> n.machine().connectedPeers() == 2));
            await().atMost(Duration.ofSeconds(120)).until(() -> nodes.stream().allMatch(n -> n.machine().deliveredRuns() >= 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> quiescent(nodes) && quiescent(nodes));
            long[][] before = snapshot(relays);

            Node slow = nodes.get(2);
            busy = new Thread(() -> {
                // 1.5 s of every 1.6 s the receiver's loop is taken, as by applying a large bundle to a slow disk.
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        slow.onLoop(() -> {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_500));
                            return null;
                        });
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "busy-receiver");
            busy.start();
            byte[] data = new byte[6 << 20];
            new Random(12).nextBytes(data);
            Files.write(members.get(0).box().resolve("large.bin"), data);
            await().atMost(Duration.ofSeconds(120)).until(() -> holds(members.get(1).box().resolve("large.bin"), data)
                    && holds(members.get(2).box().resolve("large.bin"), data));
            busy.interrupt();
            busy.join();
            await().atMost(Duration.ofSeconds(60)).until(() -> quiescent(nodes) && quiescent(nodes));
            long[][] after = snapshot(relays);

            List<Long> links = new ArrayList<>();
            StringBuilder table = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    if (i != j) {
                        long bytes = after[i][j] - before[i][j];
                        links.add(bytes);
                        table.append(String.format("%d->%d %d  ", i + 1, j + 1, bytes));
                    }
                }
            }
            System.out.println("bytes per link during the run: " + table);
            long min = links.stream().mapToLong(Long::longValue).min().orElseThrow();
            long max = links.stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(min).as("bytes per link: %s", table).isGreaterThan(data.length);
            assertThat((double) (max - min) / min).as("spread of bytes per link: %s", table).isLessThan(0.01);
        } finally {
            if (busy != null) {
                busy.interrupt();
            }
            nodes.forEach(Node::close);
            for (CountingRelay[] row : relays) {
                for (CountingRelay r : row) {
                    if (r != null) {
                        r.close();
                    }
                }
            }
        }
    }

    private static String endpoint(CountingRelay relay) {
        return "tcp://127.0.0.1:" + relay.port();
    }

    private static long[][] snapshot(CountingRelay[][] relays) {
        long[][] bytes = new long[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                bytes[i][j] = relays[i][j] == null ? 0 : relays[i][j].publisherBytes();
            }
        }
        return bytes;
    }

    private static boolean quiescent(List<Node> nodes) throws InterruptedException {
        for (Node n : nodes) {
            if (!n.quiescent() || n.machine().state() != State.READY) {
                return false;
            }
        }
        return true;
    }

}
