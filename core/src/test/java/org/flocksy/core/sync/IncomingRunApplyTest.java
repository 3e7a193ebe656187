package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.Normalizer;
import java.time.Instant;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.flocksy.core.backup.Versions;
import org.flocksy.core.bundle.BundleWriter;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.bundle.Move;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.loop.EventLoop;
import org.flocksy.core.path.PathSafety;
import org.flocksy.core.testing.EngineSetup;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.version.VersionVector;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.RunMetadata;
import org.flocksy.plugins.backuptrashcan.TrashcanPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiving end of a run against a real directory: only verified bundles are applied, only inside the box. */
class IncomingRunApplyTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final NodeUid SELF = NodeUid.of(new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    private static final NodeUid PEER = NodeUid.of(new byte[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2});
    /** A version the peer made from nothing: newer than whatever this node has not seen. */
    private static final VersionVector V1 = VersionVector.EMPTY.bump(PEER);

    @TempDir
    Path dir;
    private Path root;
    private Box box;
    private EventLoop loop;
    private SyncEngine engine;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(dir.resolve("box")).toRealPath();
        box = new Box("docs", root, BLAKE2B);
        Settings settings = EngineSetup.oneBox("docs", root, dir);
        loop = new EventLoop(new SystemClock(), settings);
        engine = new SyncEngine(List.of(box), TestPlugins.catalog(), BLAKE2B, loop, new SystemClock(), settings, ReadAhead.THREAD, SELF);
        Files.createDirectories(box.tmpDir());
        box.open();
        box.versions(new Versions("docs", root, box.versionsDir(), new TrashcanPlugin.Trashcan(), null, Instant::now));
    }

    @AfterEach
    void tearDown() {
        engine.close();
        loop.close();
    }

    /** A bundle written by the real writer: each entry is a path and its content, or a ready change without content. */
    private RunMetadata bundle(Path file, Object... entries) throws Exception {
        int records = 0;
        try (BundleWriter writer = new BundleWriter(file, BLAKE2B)) {
            for (int i = 0; i < entries.length; i++) {
                if (entries[i] instanceof Change c) {
                    writer.add(c);
                } else if (entries[i] instanceof Moved moved) {
                    writer.addMove(moved.path(), 0640, 1_600_000_000_123L, moved.move(), V1, PEER);
                } else {
                    byte[] content = (byte[]) entries[i + 1];
                    Path source = Files.write(dir.resolve("source-" + i), content);
                    writer.addFile((String) entries[i], 0640, 1_600_000_000_123L, content.length, source, V1, PEER);
                    i++;
                }
                records++;
            }
        }
        return new RunMetadata(box.uid(), records, Files.size(file), BLAKE2B.hash256(file), 0);
    }

    /** A rename in a test bundle: {@code path} now has the content {@code move} names. */
    private record Moved(String path, Move move) {}

    private int bundles;

    /** Opens a run for a bundle and feeds it every chunk, as the carousel would. */
    private IncomingRun deliver(Object... entries) throws Exception {
        Path file = dir.resolve("bundle-" + ++bundles);
        RunMetadata m = bundle(file, entries);
        IncomingRun run = engine.openIncoming("peer", m);
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i < m.chunkCount(); i++) {
            int from = i * 4096;
            int n = Math.min(4096, bytes.length - from);
            assertThat(run.accept(new FileData(from, n, i < m.chunkCount() - 1, Arrays.copyOfRange(bytes, from, from + 4096)))).isNull();
        }
        assertThat(run.complete()).isTrue();
        return run;
    }

    @Test
    void aVerifiedRunIsRenamedIntoPlaceWithModeAndMtime() throws Exception {
        byte[] content = "hello\n".getBytes(StandardCharsets.UTF_8);
        IncomingRun run = deliver("a/b/c.txt", content);
        assertThat(engine.apply(run)).isTrue();
        Path target = root.resolve("a/b/c.txt");
        assertThat(target).hasBinaryContent(content);
        assertThat(Files.getLastModifiedTime(target).toMillis()).isEqualTo(1_600_000_000_123L);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r-----");
        assertThat(box.known("a/b/c.txt")).isEqualTo(Stamp.read(target));
        assertThat(box.known("a/b")).as("parents created on the way are known, so not announced back").isNotNull();
        try (var tmp = Files.list(box.tmpDir())) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void oneBundleCarriesFilesDirectoriesDeletionsAndAttributes() throws Exception {
        Files.writeString(root.resolve("old.txt"), "going");
        Files.createDirectories(root.resolve("gone/inner"));
        Path touched = Files.writeString(root.resolve("touched.txt"), "same bytes");
        // What this node had in sync before the peer's changes: older versions of the same paths.
        for (String known : List.of("old.txt", "gone", "gone/inner", "touched.txt")) {
            Path p = root.resolve(known);
            box.record(known, Stamp.read(p), Files.isRegularFile(p) ? BLAKE2B.hash256(p) : null, VersionVector.EMPTY, SELF);
        }
        byte[] sameHash = BLAKE2B.hash256("same bytes".getBytes(StandardCharsets.UTF_8));
        IncomingRun run = deliver(
                Change.directory("empty", 0750, V1, PEER),
                "one.txt", "1".getBytes(StandardCharsets.UTF_8),
                "sub/two.bin", new byte[9000],
                new Change(Change.Kind.ATTRIBUTES, "touched.txt", 0600, 1_500_000_000_000L, 0, sameHash, V1, PEER),
                Change.deleted("old.txt", V1, PEER),
                Change.deleted("gone/inner", V1, PEER),
                Change.deleted("gone", V1, PEER));
        assertThat(engine.apply(run)).isTrue();
        assertThat(root.resolve("empty")).isDirectory().isEmptyDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("empty")))).isEqualTo("rwxr-x---");
        assertThat(root.resolve("one.txt")).hasContent("1");
        assertThat(Files.size(root.resolve("sub/two.bin"))).isEqualTo(9000);
        assertThat(Files.getLastModifiedTime(touched).toMillis()).isEqualTo(1_500_000_000_000L);
        assertThat(touched).hasContent("same bytes");
        assertThat(root.resolve("old.txt")).doesNotExist();
        assertThat(root.resolve("gone")).doesNotExist();
        assertThat(box.versions().list("old.txt")).singleElement()
                .satisfies(v -> assertThat(root.resolve(v.location())).hasContent("going"));
    }

    @Test
    void attributesForOtherContentAndDeletionsOfNonEmptyDirectoriesAreNotApplied() throws Exception {
        Path local = Files.writeString(root.resolve("mine.txt"), "edited here");
        long mtime = Files.getLastModifiedTime(local).toMillis();
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("dir/unsynced.txt"), "only here");
        IncomingRun run = deliver(
                new Change(Change.Kind.ATTRIBUTES, "mine.txt", 0600, 1_500_000_000_000L, 0, new byte[32], V1, PEER),
                Change.deleted("dir", V1, PEER));
        assertThat(engine.apply(run)).isTrue();
        assertThat(Files.getLastModifiedTime(local).toMillis()).isEqualTo(mtime);
        assertThat(root.resolve("dir/unsynced.txt")).hasContent("only here");
    }

    @Test
    void aRenameTakesTheContentFromTheOldFileAndKeepsNoCopyOfIt() throws Exception {
        byte[] content = new byte[50_000];
        new Random(5).nextBytes(content);
        Path old = Files.createDirectories(root.resolve("old"));
        Files.write(old.resolve("a.bin"), content);
        box.record("old", Stamp.read(old), null, VersionVector.EMPTY, SELF);
        box.record("old/a.bin", Stamp.read(old.resolve("a.bin")), BLAKE2B.hash256(content), VersionVector.EMPTY, SELF);
        IncomingRun run = deliver(new Moved("new/b.bin", new Move(content.length, BLAKE2B.hash256(content), "old/a.bin", V1)),
                Change.deleted("old", V1, PEER));
        assertThat(run.metadata().length()).as("the bundle carries no file bytes").isLessThan(1_000);
        assertThat(engine.apply(run)).isTrue();
        assertThat(root.resolve("new/b.bin")).hasBinaryContent(content);
        assertThat(Files.getLastModifiedTime(root.resolve("new/b.bin")).toMillis()).isEqualTo(1_600_000_000_123L);
        assertThat(root.resolve("old")).doesNotExist();
        assertThat(box.versions().list("old/a.bin")).as("a renamed file is not a deleted one").isEmpty();
        assertThat(box.known("new/b.bin")).isEqualTo(Stamp.read(root.resolve("new/b.bin")));
        assertThat(box.entry("old/a.bin").deleted()).isTrue();
        assertThat(engine.hasWork()).as("nothing to ask for").isFalse();
    }

    @Test
    void aRenameWhoseContentIsNotHereAppliesTheDeletionAndAsksTheGroup() throws Exception {
        byte[] elsewhere = "content this node never had".getBytes(StandardCharsets.UTF_8);
        Path outside = Files.write(dir.resolve("outside.txt"), elsewhere);
        Files.writeString(root.resolve("a.txt"), "other bytes here");
        box.record("a.txt", Stamp.read(root.resolve("a.txt")), BLAKE2B.hash256(root.resolve("a.txt")), VersionVector.EMPTY, SELF);
        IncomingRun run = deliver(
                new Moved("b.txt", new Move(elsewhere.length, BLAKE2B.hash256(elsewhere), "a.txt", V1)),
                new Moved("c.txt", new Move(elsewhere.length, BLAKE2B.hash256(outside), "../outside.txt", V1)));
        assertThat(engine.apply(run)).isTrue();
        assertThat(root.resolve("b.txt")).doesNotExist();
        assertThat(root.resolve("c.txt")).as("never read from outside the box").doesNotExist();
        assertThat(root.resolve("a.txt")).doesNotExist();
        assertThat(box.versions().list("a.txt")).as("what the deletion replaced is kept").hasSize(1);
        assertThat(box.known("b.txt")).isNull();
        assertThat(engine.hasWork()).as("its digest goes out, so that a peer sends what it lacks").isTrue();
        OutgoingRun digest = engine.nextOutgoing(0);
        assertThat(digest.changes()).singleElement().satisfies(c -> assertThat(c.kind()).isEqualTo(Change.Kind.DIGEST));
        digest.close();
    }

    @Test
    void aRenameFromALinkToAFifoNeverOpensTheFifo() throws Exception {
        // A member names as a rename's source a link here that leads to a FIFO, with the link's own size and hash.
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Files.createSymbolicLink(root.resolve("p.link"), Path.of("pipe"));
        byte[] text = "pipe".getBytes(StandardCharsets.UTF_8);
        IncomingRun run = deliver(new Moved("moved.txt", new Move(text.length, BLAKE2B.hash256(text), "p.link", V1)));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThat(engine.apply(run)).isTrue(),
                "applying the rename blocked: the FIFO behind the link was opened");
        assertThat(root.resolve("moved.txt")).as("a file's content is never taken from a link").doesNotExist();
        assertThat(Files.getAttribute(root.resolve("pipe"), "unix:mode", LinkOption.NOFOLLOW_LINKS)).as("the FIFO is left alone")
                .satisfies(mode -> assertThat((Integer) mode & 0170000).isEqualTo(0010000));
    }

    @Test
    void deletionsOfPathsNeverHereLeaveNoTombstones() throws Exception {
        // Issue 13, item 1: a member's bundle of deletions of made-up paths must not grow the index for good.
        Files.writeString(root.resolve("real.txt"), "here");
        box.record("real.txt", Stamp.read(root.resolve("real.txt")), BLAKE2B.hash256(root.resolve("real.txt")), VersionVector.EMPTY, SELF);
        List<Object> deletions = new ArrayList<>();
        Random random = new Random(13);
        for (int i = 0; i < 2_000; i++) {
            deletions.add(Change.deleted("made-up/" + Long.toHexString(random.nextLong()), V1, PEER));
        }
        deletions.add(Change.deleted("real.txt", V1, PEER));
        IncomingRun run = deliver(deletions.toArray());
        assertThat(EngineSetup.call(loop, Duration.ofSeconds(30), () -> engine.apply(run))).isTrue();
        // More than one slice of the loop's time: the rest is applied in later ones.
        await().atMost(Duration.ofSeconds(30)).until(() -> EngineSetup.call(loop, Duration.ofSeconds(30), engine::applying) == 0);
        assertThat(box.entries()).as("only the path this node had is remembered as deleted").singleElement()
                .satisfies(e -> assertThat(e.path()).isEqualTo("real.txt"))
                .satisfies(e -> assertThat(e.deleted()).isTrue());
        assertThat(root.resolve("real.txt")).doesNotExist();
    }

    /**
     * Ten thousand small files took a receiver's loop 16 s in one go, and the run (and every node's frames)
     * lasted as long: a run is applied in slices, the loop free between them.
     */
    @Test
    void aLargeRunIsAppliedInSlicesThatLeaveTheLoopFree() throws Exception {
        IncomingRun run = deliver(manyFiles(5_000));
        AtomicLong placedWhenOtherWorkRan = new AtomicLong(-1);
        assertThat(EngineSetup.call(loop, Duration.ofSeconds(60), () -> {
            boolean verified = engine.apply(run);
            loop.post(() -> placedWhenOtherWorkRan.set(box.entries().stream().filter(e -> e.path().startsWith("many/f")).count()));
            return verified;
        })).isTrue();
        await().atMost(Duration.ofMinutes(2)).until(() -> EngineSetup.call(loop, Duration.ofSeconds(30), engine::applying) == 0);

        assertThat(placedWhenOtherWorkRan.get()).as("work posted after the apply ran while it went on").isBetween(1L, 4_999L);
        for (int i = 0; i < 5_000; i += 499) {
            assertThat(root.resolve("many/f" + i)).hasContent("content " + i);
        }
        assertThat(box.entries().stream().filter(e -> e.path().startsWith("many/f")).count()).isEqualTo(5_000);
        try (var tmp = Files.list(box.tmpDir())) {
            assertThat(tmp).as("the bundle goes once applied").isEmpty();
        }
    }

    @Test
    void aBoxRemovedWhileARunIsAppliedGetsNoMoreOfIt() throws Exception {
        IncomingRun run = deliver(manyFiles(5_000));
        EngineSetup.call(loop, Duration.ofSeconds(60), () -> {
            engine.apply(run);
            loop.post(() -> engine.removeBox(box));
            return null;
        });
        await().atMost(Duration.ofMinutes(2)).until(() -> EngineSetup.call(loop, Duration.ofSeconds(30), engine::applying) == 0);

        try (var placed = Files.list(root.resolve("many"))) {
            assertThat(placed.count()).isLessThan(5_000);
        }
        try (var tmp = Files.list(box.tmpDir())) {
            assertThat(tmp).as("the bundle goes with the rest of the run").isEmpty();
        }
    }

    /** Runs arriving faster than they are written out: past two waiting bundles, runs go into nothing for now. */
    @Test
    void pastTwoWaitingBundlesARunIsReceivedIntoNothingAndTheBoxAsksAgainOnceAllIsApplied() throws Exception {
        IncomingRun first = deliver(manyFiles(3_000));
        IncomingRun second = deliver(manyFiles(3_000));
        String refusal = EngineSetup.call(loop, Duration.ofSeconds(60), () -> {
            engine.apply(first);
            engine.apply(second);
            return engine.openIncoming("peer", first.metadata()).refusal();
        });
        assertThat(refusal).contains("still being applied");

        await().atMost(Duration.ofMinutes(2)).until(() -> EngineSetup.call(loop, Duration.ofSeconds(30), engine::applying) == 0);
        OutgoingRun digest = EngineSetup.call(loop, Duration.ofSeconds(30), () -> engine.nextOutgoing(0));
        assertThat(digest).as("the box's digest, so peers send what it refused").isNotNull();
        assertThat(digest.metadata().records()).isEqualTo(1);
    }

    private static Object[] manyFiles(int count) {
        List<Object> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add("many/f" + i);
            files.add(("content " + i).getBytes(StandardCharsets.UTF_8));
        }
        return files.toArray();
    }

    @Test
    void inAFollowingBoxARenameTakesTheContentThroughALink() throws Exception {
        box.links(LinkMode.FOLLOW);
        byte[] content = "what the link points to".getBytes(StandardCharsets.UTF_8);
        Path outside = Files.write(dir.resolve("outside.txt"), content);
        Files.createSymbolicLink(root.resolve("a.txt"), outside);
        IncomingRun run = deliver(new Moved("b.txt", new Move(content.length, BLAKE2B.hash256(content), "a.txt", V1)));
        assertThat(engine.apply(run)).isTrue();
        assertThat(root.resolve("b.txt")).as("the followed file's bytes, not the link's text").hasBinaryContent(content);
    }

    @Test
    void tombstonesAreForgottenFifteenMonthsAfterTheDeletion() throws Exception {
        // Issue 13, item 1: an index must not keep every deletion for good.
        long[] now = {1_800_000_000_000L};
        box.clock(() -> now[0]);
        Files.writeString(root.resolve("gone.txt"), "soon gone");
        box.record("gone.txt", Stamp.read(root.resolve("gone.txt")), BLAKE2B.hash256(root.resolve("gone.txt")), VersionVector.EMPTY, SELF);
        assertThat(engine.apply(deliver(Change.deleted("gone.txt", V1, PEER)))).isTrue();
        // A tombstone from before they carried their time: dated when first seen, not forgotten at once.
        box.close();
        BoxIndex raw = BoxIndex.open(box.stateDir().resolve("index.db"));
        raw.put(new BoxIndex.Entry("older.txt", false, 0, 0, 0, null, V1, PEER, true, 0));
        raw.close();
        box.open();
        now[0] += Box.TOMBSTONES_KEPT_MS - 1000;
        assertThat(box.forgetOldTombstones()).isZero();
        assertThat(box.entry("gone.txt").deleted()).isTrue();
        now[0] += 2000;
        assertThat(box.forgetOldTombstones()).isEqualTo(1);
        assertThat(box.entry("gone.txt")).isNull();
        box.close();
        box.open();
        assertThat(box.entry("gone.txt")).as("forgotten in the index on disk too").isNull();
        assertThat(box.entry("older.txt")).as("dated when first seen without a time").isNotNull();
    }

    @Test
    void aNameInAnotherUnicodeFormIsTheSameFile() throws Exception {
        String nfd = "cafe\u0301/re\u0301sume\u0301.txt";
        String nfc = Normalizer.normalize(nfd, Normalizer.Form.NFC);
        Path dirNfd = Files.createDirectories(root.resolve("cafe\u0301"));
        Path local = Files.writeString(root.resolve(nfd), "old");
        box.record("cafe\u0301", Stamp.read(dirNfd), null, VersionVector.EMPTY, SELF);
        box.record(nfd, Stamp.read(local), BLAKE2B.hash256(local), VersionVector.EMPTY, SELF);
        // Not in the index, only on disk: still the same name.
        Files.writeString(root.resolve("cafe\u0301/n\u0303.txt"), "x");
        IncomingRun run = deliver(nfc, "new".getBytes(StandardCharsets.UTF_8), "caf\u00e9/\u00f1.txt", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(engine.apply(run)).isTrue();
        try (var names = Files.list(dirNfd)) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("re\u0301sume\u0301.txt", "n\u0303.txt");
        }
        try (var names = Files.list(root)) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".flocksy", "cafe\u0301");
        }
        assertThat(local).hasContent("new");
        assertThat(box.known(nfd)).isEqualTo(Stamp.read(local));
    }

    @Test
    void pathsIgnoredHereAreNotWrittenNorDeleted() throws Exception {
        Files.writeString(root.resolve(".flocksyignore"), "private/\n");
        box.loadIgnoreRules();
        Files.createDirectories(root.resolve("private"));
        Files.writeString(root.resolve("private/diary.txt"), "mine");
        byte[] x = "x".getBytes(StandardCharsets.UTF_8);
        IncomingRun run = deliver(".DS_Store", x, "private/new.txt", x, Change.deleted("private/diary.txt", V1, PEER), "ok.txt", x);
        assertThat(engine.apply(run)).isTrue();
        assertThat(root.resolve(".DS_Store")).doesNotExist();
        assertThat(root.resolve("private/new.txt")).doesNotExist();
        assertThat(root.resolve("private/diary.txt")).hasContent("mine");
        assertThat(root.resolve("ok.txt")).hasContent("x");
    }

    @Test
    void linksAreMadeAsLinksOnlyIfTheyStayInTheBox() throws Exception {
        Files.writeString(root.resolve("target.txt"), "pointed at");
        Path file = dir.resolve("links.bundle");
        int mode = Stamp.LINK_TYPE | 0777;
        try (BundleWriter writer = new BundleWriter(file, BLAKE2B)) {
            for (String[] link : new String[][] {{"sub/ln", "../target.txt"}, {"bad", "../outside"}, {"abs", "/etc/passwd"},
                    {"state", ".flocksy/index.db"}}) {
                writer.addContent(Change.Kind.FILE, link[0], mode, 1_600_000_000_000L, link[1].getBytes(StandardCharsets.UTF_8), V1, PEER);
            }
        }
        IncomingRun run = engine.openIncoming("peer", new RunMetadata(box.uid(), 4, Files.size(file), BLAKE2B.hash256(file), 0));
        byte[] bytes = Files.readAllBytes(file);
        run.accept(new FileData(0, bytes.length, false, Arrays.copyOf(bytes, 4096)));
        assertThat(engine.apply(run)).isTrue();
        assertThat(Files.readSymbolicLink(root.resolve("sub/ln"))).isEqualTo(Path.of("../target.txt"));
        assertThat(root.resolve("sub/ln")).hasContent("pointed at");
        assertThat(box.known("sub/ln").link()).isTrue();
        for (String refused : List.of("bad", "abs", "state")) {
            assertThat(Files.exists(root.resolve(refused), LinkOption.NOFOLLOW_LINKS)).as(refused).isFalse();
        }
    }

    /** Delivers links (path, target text) as a copy-mode peer sends them. */
    private IncomingRun deliverLinks(String... pathsAndTargets) throws Exception {
        Path file = dir.resolve("links-" + ++bundles + ".bundle");
        try (BundleWriter writer = new BundleWriter(file, BLAKE2B)) {
            for (int i = 0; i < pathsAndTargets.length; i += 2) {
                writer.addContent(Change.Kind.FILE, pathsAndTargets[i], Stamp.LINK_TYPE | 0777, 1_600_000_000_000L,
                        pathsAndTargets[i + 1].getBytes(StandardCharsets.UTF_8), V1, PEER);
            }
        }
        IncomingRun run = engine.openIncoming("peer", new RunMetadata(box.uid(), pathsAndTargets.length / 2, Files.size(file),
                BLAKE2B.hash256(file), 0));
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i * 4096 < bytes.length; i++) {
            int from = i * 4096;
            run.accept(new FileData(from, Math.min(4096, bytes.length - from), (i + 1) * 4096 < bytes.length,
                    Arrays.copyOfRange(bytes, from, from + 4096)));
        }
        return run;
    }

    @Test
    void linkTargetsAreJudgedOnDiskNotAsText() throws Exception {
        Files.createDirectories(root.resolve("d"));
        // "d/u" is the box's root; "u/../../etc" reads as "etc" in the box but leads above it on disk.
        assertThat(engine.apply(deliverLinks("d/u", "..", "d/v", "u/../../etc", "d/w", "../d/../x"))).isTrue();
        assertThat(Files.readSymbolicLink(root.resolve("d/u"))).isEqualTo(Path.of(".."));
        assertThat(Files.exists(root.resolve("d/v"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(root.resolve("d/w"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        // Nothing is ever written through a link, even one inside the box.
        IncomingRun through = deliver("d/u/written-through.txt", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(engine.apply(through)).isTrue();
        assertThat(root.resolve("written-through.txt")).doesNotExist();
    }

    @Test
    void aFollowingBoxRecordsALinkWhoseTargetComesLater() throws Exception {
        box.links(LinkMode.FOLLOW);
        assertThat(engine.apply(deliverLinks("a.lnk", "b.txt"))).isTrue();
        assertThat(Files.isSymbolicLink(root.resolve("a.lnk"))).isTrue();
        assertThat(box.known("a.lnk").link()).isTrue();
        assertThat(box.stamp(root.resolve("a.lnk"))).as("still the same link when looked at again").isEqualTo(box.known("a.lnk"));
    }

    @Test
    void anNfdNamedLinkLeadingOutIsNotWrittenThrough() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("Mu\u0308ller"), outside);
        IncomingRun run = deliver("M\u00fcller/evil.txt", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(engine.apply(run)).isTrue();
        assertThat(outside.resolve("evil.txt")).doesNotExist();
    }

    @Test
    void conflictCopiesKeepTheExtensionAndFitTheWire() {
        assertThat(ConflictName.of("dir/report.final.pdf", 1_800_000_000_000L, PEER))
                .isEqualTo("dir/report.final.sync-conflict-20270115-080000-" + PEER.shortId() + ".pdf");
        String longPath = "d/".repeat(40) + "ü".repeat(20) + ".txt";
        String copy = ConflictName.of(longPath, 0, PEER);
        assertThat(copy.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(128);
        assertThat(copy).startsWith("d/".repeat(40)).endsWith(".txt").contains(".sync-conflict-19700101-000000-");
        assertThat(PathSafety.problem(copy)).isNull();
    }

    @Test
    void contentThatDoesNotMatchTheHashNeverBecomesVisible() throws Exception {
        Path file = dir.resolve("forged");
        RunMetadata m = bundle(file, "x.txt", "the real bytes".getBytes(StandardCharsets.UTF_8));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 40] ^= 1;
        IncomingRun run = engine.openIncoming("peer", m);
        run.accept(new FileData(0, bytes.length, false, Arrays.copyOf(bytes, 4096)));
        assertThat(engine.apply(run)).isFalse();
        assertThat(root.resolve("x.txt")).doesNotExist();
        assertThat(run.complete()).isFalse();
    }

    @Test
    void aBundleIsVerifiedAsItArrivesInOrderAndFromDiskWhenChunksCameOutOfOrderWhichMeansFramesWereLost() throws Exception {
        byte[] content = new byte[1_100_000];
        new Random(3).nextBytes(content);
        Path file = dir.resolve("large");
        RunMetadata m = bundle(file, "large.bin", content);
        byte[] bytes = Files.readAllBytes(file);
        for (boolean inOrder : new boolean[] {true, false}) {
            IncomingRun run = engine.openIncoming("peer", m);
            for (int k = 0; k < m.chunkCount(); k++) {
                // Out of order: the chunks of each 256 KiB batch reversed, as a carousel's second round would fill gaps.
                int i = inOrder ? k : (k / 64) * 64 + Math.min(63, m.chunkCount() - 1 - (k / 64) * 64) - k % 64;
                int from = i * 4096;
                int n = Math.min(4096, bytes.length - from);
                assertThat(run.accept(new FileData(from, n, i < m.chunkCount() - 1, Arrays.copyOfRange(bytes, from, from + 4096)))).isNull();
            }
            assertThat(run.lostFrames()).as("a chunk that came after a later one was dropped in the first round").isEqualTo(!inOrder);
            run.finish();
            assertThat(run.hash()).as(inOrder ? "in order" : "out of order").isEqualTo(m.bundleHash());
            run.discard();
        }
    }

    @Test
    void pathsLeavingTheBoxAreRefusedAndTheRestApplied() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        byte[] content = "x".getBytes(StandardCharsets.UTF_8);
        IncomingRun run = deliver("../escape.txt", content, "link/escape.txt", content, ".flocksy/tmp/evil", content,
                "/etc/evil", content, "fine.txt", content);
        assertThat(engine.apply(run)).isTrue();
        assertThat(dir.resolve("escape.txt")).doesNotExist();
        assertThat(outside.resolve("escape.txt")).doesNotExist();
        assertThat(box.tmpDir().resolve("evil")).doesNotExist();
        assertThat(root.resolve("fine.txt")).hasContent("x");
    }

    @Test
    void aBoxWhoseFolderVanishedIsPausedNotReadAsDeleted() throws Exception {
        Files.writeString(root.resolve("keep.txt"), "precious");
        box.record("keep.txt", Stamp.read(root.resolve("keep.txt")), null, V1, PEER);
        try (var tree = Files.walk(root)) {
            tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        engine.evaluate(box, "keep.txt");
        assertThat(engine.hasWork()).as("a deletion was queued for a box that is gone").isFalse();
        assertThat(engine.nextOutgoing(0)).isNull();

        IncomingRun run = engine.openIncoming("peer", new RunMetadata(box.uid(), 1, 100, new byte[32], 0));
        assertThat(run.refusal()).contains("is gone");
    }

    @Test
    void aBundleLargerThanTheDiskCanTakeIsReceivedIntoNothing() throws Exception {
        // Issue 13, item 2: a member may declare up to 1 TiB; nothing is written for a bundle the disk cannot hold twice.
        long free = Files.getFileStore(root).getUsableSpace();
        org.junit.jupiter.api.Assumptions.assumeTrue(free / 2 + 1 <= RunMetadata.LENGTH_MAX, "a disk with more than 2 TiB free");
        long length = free / 2 + 1;
        IncomingRun run = engine.openIncoming("peer", new RunMetadata(box.uid(), 1, length, new byte[32], 0));
        assertThat(run.refusal()).startsWith("the bundle (" + length + " bytes) needs twice that on the disk");
        assertThat(run.accept(new FileData(0, 4096, true, new byte[4096]))).isNull();
        try (var tmp = Files.list(box.tmpDir())) {
            assertThat(tmp).as("nothing written to the temp folder").isEmpty();
        }
    }

    @Test
    void aWriteFailureKeepsTheRunGoingIntoNothing() throws Exception {
        Path file = dir.resolve("big");
        RunMetadata m = bundle(file, "f.bin", new byte[5000]);
        IncomingRun run = engine.openIncoming("peer", m);
        // Make the temp file's path a directory: the write fails as a full or broken disk would.
        Field temp = IncomingRun.class.getDeclaredField("temp");
        temp.setAccessible(true);
        Files.createDirectories((Path) temp.get(run));
        int last = (int) (m.length() - 4096);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run.accept(new FileData(0, 4096, true, new byte[4096])))
                .isInstanceOf(IOException.class);
        assertThat(run.refusal()).startsWith("cannot write");
        assertThat(run.accept(new FileData(0, 4096, true, new byte[4096]))).isNull();
        assertThat(run.accept(new FileData(4096, last, false, new byte[last]))).isNull();
        assertThat(run.complete()).isTrue();
        assertThat(engine.apply(run)).isTrue();
        assertThat(root.resolve("f.bin")).doesNotExist();
    }

    @Test
    void chunksThatContradictTheMetadataAreRejected() throws Exception {
        RunMetadata m = new RunMetadata(box.uid(), 1, 5000, new byte[32], 0);
        IncomingRun run = engine.openIncoming("peer", m);
        assertThat(run.accept(new FileData(0, 4096, false, new byte[4096]))).contains("more=false");
        assertThat(run.accept(new FileData(8192, 10, false, new byte[10]))).contains("beyond");
        assertThat(run.accept(new FileData(4096, 100, false, new byte[100]))).contains("size 100");
        assertThat(run.chunksReceived()).isZero();
        run.discard();
    }

    @Test
    void aReceiverReportsTheChunksItLostAndStopsOnceItHasThemAll() throws Exception {
        // At 50 frames/s what is missing is brought up to date every fifth chunk taken.
        RunMetadata m = new RunMetadata(box.uid(), 1, 8 * 4096, new byte[32], 1, 50);
        IncomingRun run = engine.openIncoming("peer", m);
        org.flocksy.core.scheduler.Emitter.BulkSource frames = run.fileFrames();
        for (int c : new int[] {0, 2, 3, 4}) {
            assertThat(run.accept(new FileData(c * 4096L, 4096, true, new byte[4096]))).isNull();
        }
        assertThat(frames.next()).as("not brought up to date yet").isInstanceOf(org.flocksy.core.wire.FakeFile.class);
        assertThat(run.accept(new FileData(5 * 4096L, 4096, true, new byte[4096]))).isNull();
        org.flocksy.core.wire.MissingChunks report = (org.flocksy.core.wire.MissingChunks) frames.next();
        assertThat(report.latest()).isEqualTo(5);
        assertThat(report.missing(1)).isTrue();
        assertThat(report.missing(6)).as("not sent yet in the first round").isFalse();
        for (int c : new int[] {1, 6, 7}) {
            assertThat(run.accept(new FileData(c * 4096L, 4096, c < 7, new byte[4096]))).isNull();
        }
        assertThat(run.complete()).isTrue();
        for (int i = 0; i < 50; i++) {
            assertThat(frames.next()).as("a complete receiver asks for nothing").isInstanceOf(org.flocksy.core.wire.FakeFile.class);
        }
        run.discard();
    }
}
