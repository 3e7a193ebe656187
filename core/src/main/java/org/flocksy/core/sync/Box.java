package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.flocksy.core.crypto.Blake2b;

/**
 * A box on this node: its name, root, UID, and the stamps (and content hashes) of the files and
 * directories last seen in sync.
 * Confined to the kernel's event loop.
 */
public final class Box {
    private final String name;
    private final Path root;
    private final byte[] uid;
    private record Known(Stamp stamp, byte[] hash) {}

    private final Map<String, Known> known = new HashMap<>();

    public Box(String name, Path root, Blake2b blake2b) {
        this.name = name;
        this.root = root;
        this.uid = blake2b.hash256(name.getBytes(StandardCharsets.UTF_8));
    }

    public String name() {
        return name;
    }

    public Path root() {
        return root;
    }

    public byte[] uid() {
        return uid.clone();
    }

    public Path stateDir() {
        return root.resolve(PathSafety.STATE_DIR);
    }

    public Path tmpDir() {
        return stateDir().resolve("tmp");
    }

    /**
     * The box-relative path of an absolute path in this box, with {@code /} separators and the name as it
     * is on disk (normalising it here would make an NFD name on disk look deleted), or {@code null} if
     * outside the box or inside its state folder.
     */
    public String relative(Path absolute) {
        if (!absolute.startsWith(root) || absolute.equals(root)) {
            return null;
        }
        String rel = root.relativize(absolute).toString().replace(java.io.File.separatorChar, '/');
        return rel.equals(PathSafety.STATE_DIR) || rel.startsWith(PathSafety.STATE_DIR + "/") ? null : rel;
    }

    /**
     * Whether the box is there to be read: its folder and the state folder created at start both exist.
     * An unmounted disk or a removed folder must pause the box, never read as "everything was deleted".
     */
    public boolean available() {
        return Files.isDirectory(stateDir());
    }

    public Path resolve(String relative) {
        return root.resolve(relative);
    }

    public Stamp known(String relative) {
        Known k = known.get(relative);
        return k == null ? null : k.stamp();
    }

    /** The content hash of a file last seen in sync, or {@code null}. */
    byte[] knownHash(String relative) {
        Known k = known.get(relative);
        return k == null ? null : k.hash();
    }

    /** Records an entry as in sync; a {@code null} stamp forgets it (deleted). */
    public void remember(String relative, Stamp stamp, byte[] hash) {
        if (stamp == null) {
            known.remove(relative);
        } else {
            known.put(relative, new Known(stamp, hash));
        }
    }

    /** Known entries at or below {@code relative} (a deleted directory takes them all with it). */
    public Set<String> knownUnder(String relative) {
        String prefix = relative + "/";
        return known.keySet().stream().filter(k -> k.equals(relative) || k.startsWith(prefix))
                .collect(Collectors.toSet());
    }

    public Set<String> knownPaths() {
        return Set.copyOf(known.keySet());
    }

    /**
     * The regular files and directories at or below {@code start} now, by relative path (the box's root
     * and its state folder excluded; links and other special files are not synced).
     *
     * @throws IOException if any part of the tree could not be read: a partial scan must not count as deletions
     */
    public Map<String, Stamp> scan() throws IOException {
        return scan(root);
    }

    public Map<String, Stamp> scan(Path start) throws IOException {
        Map<String, Stamp> found = new HashMap<>();
        if (!Files.isDirectory(start)) {
            return found;
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(stateDir())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                visitFile(dir, attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = relative(file);
                Stamp stamp = rel == null ? null : Stamp.of(file, attrs);
                if (stamp != null) {
                    found.put(rel, stamp);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof java.nio.file.NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }
        });
        return found;
    }
}
