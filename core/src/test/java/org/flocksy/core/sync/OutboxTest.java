package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.loop.EventLoop;
import org.flocksy.core.testing.EngineSetup;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.version.VersionVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node sends next: runs sized by the flock's rate, the next bundle written while one is in flight. */
class OutboxTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;
    private Path root;
    private Box box;
    private EventLoop loop;
    private SyncEngine engine;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(dir.resolve("box")).toRealPath();
        Random random = new Random(5);
        for (String name : List.of("a.bin", "b.bin", "c.bin")) {
            byte[] content = new byte[5 * MIB];
            random.nextBytes(content);
            Files.write(root.resolve(name), content);
        }
        box = new Box("docs", root, BLAKE2B);
        Settings settings = EngineSetup.oneBox("docs", root, dir);
        loop = new EventLoop(new SystemClock(), settings);
        engine = new SyncEngine(List.of(box), TestPlugins.catalog(), BLAKE2B, loop, new SystemClock(), settings, ReadAhead.THREAD,
                NodeUid.of(new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
        call(() -> {
            engine.start(() -> {});
            return null;
        });
    }

    @AfterEach
    void tearDown() {
        loop.close();
        engine.close();
    }

    @Test
    void aRunCarriesFifteenSecondsOfTheFlocksRateWithinBounds() {
        assertThat(Outbox.bytesFor(0)).as("before any run").isEqualTo(8L * MIB);
        assertThat(Outbox.bytesFor(200)).isEqualTo(200L * 4096 * 15);
        assertThat(Outbox.bytesFor(6_000)).isEqualTo(6_000L * 4096 * 15);
        assertThat(Outbox.bytesFor(50_000)).as("two bundles bound the disk").isEqualTo(512L * MIB);
    }

    /**
     * A folder copied in: its entry is queued once it settles, its files once hashed. They go in one run, not
     * in a run for the folder and more for its files (each run costs seconds whatever it carries).
     */
    @Test
    void aFolderCopiedInGoesInOneRunWithItsFiles() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree")).toRealPath();
        Box fresh = new Box("tree", tree, BLAKE2B);
        Settings settings = EngineSetup.oneBox("tree", tree, dir.resolve("scratch"));
        try (EventLoop other = new EventLoop(new SystemClock(), settings)) {
            SyncEngine watching = new SyncEngine(List.of(fresh), TestPlugins.catalog(), BLAKE2B, other, new SystemClock(), settings,
                    ReadAhead.THREAD, NodeUid.of(new byte[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}));
            try {
                EngineSetup.call(other, Duration.ofSeconds(30), () -> {
                    watching.start(() -> {});
                    return null;
                });
                Path folder = Files.createDirectories(tree.resolve("many"));
                byte[] content = new byte[1024];
                for (int i = 0; i < 2_000; i++) {
                    content[0] = (byte) i;
                    content[1] = (byte) (i >> 8);
                    Files.write(folder.resolve("f" + i), content);
                }
                OutgoingRun[] first = new OutgoingRun[1];
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> (first[0] =
                        EngineSetup.call(other, Duration.ofSeconds(30), () -> watching.nextOutgoing(0))) != null);
                assertThat(first[0].metadata().records()).as("the folder and all its files").isEqualTo(2_001);
            } finally {
                other.close();
                watching.close();
            }
        }
    }

    @Test
    void aFirstScanHashesEveryFileIntoTheIndexAndOnlyTheRunBeingSentCopiesOne() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> call(() -> List.of("a.bin", "b.bin", "c.bin").stream()
                .allMatch(f -> box.known(f) != null)));
        assertThat(outgoingBundles()).as("bundles written before any run was asked for").isZero();
        for (String f : List.of("a.bin", "b.bin", "c.bin")) {
            BoxIndex.Entry entry = call(() -> box.entry(f));
            assertThat(entry.hash()).as(f).isEqualTo(BLAKE2B.hash256(root.resolve(f)));
            assertThat(entry.version()).as(f).isEqualTo(VersionVector.EMPTY.bump(call(box::replica)));
        }
        OutgoingRun first = next();
        OutgoingRun.Sent sent = first.sent().get(0);
        BoxIndex.Entry indexed = call(() -> box.entry(sent.diskPath()));
        assertThat(first.sent()).hasSize(1);
        assertThat(sent.change().contentHash()).isEqualTo(indexed.hash());
        assertThat(sent.change().version()).as("sent as indexed, no second version").isEqualTo(indexed.version());
        assertThat(call(() -> engine.hasWork())).as("the other two files wait").isTrue();
    }

    /**
     * A first scan's files are recorded before they are sent; one touched meanwhile (same content, new mtime)
     * must still go with its content: peers have never had it, and a change of attributes alone would leave
     * them without the file.
     */
    @Test
    void aScannedFileTouchedBeforeItIsSentStillGoesWithItsContent() throws Exception {
        List<String> files = List.of("a.bin", "b.bin", "c.bin");
        await().atMost(Duration.ofSeconds(30)).until(() -> call(() -> files.stream().allMatch(f -> box.known(f) != null)));
        for (String f : files) {
            Files.setLastModifiedTime(root.resolve(f), FileTime.fromMillis(1_000_000_000_000L));
            call(() -> {
                engine.evaluate(box, f);
                return null;
            });
        }
        for (int i = 0; i < files.size(); i++) {
            OutgoingRun run = next();
            assertThat(run.sent()).extracting(s -> s.change().kind()).as("run %d", i).containsOnly(Change.Kind.FILE);
            call(() -> {
                engine.completed(run);
                return null;
            });
        }
    }

    @Test
    void theNextBundleIsWrittenWhileARunIsInFlightAndGoesAfterARunThatFailed() throws Exception {
        // Three files of 5 MiB, 8 MiB per run before any run set the flock's rate: one file per run.
        OutgoingRun first = next();
        await().atMost(Duration.ofSeconds(30)).until(() -> call(engine::nextRunReady));
        assertThat(outgoingBundles()).isEqualTo(2);
        call(() -> {
            engine.completed(first);
            return null;
        });
        OutgoingRun second = call(() -> engine.nextOutgoing(0));
        assertThat(second).as("prepared while the first was in flight").isNotNull();
        await().atMost(Duration.ofSeconds(30)).until(() -> call(engine::nextRunReady));

        // The second run did not happen: it goes again first, then what was prepared after it.
        call(() -> {
            engine.requeue(second);
            return null;
        });
        assertThat(outgoingBundles()).as("the bundle prepared after it is dropped").isZero();
        OutgoingRun again = next();
        assertThat(paths(again)).isEqualTo(paths(second));
        call(() -> {
            engine.completed(again);
            return null;
        });
        OutgoingRun last = next();
        call(() -> {
            engine.completed(last);
            return null;
        });
        assertThat(Stream.of(first, second, last).flatMap(r -> paths(r).stream())).containsExactlyInAnyOrder("a.bin", "b.bin", "c.bin");
        assertThat(call(engine::hasWork)).isFalse();
    }

    private static List<String> paths(OutgoingRun run) {
        return run.changes().stream().map(Change::path).toList();
    }

    private long outgoingBundles() throws Exception {
        try (Stream<Path> files = Files.list(box.tmpDir())) {
            return files.filter(p -> p.getFileName().toString().startsWith("out-")).count();
        }
    }

    private OutgoingRun next() throws Exception {
        OutgoingRun[] run = new OutgoingRun[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> (run[0] = call(() -> engine.nextOutgoing(0))) != null);
        return run[0];
    }

    private <T> T call(Callable<T> task) throws Exception {
        return EngineSetup.call(loop, Duration.ofMinutes(1), task);
    }
}
