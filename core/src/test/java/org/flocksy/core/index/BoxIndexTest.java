package org.flocksy.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.version.VersionVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A transaction's writes go to SQLite together at its commit, in order; a failed one leaves nothing behind. */
class BoxIndexTest {
    private static final NodeUid ME = NodeUid.of(new byte[] {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7});

    private static BoxIndex.Entry file(String path, long size) {
        return new BoxIndex.Entry(path, false, size, 1_700_000_000_000L, 0644, new byte[32], VersionVector.EMPTY.bump(ME), ME, false, 42);
    }

    @Test
    void aBatchLandsWholeInOrderAndAFailedOneNotAtAll(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("index.db");
        try (BoxIndexCloser index = new BoxIndexCloser(BoxIndex.open(db))) {
            index.get().put(file("single.txt", 1));
            index.get().batch(() -> {
                for (int i = 0; i < 5_000; i++) {
                    index.get().put(file("f" + i, i));
                }
                // The same path twice in one transaction: the later write wins, as it would one by one.
                index.get().put(file("f7", 700));
            });
            assertThatThrownBy(() -> index.get().batch(() -> {
                index.get().put(file("lost.txt", 1));
                throw new IOException("the disk is full");
            })).hasMessage("the disk is full");
            index.get().put(file("after.txt", 2));
        }
        try (BoxIndexCloser again = new BoxIndexCloser(BoxIndex.open(db))) {
            var entries = again.get().load();
            assertThat(entries).hasSize(5_002).containsKeys("single.txt", "f4999", "after.txt").doesNotContainKey("lost.txt");
            assertThat(entries.get("f7").size()).isEqualTo(700);
        }
    }

    @Test
    void aBatchThatSQLiteRefusesHalfWayLeavesNoneOfItsWrites(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("index.db");
        BoxIndex.open(db).close();
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = raw.createStatement()) {
            // A write SQLite refuses in the middle of the batch, as a full disk or a broken file would make it.
            s.execute("CREATE TRIGGER refuse BEFORE INSERT ON entries WHEN NEW.path = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END");
        }
        try (BoxIndexCloser index = new BoxIndexCloser(BoxIndex.open(db))) {
            assertThatThrownBy(() -> index.get().batch(() -> {
                for (int i = 0; i < 100; i++) {
                    index.get().put(file("f" + i, i));
                }
                index.get().put(file("poison", 1));
                index.get().put(file("f100", 100));
            })).isInstanceOf(IOException.class).hasMessageContaining("refused");
            index.get().put(file("after.txt", 2));
        }
        try (BoxIndexCloser again = new BoxIndexCloser(BoxIndex.open(db))) {
            assertThat(again.get().load()).as("the writes before the refused one were not committed").containsOnlyKeys("after.txt");
        }
    }

    /** {@link BoxIndex#close} for try-with-resources. */
    private record BoxIndexCloser(BoxIndex get) implements AutoCloseable {
        @Override
        public void close() {
            get.close();
        }
    }
}
