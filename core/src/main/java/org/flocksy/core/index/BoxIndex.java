package org.flocksy.core.index;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.version.VersionVector;

/**
 * One box's index in SQLite (WAL). Every write is its own transaction unless inside {@link #batch}, so a
 * node killed at any moment finds the index as of its last completed write; the disk is compared with it
 * at the next start, and whatever differs is a local change.
 */
public final class BoxIndex implements AutoCloseable {
    /**
     * What this node has at a path.
     *
     * @param hash BLAKE2b-256 of a file's content; {@code null} for directories and tombstones
     * @param writer the node that made this version
     * @param deleted a tombstone: the entry was deleted in this version
     */
    public record Entry(String path, boolean directory, long size, long mtimeMs, int mode, byte[] hash,
                        VersionVector version, NodeUid writer, boolean deleted, long inode) {}

    /** Schema versions in order; the database's {@code user_version} says how many have run. */
    private static final List<String> MIGRATIONS = List.of(
            """
            CREATE TABLE entries (
                path      TEXT PRIMARY KEY,
                directory INTEGER NOT NULL,
                size      INTEGER NOT NULL,
                mtime_ms  INTEGER NOT NULL,
                mode      INTEGER NOT NULL,
                hash      BLOB,
                version   BLOB NOT NULL,
                writer    BLOB NOT NULL,
                deleted   INTEGER NOT NULL
            )""",
            // Versions are counted per replica, a random id made with the index: a node whose index was
            // lost or restored from an old copy never reuses a counter its peers have already seen.
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
            // Which file is at a path, so that a file replaced by another of the same size and mtime is read.
            // 0: not known yet (entries of an older index), which compares equal to any.
            "ALTER TABLE entries ADD COLUMN inode INTEGER NOT NULL DEFAULT 0",
            // Conflicts settled without asking anyone (a resolver that set the loser aside, an edit that beat a
            // deletion): the shell lists the recent ones, since some leave nothing in the box to see.
            """
            CREATE TABLE settled_conflicts (
                at_ms   INTEGER NOT NULL,
                path    TEXT NOT NULL,
                winner  TEXT NOT NULL,
                loser   TEXT NOT NULL,
                kept_as TEXT NOT NULL,
                rule    TEXT NOT NULL
            )""");

    /** How long a settled conflict stays listed. */
    public static final long SETTLED_KEPT_MS = 30L * 24 * 3600 * 1000;

    /**
     * A conflict settled here without asking anyone.
     *
     * @param winner the node whose version kept the path
     * @param loser the node whose version lost it
     * @param keptAs where the loser went: its conflict copy, {@code versions}, or empty when nothing was left to keep
     * @param rule what decided: the resolver's id, or the kernel's rule ({@code edit beats deletion}, ...)
     */
    public record Settled(long atMs, String path, String winner, String loser, String keptAs, String rule) {}

    private final Path file;
    private final Connection db;
    private final PreparedStatement upsert;
    private final NodeUid replica;
    private int batchDepth;
    /** Entries added to the open transaction's batch, written at its commit. */
    private int batched;

    private BoxIndex(Path file, Connection db) throws SQLException {
        this.file = file;
        this.db = db;
        this.upsert = db.prepareStatement("INSERT OR REPLACE INTO entries (path, directory, size, mtime_ms, mode, hash, version, writer, deleted, inode)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.replica = replica(db);
    }

    private static NodeUid replica(Connection db) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT value FROM meta WHERE key = 'replica'")) {
            if (r.next()) {
                return NodeUid.of(r.getBytes(1));
            }
        }
        byte[] id = new byte[NodeUid.BYTES];
        new SecureRandom().nextBytes(id);
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO meta VALUES ('replica', ?)")) {
            insert.setBytes(1, id);
            insert.executeUpdate();
        }
        return NodeUid.of(id);
    }

    /** The id this copy of the box counts its versions under (see the migrations). */
    public NodeUid replica() {
        return replica;
    }

    /** Opens (or creates) the index at {@code file} and brings its schema up to date. */
    public static BoxIndex open(Path file) throws IOException {
        Connection db = null;
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                // FULL: a version written here is on disk before its bundle can leave, even across a power loss.
                s.execute("PRAGMA synchronous=FULL");
                int version;
                try (ResultSet r = s.executeQuery("PRAGMA user_version")) {
                    version = r.getInt(1);
                }
                if (version > MIGRATIONS.size()) {
                    closeQuietly(db);
                    throw new IOException(file + " was written by a newer flocksy (schema " + version + ")");
                }
                for (int v = version; v < MIGRATIONS.size(); v++) {
                    db.setAutoCommit(false);
                    s.execute(MIGRATIONS.get(v));
                    s.execute("PRAGMA user_version = " + (v + 1));
                    db.commit();
                    db.setAutoCommit(true);
                }
            }
            return new BoxIndex(file, db);
        } catch (SQLException e) {
            closeQuietly(db);
            throw new IOException("cannot open the index " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every entry, tombstones included, by path. */
    public Map<String, Entry> load() throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM entries")) {
            while (r.next()) {
                Entry e = new Entry(r.getString("path"), r.getInt("directory") != 0, r.getLong("size"), r.getLong("mtime_ms"),
                        r.getInt("mode"), r.getBytes("hash"), VersionVector.fromBytes(r.getBytes("version")),
                        NodeUid.of(r.getBytes("writer")), r.getInt("deleted") != 0, r.getLong("inode"));
                entries.put(e.path(), e);
            }
        } catch (SQLException | IllegalArgumentException e) {
            throw new IOException("cannot read the index " + file + ": " + e.getMessage(), e);
        }
        return entries;
    }

    public void put(Entry e) throws IOException {
        try {
            upsert.setString(1, e.path());
            upsert.setInt(2, e.directory() ? 1 : 0);
            upsert.setLong(3, e.size());
            upsert.setLong(4, e.mtimeMs());
            upsert.setInt(5, e.mode());
            upsert.setBytes(6, e.hash());
            upsert.setBytes(7, e.version().toBytes());
            upsert.setBytes(8, e.writer().toBytes());
            upsert.setInt(9, e.deleted() ? 1 : 0);
            upsert.setLong(10, e.inode());
            if (batchDepth > 0) {
                // Written with the transaction's commit, in order, in one call into SQLite: a first scan records
                // 100 000 entries, and a call per entry cost the event loop more than the inserts themselves.
                upsert.addBatch();
                batched++;
            } else {
                upsert.executeUpdate();
            }
        } catch (SQLException ex) {
            throw new IOException("cannot write the index " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Forgets the entry at {@code path}; writes batched before it go first, so the order of writes holds. */
    public void delete(String path) throws IOException {
        try {
            if (batched > 0) {
                upsert.executeBatch();
                batched = 0;
            }
            try (PreparedStatement delete = db.prepareStatement("DELETE FROM entries WHERE path = ?")) {
                delete.setString(1, path);
                delete.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IOException("cannot write the index " + file + ": " + e.getMessage(), e);
        }
    }

    /** Remembers a conflict settled now, and forgets those older than {@link #SETTLED_KEPT_MS}. */
    public void settled(Settled c) throws IOException {
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO settled_conflicts VALUES (?, ?, ?, ?, ?, ?)");
             PreparedStatement prune = db.prepareStatement("DELETE FROM settled_conflicts WHERE at_ms < ?")) {
            insert.setLong(1, c.atMs());
            insert.setString(2, c.path());
            insert.setString(3, c.winner());
            insert.setString(4, c.loser());
            insert.setString(5, c.keptAs());
            insert.setString(6, c.rule());
            insert.executeUpdate();
            prune.setLong(1, c.atMs() - SETTLED_KEPT_MS);
            prune.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot write the index " + file + ": " + e.getMessage(), e);
        }
    }

    /** The conflicts settled at or after {@code sinceMs}, oldest first. */
    public List<Settled> settledSince(long sinceMs) throws IOException {
        List<Settled> found = new ArrayList<>();
        try (PreparedStatement select = db.prepareStatement("SELECT * FROM settled_conflicts WHERE at_ms >= ? ORDER BY at_ms, rowid")) {
            select.setLong(1, sinceMs);
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    found.add(new Settled(r.getLong("at_ms"), r.getString("path"), r.getString("winner"), r.getString("loser"),
                            r.getString("kept_as"), r.getString("rule")));
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the index " + file + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** Something to do with several writes that land together or not at all. */
    public interface Batch {
        void run() throws IOException;
    }

    /** Runs {@code work} in one transaction: many small writes cost one commit, and land together or not at all. */
    public void batch(Batch work) throws IOException {
        try {
            if (batchDepth == 0) {
                db.setAutoCommit(false);
            }
            batchDepth++;
            boolean done = false;
            try {
                work.run();
                done = true;
            } finally {
                if (--batchDepth == 0) {
                    end(done);
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot write the index " + file + ": " + e.getMessage(), e);
        }
    }

    /** Ends the outermost transaction: its batched writes and the commit, or a rollback of all of it. */
    private void end(boolean done) throws SQLException {
        try {
            if (done) {
                try {
                    if (batched > 0) {
                        upsert.executeBatch();
                    }
                    db.commit();
                } catch (SQLException e) {
                    // Part of the batch may be written: none of it may stay (re-enabling autocommit would commit it).
                    db.rollback();
                    throw e;
                }
            } else {
                db.rollback();
            }
        } finally {
            if (batched > 0) {
                upsert.clearBatch();
            }
            batched = 0;
            // Never leave later single writes inside an open transaction.
            db.setAutoCommit(true);
        }
    }

    private static void closeQuietly(Connection db) {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException e) {
                // Already failing: the first error is the one to report.
            }
        }
    }

    @Override
    public void close() {
        try {
            upsert.close();
            db.close();
        } catch (SQLException e) {
            // Closing a database we only read or committed to: nothing is lost.
        }
    }
}
