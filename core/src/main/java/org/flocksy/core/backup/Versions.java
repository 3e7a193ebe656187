package org.flocksy.core.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.StoredVersion;
import org.flocksy.core.path.PathSafety;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One box's stored versions: {@code .flocksy/versions/<dir>/<name>~YYYYMMDD-HHMMSS[-n]<.ext>}, the time being
 * when the version was replaced or deleted (UTC). Without a strategy ({@code none}) nothing is kept.
 *
 * <p>Two rules hold whatever the strategy says, because a member's changes must not be able to destroy
 * what they replaced: no version is deleted by the strategy in its first {@link #KEPT_AT_LEAST} (a burst
 * of pushes cannot evict the original behind them), and the store never grows past its size limit: the
 * oldest versions go first, each with a log line.
 */
public final class Versions {
    private static final Logger log = LoggerFactory.getLogger(Versions.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final String box;
    private final Path root;
    private final Path store;
    private final BackupStrategy strategy;
    private final String parameter;
    private final Supplier<Instant> clock;
    private final long maxBytes;
    /** Bytes in the store, -1 until first counted. */
    private long storedBytes = -1;

    /** A version is this old at least before a strategy may delete it. */
    public static final Duration KEPT_AT_LEAST = Duration.ofHours(24);

    /**
     * @param root the box's folder
     * @param store where versions go (the box's {@code .flocksy/versions})
     * @param strategy the box's strategy, or {@code null} to keep nothing
     * @param maxBytes the most the store may hold; the oldest versions go beyond it
     */
    public Versions(String box, Path root, Path store, BackupStrategy strategy, String parameter,
                    Supplier<Instant> clock, long maxBytes) {
        this.box = box;
        this.root = root;
        this.store = store;
        this.strategy = strategy;
        this.parameter = parameter;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    /** Without a size limit of its own. */
    public Versions(String box, Path root, Path store, BackupStrategy strategy, String parameter, Supplier<Instant> clock) {
        this(box, root, store, strategy, parameter, clock, Long.MAX_VALUE);
    }

    public boolean keeps() {
        return strategy != null;
    }

    /**
     * Keeps a copy of the file at {@code path} before it is overwritten (a hard link where the file system
     * allows one, so the original stays in place until the new content replaces it atomically).
     */
    public void keepBeforeOverwrite(String path) throws IOException {
        Path file = root.resolve(path);
        if (strategy != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            Path version = newVersionPath(path);
            if (!singlyLinked(file)) {
                // Another name shares this inode: an edit through it would change the "old" version too.
                Files.copy(file, version, StandardCopyOption.COPY_ATTRIBUTES);
            } else {
                try {
                    Files.createLink(version, file);
                } catch (UnsupportedOperationException | IOException e) {
                    Files.copy(file, version, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            stored(version);
            pruned(path);
        }
    }

    /** Takes the file at {@code path} out of the box: into the versions, or deleted when nothing is kept. */
    public void takeAway(String path) throws IOException {
        takeAway(path, root.resolve(path));
    }

    /** Takes {@code file} (the content of {@code path}, in the box or a temp file) into the versions of {@code path}. */
    public void takeAway(String path, Path file) throws IOException {
        if (strategy == null) {
            Files.deleteIfExists(file);
            return;
        }
        Path version = newVersionPath(path);
        Files.move(file, version, StandardCopyOption.ATOMIC_MOVE);
        stored(version);
        pruned(path);
    }

    /** Counts a version just stored, and makes room for it if the store is over its limit. */
    private void stored(Path version) throws IOException {
        if (storedBytes >= 0) {
            storedBytes += Files.size(version);
        }
        if (bytes() > maxBytes) {
            evictOldest();
        }
    }

    /** Bytes in the store now (counted once, then kept up to date). */
    private long bytes() throws IOException {
        if (storedBytes < 0) {
            long total = 0;
            for (Stored v : everyVersion(null)) {
                total += v.bytes();
            }
            storedBytes = total;
        }
        return storedBytes;
    }

    /** One file in the store: the version of {@code path} archived at {@code at}. */
    private record Stored(Path file, String path, Instant at, long bytes) {}

    /** A stored version's name: the original name's stem, the time, a count within the second, its extension. */
    private static final Pattern VERSION_NAME = Pattern.compile("(.+)~(\\d{8}-\\d{6})(?:-\\d+)?(\\.[^.]*)?");

    /** Every stored version of every path, oldest first; the store's folders go into {@code folders} if given. */
    private List<Stored> everyVersion(List<Path> folders) throws IOException {
        List<Stored> all = new ArrayList<>();
        if (!Files.isDirectory(store)) {
            return all;
        }
        try (Stream<Path> files = Files.walk(store)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                    if (folders != null) {
                        folders.add(f);
                    }
                    continue;
                }
                Matcher m = VERSION_NAME.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    String dir = store.relativize(f.getParent()).toString().replace('\\', '/');
                    String path = (dir.isEmpty() ? "" : dir + "/") + m.group(1) + (m.group(3) == null ? "" : m.group(3));
                    all.add(new Stored(f, path, LocalDateTime.parse(m.group(2), STAMP).toInstant(ZoneOffset.UTC), Files.size(f)));
                }
            }
        }
        all.sort(Comparator.comparing(Stored::at).thenComparing(Stored::file));
        return all;
    }

    /**
     * Deletes the oldest versions until the store is a tenth below its limit (so that the next versions do not
     * walk the whole store one by one); each one dropped is logged.
     */
    private void evictOldest() throws IOException {
        List<Stored> all = everyVersion(null);
        long total = all.stream().mapToLong(Stored::bytes).sum();
        long target = maxBytes - maxBytes / 10;
        for (Stored v : all) {
            if (total <= target) {
                break;
            }
            Files.deleteIfExists(v.file());
            total -= v.bytes();
            log.warn("box '{}': versions over their limit of {} bytes: dropped {}, the oldest", box, maxBytes, root.relativize(v.file()));
        }
        storedBytes = total;
    }

    private static boolean singlyLinked(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() == 1;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return false;
        }
    }

    /** A new name after every existing one of the same second, so that the order of names is the order of versions. */
    private Path newVersionPath(String path) throws IOException {
        Name n = Name.of(path);
        Path dir = store.resolve(n.dir());
        Files.createDirectories(dir);
        String stamp = STAMP.format(LocalDateTime.ofInstant(clock.get(), ZoneOffset.UTC));
        Pattern same = Pattern.compile(Pattern.quote(n.stem() + "~" + stamp) + "(-\\d+)?" + Pattern.quote(n.ext()));
        int next = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Matcher m = same.matcher(f.getFileName().toString());
                if (m.matches()) {
                    next = Math.max(next, m.group(1) == null ? 1 : Integer.parseInt(m.group(1).substring(1)) + 1);
                }
            }
        }
        return dir.resolve(n.stem() + "~" + stamp + (next == 0 ? "" : "-" + next) + n.ext());
    }

    /** The stored versions of {@code path}, newest first. */
    public List<StoredVersion> list(String path) throws IOException {
        String problem = PathSafety.problem(path);
        if (problem != null) {
            throw new IOException("'" + path + "' is not a path in box '" + box + "': " + problem);
        }
        Name n = Name.of(path);
        Path dir = store.resolve(n.dir());
        List<StoredVersion> found = new ArrayList<>();
        Map<StoredVersion, Integer> sameSecond = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        Pattern name = Pattern.compile(Pattern.quote(n.stem() + "~") + "(\\d{8}-\\d{6})(-\\d+)?" + Pattern.quote(n.ext()));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Matcher m = name.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    Instant at = LocalDateTime.parse(m.group(1), STAMP).toInstant(ZoneOffset.UTC);
                    StoredVersion v = new StoredVersion(path, at, Files.size(f), root.relativize(f).toString().replace('\\', '/'));
                    found.add(v);
                    sameSecond.put(v, m.group(2) == null ? 0 : Integer.parseInt(m.group(2).substring(1)));
                }
            }
        }
        found.sort(Comparator.comparing(StoredVersion::archivedAt).thenComparing(sameSecond::get).reversed());
        return found;
    }

    /**
     * Puts a stored version back at its path (the current file, if any, is kept as a version first). The
     * box's watcher sees the change and it syncs like any local edit.
     */
    public void restore(StoredVersion version, Path tmpDir) throws IOException {
        if (!list(version.path()).contains(version)) {
            throw new IOException(version.location() + " is not a stored version of " + version.path() + " in box '" + box + "'");
        }
        Path source = root.resolve(version.location());
        Path temp = tmpDir.resolve("restore-" + System.nanoTime() + ".part");
        Files.copy(source, temp, StandardCopyOption.COPY_ATTRIBUTES);
        try {
            keepBeforeOverwrite(version.path());
            Path target = root.resolve(version.path());
            Files.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            log.info("box '{}': restored {} as it was before {}", box, version.path(), version.archivedAt());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Asks the strategy about every stored version, not only those of files that just got a new one: a trash
     * can empties itself as days pass. Empty folders left in the store are removed.
     *
     * @return how many stored versions were deleted
     */
    public int pruneAll() throws IOException {
        if (strategy == null || !Files.isDirectory(store)) {
            return 0;
        }
        List<Path> dirs = new ArrayList<>();
        List<Stored> stored = everyVersion(dirs);
        Set<String> paths = new TreeSet<>();
        stored.forEach(v -> paths.add(v.path()));
        int before = stored.size();
        int after = 0;
        for (String path : paths) {
            if (PathSafety.problem(path) == null) {
                pruned(path);
                after += list(path).size();
            }
        }
        dirs.sort(Comparator.reverseOrder());
        for (Path d : dirs) {
            if (!d.equals(store)) {
                try (DirectoryStream<Path> left = Files.newDirectoryStream(d)) {
                    if (!left.iterator().hasNext()) {
                        Files.delete(d);
                    }
                }
            }
        }
        // A limit lowered in the config, or versions stored before there was one.
        storedBytes = -1;
        if (bytes() > maxBytes) {
            evictOldest();
        }
        return before - after;
    }

    /** Deletes the versions of {@code path} the strategy no longer wants. */
    private void pruned(String path) throws IOException {
        List<StoredVersion> all = list(path);
        List<StoredVersion> expired;
        try {
            expired = strategy.expired(all, clock.get(), parameter);
        } catch (RuntimeException | LinkageError e) {
            log.error("box '{}': backup strategy {} failed on {}: {}; keeping every version", box, strategy.id(), path, e.toString());
            return;
        }
        Instant youngest = clock.get().minus(KEPT_AT_LEAST);
        for (StoredVersion v : expired) {
            if (all.contains(v) && v.archivedAt().isBefore(youngest)) {
                Path file = root.resolve(v.location());
                long size = Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : 0;
                if (Files.deleteIfExists(file) && storedBytes >= 0) {
                    storedBytes -= size;
                }
            }
        }
    }

    /** A path split for the versions' names: the directory, the name without its extension, the extension. */
    private record Name(String dir, String stem, String ext) {
        static Name of(String path) {
            int slash = path.lastIndexOf('/');
            String dir = path.substring(0, slash + 1);
            String name = path.substring(slash + 1);
            int dot = name.lastIndexOf('.');
            return dot > 0 ? new Name(dir, name.substring(0, dot), name.substring(dot)) : new Name(dir, name, "");
        }
    }
}
