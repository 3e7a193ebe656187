package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.BoxSpec;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.Conflict;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.FileWatcher;
import org.flocksy.api.WatchHandle;
import org.flocksy.core.bundle.BundleWriter;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.version.VersionVector;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.RunMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

/**
 * The engine at its edges with plugins that misbehave (mocked), over a real folder and a real index: a
 * resolver that throws or decides nothing, a backup strategy that refuses its parameter, a watcher that
 * loses events or cannot start. None of them costs data or the daemon.
 */
class PluginEdgesTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private static final NodeUid SELF = NodeUid.of(new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    private static final NodeUid PEER = NodeUid.of(new byte[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2});

    @TempDir
    Path dir;
    private Path root;
    /** The kernel's loop stands still: whatever is posted is run by the test, in order. */
    private final Loop loop = mock(Loop.class);
    private final FileWatcher watcher = mock(FileWatcher.class);
    private final ConflictResolver resolver = mock(ConflictResolver.class);
    private SyncEngine engine;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(dir.resolve("box")).toRealPath();
        when(watcher.id()).thenReturn("mocked");
        when(watcher.isSupported()).thenReturn(true);
        when(watcher.watch(any(), any())).thenReturn(mock(WatchHandle.class));
        when(resolver.id()).thenReturn("broken");
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private SyncEngine engine(List<FileWatcher> watchers, List<BackupStrategy> backups, Map<String, Declared<String>> backupLines) {
        Settings settings = new Settings(List.of(new Declared<>("tcp://127.0.0.1:1", "t")), List.of(),
                List.of(new Declared<>(new BoxSpec("docs", root.toString()), "t")), new Declared<>(dir.resolve("ks"), "t"),
                new Declared<>(dir.resolve("pk"), "t"), Map.of("docs", new Declared<>("broken", "config:3")), backupLines);
        PluginCatalog plugins = new PluginCatalog(TestPlugins.catalog().boxSources(), watchers, List.of(resolver), backups);
        engine = new SyncEngine(List.of(new Box("docs", root, BLAKE2B)), plugins, BLAKE2B, loop, new SystemClock(), settings,
                ReadAhead.INLINE, SELF);
        return engine;
    }

    private SyncEngine started() throws IOException {
        engine(List.of(watcher), TestPlugins.catalog().backups(), Map.of()).start(() -> {});
        return engine;
    }

    /** A local edit of {@code plan.txt} the peer has not seen, against the peer's own edit of it, as one run. */
    private Box concurrentEdits(byte[] ours, byte[] theirs) throws Exception {
        Box box = engine.boxes().get(0);
        Path plan = Files.write(root.resolve("plan.txt"), ours);
        Files.setLastModifiedTime(plan, FileTime.fromMillis(1_700_000_000_000L));
        box.record("plan.txt", box.stamp(plan), BLAKE2B.hash256(ours), VersionVector.EMPTY.bump(SELF), SELF);
        Path bundle = dir.resolve("bundle");
        Path source = Files.write(dir.resolve("theirs"), theirs);
        try (BundleWriter writer = new BundleWriter(bundle, BLAKE2B)) {
            writer.addFile("plan.txt", 0644, 1_600_000_000_000L, theirs.length, source, VersionVector.EMPTY.bump(PEER), PEER);
        }
        RunMetadata m = new RunMetadata(box.uid(), 1, Files.size(bundle), BLAKE2B.hash256(bundle), 0);
        IncomingRun run = engine.openIncoming("peer", m);
        byte[] bytes = Files.readAllBytes(bundle);
        for (int i = 0; i < m.chunkCount(); i++) {
            int from = i * 4096;
            run.accept(new FileData(from, Math.min(4096, bytes.length - from), i < m.chunkCount() - 1, Arrays.copyOfRange(bytes, from, from + 4096)));
        }
        assertThat(engine.apply(run)).isTrue();
        return box;
    }

    @Test
    void theWatchBeginsBeforeTheScanSoAFileWrittenMeanwhileIsNotMissed() throws Exception {
        // Scanned first, a file written after the scan passed its folder and before the watch began waited
        // for the next start: nothing would report it.
        Files.writeString(root.resolve("there-before.txt"), "x");
        List<Boolean> scannedWhenWatched = new ArrayList<>();
        when(watcher.watch(any(), any())).thenAnswer(call -> {
            Box box = engine.boxes().get(0);
            scannedWhenWatched.add(!box.knownPaths().isEmpty() || engine.queued(box) > 0);
            return mock(WatchHandle.class);
        });
        started();
        assertThat(scannedWhenWatched).as("the box was not scanned yet when its watch began").containsExactly(false);
        assertThat(engine.boxes().get(0).knownPaths()).as("and the scan came after").contains("there-before.txt");
    }

    @Test
    void aResolverThatThrowsKeepsBothVersionsTheLaterEditKeepingTheName() throws Exception {
        started();
        when(resolver.resolve(any())).thenThrow(new IOException("cannot read the copy"));
        Box box = concurrentEdits("ours, edited later".getBytes(StandardCharsets.UTF_8), "theirs".getBytes(StandardCharsets.UTF_8));
        ArgumentCaptor<Conflict> asked = ArgumentCaptor.forClass(Conflict.class);
        verify(resolver).resolve(asked.capture());
        assertThat(asked.getValue().first().writer()).as("the earlier edit comes first").isEqualTo(PEER.toString());
        assertThat(root.resolve("plan.txt")).hasContent("ours, edited later");
        assertThat(copies()).singleElement().satisfies(c -> assertThat(root.resolve(c)).hasContent("theirs"));
        assertThat(box.settledSince(0)).singleElement().satisfies(s -> {
            assertThat(s.rule()).isEqualTo("broken");
            assertThat(s.keptAs()).isEqualTo(copies().get(0));
        });
    }

    @Test
    void aResolverThatDecidesNothingKeepsBothToo() throws Exception {
        started();
        when(resolver.resolve(any())).thenReturn(null);
        concurrentEdits("ours".getBytes(StandardCharsets.UTF_8), "theirs, older".getBytes(StandardCharsets.UTF_8));
        assertThat(root.resolve("plan.txt")).hasContent("ours");
        assertThat(copies()).singleElement().satisfies(c -> assertThat(root.resolve(c)).hasContent("theirs, older"));
    }

    private List<String> copies() throws IOException {
        try (var files = Files.list(root)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".sync-conflict-")).toList();
        }
    }

    @Test
    void aBackupStrategyThatRefusesItsParameterStopsTheBoxBeforeItsIndexOpens() {
        BackupStrategy picky = mock(BackupStrategy.class);
        when(picky.id()).thenReturn("picky");
        when(picky.check("7")).thenReturn("wants a number of weeks");
        engine(List.of(watcher), List.of(picky), Map.of("docs", new Declared<>("picky:7", "config:4")));
        assertThatThrownBy(() -> engine.start(() -> {})).isInstanceOf(IOException.class)
                .hasMessage("config:4: box 'docs': backup picky:7: wants a number of weeks");
        assertThat(root.resolve(".flocksy/index.db")).doesNotExist();
    }

    @Test
    void lostWatchEventsAreMadeUpByARescan() throws Exception {
        started();
        ArgumentCaptor<ChangeListener> listener = ArgumentCaptor.forClass(ChangeListener.class);
        verify(watcher).watch(any(), listener.capture());
        Files.writeString(root.resolve("unreported.txt"), "the watcher never said");
        listener.getValue().onOverflow();
        ArgumentCaptor<Runnable> posted = ArgumentCaptor.forClass(Runnable.class);
        verify(loop).post(posted.capture());
        posted.getValue().run();
        assertThat(engine.queued(engine.boxes().get(0))).isEqualTo(1);
    }

    @Test
    void aWatcherThatCannotStartGivesWayToTheNextAndNoneAtAllStopsTheBox() throws Exception {
        FileWatcher failing = mock(FileWatcher.class);
        when(failing.id()).thenReturn("failing");
        when(failing.isSupported()).thenReturn(true);
        when(failing.priority()).thenReturn(10);
        when(failing.watch(any(), any())).thenThrow(new IOException("too many watches"));
        engine(new ArrayList<>(List.of(failing, watcher)), TestPlugins.catalog().backups(), Map.of()).start(() -> {});
        verify(watcher).watch(any(), any());
        engine.close();

        engine(List.of(failing), TestPlugins.catalog().backups(), Map.of());
        assertThatThrownBy(() -> engine.start(() -> {})).hasMessage("box 'docs': no file watcher could start")
                .hasRootCauseMessage("too many watches");
    }
}
