package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flocksy.api.BoxSpec;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.loop.EventLoop;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.RunMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiving end of a run against a real directory: only verified content becomes visible, only inside the box. */
class IncomingRunApplyTest {
    private static final Blake2b BLAKE2B = Blake2b.load();

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
        Settings settings = new Settings(List.of(new Declared<>("tcp://127.0.0.1:1", "t")), List.of(),
                List.of(new Declared<>(new BoxSpec("docs", root.toString()), "t")),
                new Declared<>(dir.resolve("ks"), "t"), new Declared<>(dir.resolve("pk"), "t"));
        loop = new EventLoop(new SystemClock(), settings);
        engine = new SyncEngine(List.of(box), TestPlugins.catalog(), BLAKE2B, loop, new SystemClock(), settings, ReadAhead.THREAD);
        Files.createDirectories(box.tmpDir());
    }

    @AfterEach
    void tearDown() {
        engine.close();
        loop.close();
    }

    private RunMetadata metadata(String path, byte[] content) {
        return new RunMetadata(box.uid(), path, 0640, RunMetadata.EntryType.REGULAR, 1_600_000_000_123L,
                content.length, BLAKE2B.hash256(content), 0);
    }

    @Test
    void aVerifiedRunIsRenamedIntoPlaceWithModeAndMtime() throws Exception {
        byte[] content = "hello\n".getBytes(StandardCharsets.UTF_8);
        IncomingRun run = engine.openIncoming("peer", metadata("a/b/c.txt", content));
        assertThat(run.accept(new FileData(0, content.length, false, content))).isNull();
        assertThat(run.complete()).isTrue();
        assertThat(engine.apply(run)).isTrue();
        Path target = root.resolve("a/b/c.txt");
        assertThat(target).hasBinaryContent(content);
        assertThat(Files.getLastModifiedTime(target).toMillis()).isEqualTo(1_600_000_000_123L);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r-----");
        assertThat(box.known("a/b/c.txt")).isEqualTo(Stamp.read(target));
        try (var tmp = Files.list(box.tmpDir())) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void contentThatDoesNotMatchTheHashNeverBecomesVisible() throws Exception {
        byte[] announced = "the real bytes".getBytes(StandardCharsets.UTF_8);
        byte[] forged = "the fake bytes".getBytes(StandardCharsets.UTF_8);
        IncomingRun run = engine.openIncoming("peer", metadata("x.txt", announced));
        run.accept(new FileData(0, forged.length, false, forged));
        assertThat(engine.apply(run)).isFalse();
        assertThat(root.resolve("x.txt")).doesNotExist();
        assertThat(run.complete()).isFalse();
    }

    @Test
    void pathsLeavingTheBoxAreReceivedIntoNothing() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        byte[] content = "x".getBytes(StandardCharsets.UTF_8);
        for (String path : List.of("../escape.txt", "link/escape.txt", ".flocksy/tmp/evil")) {
            IncomingRun run = engine.openIncoming("peer", metadata(path, content));
            assertThat(run.refusal()).as(path).isNotNull();
            run.accept(new FileData(0, 1, false, content));
            assertThat(engine.apply(run)).isTrue();
        }
        assertThat(dir.resolve("escape.txt")).doesNotExist();
        assertThat(outside.resolve("escape.txt")).doesNotExist();
        assertThat(box.tmpDir().resolve("evil")).doesNotExist();
    }

    @Test
    void aBoxWhoseFolderVanishedIsPausedNotReadAsDeleted() throws Exception {
        Files.writeString(root.resolve("keep.txt"), "precious");
        box.remember("keep.txt", Stamp.read(root.resolve("keep.txt")));
        try (var tree = Files.walk(root)) {
            tree.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        engine.evaluate(box, "keep.txt");
        assertThat(engine.hasWork()).as("a deletion was queued for a box that is gone").isFalse();
        assertThat(engine.nextOutgoing()).isNull();

        IncomingRun run = engine.openIncoming("peer", metadata("new.txt", new byte[] {1}));
        assertThat(run.refusal()).contains("is gone");
    }

    @Test
    void aWriteFailureKeepsTheRunGoingIntoNothing() throws Exception {
        byte[] content = new byte[5000];
        IncomingRun run = engine.openIncoming("peer", metadata("f.bin", content));
        Files.createDirectories(box.tmpDir());
        // Make the temp file's path a directory: the write fails as a full or broken disk would.
        try (var tmp = Files.list(box.tmpDir())) {
            assertThat(tmp).isEmpty();
        }
        java.lang.reflect.Field temp = IncomingRun.class.getDeclaredField("temp");
        temp.setAccessible(true);
        Files.createDirectories((Path) temp.get(run));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run.accept(new FileData(0, 4096, true, new byte[4096])))
                .isInstanceOf(java.io.IOException.class);
        assertThat(run.refusal()).startsWith("cannot write");
        assertThat(run.accept(new FileData(0, 4096, true, new byte[4096]))).isNull();
        assertThat(run.accept(new FileData(4096, 904, false, new byte[904]))).isNull();
        assertThat(run.complete()).isTrue();
        assertThat(engine.apply(run)).isTrue();
        assertThat(root.resolve("f.bin")).doesNotExist();
    }

    @Test
    void chunksThatContradictTheMetadataAreRejected() throws Exception {
        byte[] content = new byte[5000];
        IncomingRun run = engine.openIncoming("peer", metadata("big.bin", content));
        assertThat(run.accept(new FileData(0, 4096, false, new byte[4096]))).contains("more=false");
        assertThat(run.accept(new FileData(8192, 10, false, new byte[10]))).contains("beyond");
        assertThat(run.accept(new FileData(4096, 100, false, new byte[100]))).contains("size 100");
        assertThat(run.chunksReceived()).isZero();
        run.discard();
    }
}
