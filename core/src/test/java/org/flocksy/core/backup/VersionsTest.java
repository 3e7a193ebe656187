package org.flocksy.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.StoredVersion;
import org.flocksy.plugins.backupsimple.SimplePlugin;
import org.flocksy.plugins.backuptrashcan.TrashcanPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionsTest {
    private static final Instant SECOND = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void versionsOfOneSecondKeepTheirOrderAndPruningKeepsTheNewestOnceADayHasPassed(@TempDir Path box) throws Exception {
        // Issue 13, item 7: a member pushing N+1 versions at once must not evict the original behind them.
        Instant[] now = {SECOND};
        Files.createDirectories(box.resolve(".flocksy/tmp"));
        Versions versions = new Versions("docs", box, box.resolve(".flocksy/versions"), new SimplePlugin.Simple(), "1", () -> now[0]);
        Path file = Files.createDirectories(box.resolve("notes")).resolve("a.txt");
        for (String content : new String[] {"original", "v2", "v3"}) {
            Files.writeString(file, content);
            versions.takeAway("notes/a.txt");
        }
        assertThat(versions.list("notes/a.txt")).as("simple:1, yet nothing goes in its first day")
                .extracting(v -> Files.readString(box.resolve(v.location()))).containsExactly("v3", "v2", "original");
        now[0] = SECOND.plus(Versions.KEPT_AT_LEAST).plusSeconds(1);
        assertThat(versions.pruneAll()).isEqualTo(2);
        assertThat(versions.list("notes/a.txt")).singleElement()
                .satisfies(v -> assertThat(box.resolve(v.location())).hasContent("v3"));
    }

    @Test
    void theStoreStaysWithinItsLimitTheOldestGoingFirst(@TempDir Path box) throws Exception {
        Instant[] now = {SECOND};
        Versions versions = new Versions("docs", box, box.resolve(".flocksy/versions"), new TrashcanPlugin.Trashcan(), null, () -> now[0],
                10_000);
        for (int i = 0; i < 6; i++) {
            Files.write(box.resolve("f" + i + ".bin"), new byte[3_000]);
            versions.takeAway("f" + i + ".bin");
            now[0] = now[0].plusSeconds(60);
        }
        assertThat(versions.list("f0.bin")).as("the oldest went").isEmpty();
        assertThat(versions.list("f1.bin")).isEmpty();
        assertThat(versions.list("f2.bin")).isEmpty();
        assertThat(versions.list("f3.bin")).hasSize(1);
        assertThat(versions.list("f5.bin")).hasSize(1);
        // A limit lowered later (a restart with another versions-max) applies at the next pruning.
        Versions smaller = new Versions("docs", box, box.resolve(".flocksy/versions"), new TrashcanPlugin.Trashcan(), null, () -> now[0], 4_000);
        smaller.pruneAll();
        assertThat(smaller.list("f4.bin")).isEmpty();
        assertThat(smaller.list("f5.bin")).hasSize(1);
    }

    @Test
    void aTrashCanEmptiesItselfAsDaysPass(@TempDir Path box) throws Exception {
        Instant[] now = {SECOND};
        Versions versions = new Versions("docs", box, box.resolve(".flocksy/versions"),
                new TrashcanPlugin.Trashcan(), "30", () -> now[0]);
        for (String path : new String[] {"a.txt", "deep/er/b", "c.tar.gz", "d~e.txt"}) {
            Path file = box.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, path);
            versions.takeAway(path);
        }
        now[0] = SECOND.plus(Duration.ofDays(10));
        Files.writeString(box.resolve("fresh.txt"), "fresh");
        versions.takeAway("fresh.txt");
        assertThat(versions.pruneAll()).as("nothing is 30 days old yet").isZero();

        now[0] = SECOND.plus(Duration.ofDays(31));
        assertThat(versions.pruneAll()).isEqualTo(4);
        assertThat(versions.list("a.txt")).isEmpty();
        assertThat(versions.list("fresh.txt")).hasSize(1);
        assertThat(box.resolve(".flocksy/versions/deep")).as("emptied folders go too").doesNotExist();
    }

    @Test
    void restorePutsAVersionBackAndKeepsTheCurrentOne(@TempDir Path box) throws Exception {
        Files.createDirectories(box.resolve(".flocksy/tmp"));
        Versions versions = new Versions("docs", box, box.resolve(".flocksy/versions"), new SimplePlugin.Simple(), null, () -> SECOND);
        Path file = box.resolve("a.txt");
        Files.writeString(file, "old");
        versions.keepBeforeOverwrite("a.txt");
        Files.delete(file);
        Files.writeString(file, "new");
        StoredVersion old = versions.list("a.txt").get(0);
        versions.restore(old, box.resolve(".flocksy/tmp"));
        assertThat(file).hasContent("old");
        assertThat(versions.list("a.txt")).extracting(v -> Files.readString(box.resolve(v.location()))).contains("new", "old");

        StoredVersion forged = new StoredVersion("../outside.txt", old.archivedAt(), old.size(), old.location());
        assertThatThrownBy(() -> versions.restore(forged, box.resolve(".flocksy/tmp"))).hasMessageContaining("not a path");
        assertThat(box.resolveSibling("outside.txt")).doesNotExist();
    }

    @Test
    void aStrategyThatFailsKeepsEveryVersion(@TempDir Path box) throws Exception {
        BackupStrategy broken = mock(BackupStrategy.class);
        when(broken.id()).thenReturn("broken");
        when(broken.expired(any(), any(), any())).thenThrow(new IllegalStateException("bug in the plugin"));
        Versions versions = new Versions("docs", box, box.resolve(".flocksy/versions"), broken, null, () -> SECOND);
        Path file = box.resolve("a.txt");
        for (String content : new String[] {"v1", "v2"}) {
            Files.writeString(file, content);
            versions.takeAway("a.txt");
        }
        assertThat(versions.list("a.txt")).hasSize(2);
        assertThat(versions.pruneAll()).isZero();
        assertThat(versions.list("a.txt")).hasSize(2);
    }
}
