package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * What the engine compares to tell whether an entry changed: for a regular file its size, mtime in
 * milliseconds, mode and inode (a file replaced by another of the same size and mtime, as {@code cp -p}
 * or {@code rsync -t} do, has another inode); for a directory only its mode (its mtime moves with every
 * file inside it); for a symbolic link synced as a link the length of its target and its own mtime, with
 * the POSIX link type in {@code mode} (so that a link travels as a file whose content is its target).
 * A receiver records the stamp of what it wrote, so its own writes compare equal (echo suppression).
 *
 * @param inode the file's identity on its file system, or 0 where unknown (an index written before inodes
 *     were kept, a file system without them): then it does not take part in the comparison
 */
public record Stamp(boolean directory, long size, long mtimeMs, int mode, long inode) {
    /** POSIX {@code S_IFLNK}: the type bits that mark a link's mode. */
    public static final int LINK_TYPE = 0120000;
    private static final int TYPE_MASK = 0170000;

    static Stamp file(long size, long mtimeMs, int mode, long inode) {
        return new Stamp(false, size, mtimeMs, mode, inode);
    }

    static Stamp directory(int mode) {
        return new Stamp(true, 0, 0, mode, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Stamp s && directory == s.directory && size == s.size && mtimeMs == s.mtimeMs && mode == s.mode
                && (inode == s.inode || inode == 0 || s.inode == 0);
    }

    @Override
    public int hashCode() {
        // Without the inode: equal stamps may differ in it when one side does not know it.
        return Objects.hash(directory, size, mtimeMs, mode);
    }

    /**
     * Whether two stamps (either may be {@code null}) say the same content is there: equal but for the inode.
     * An inode alone changes on copies with preserved times and on some file systems after a remount; the
     * content is then checked by its hash before anything is sent.
     */
    static boolean sameContentStamp(Stamp a, Stamp b) {
        return a == null ? b == null
                : b != null && a.directory == b.directory && a.size == b.size && a.mtimeMs == b.mtimeMs && a.mode == b.mode;
    }

    /** Whether this is a symbolic link synced as a link. */
    public boolean link() {
        return isLink(mode);
    }

    /** Whether a mode (from the index or the wire) is a link's. */
    public static boolean isLink(int mode) {
        return (mode & TYPE_MASK) == LINK_TYPE;
    }

    /**
     * The stamp of a regular file or directory, or {@code null} if nothing is at {@code path} or it is
     * something else (a link, a device). Any other failure (permissions, I/O) is thrown: it must never be
     * mistaken for a deletion.
     */
    public static Stamp read(Path path) throws IOException {
        return read(path, LinkMode.IGNORE);
    }

    /** Like {@link #read(Path)}, with links treated as {@code links} says (a dangling link followed is nothing). */
    static Stamp read(Path path, LinkMode links) throws IOException {
        try {
            if (links == LinkMode.FOLLOW) {
                return of(path, Files.readAttributes(path, BasicFileAttributes.class));
            }
            return of(path, Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS), links);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            // "Not a directory": a parent became a file, so nothing is at this path any more.
            if (!(e instanceof AccessDeniedException) && path.getParent() != null && !Files.isDirectory(path.getParent())) {
                return null;
            }
            throw e;
        }
    }

    static Stamp of(Path path, BasicFileAttributes a) {
        return of(path, a, LinkMode.IGNORE);
    }

    static Stamp of(Path path, BasicFileAttributes a, LinkMode links) {
        if (a.isDirectory()) {
            return directory(Modes.read(path));
        }
        if (a.isSymbolicLink() && links == LinkMode.COPY) {
            try {
                return new Stamp(false, target(path).length, a.lastModifiedTime().toMillis(), LINK_TYPE | 0777, inode(a));
            } catch (IOException e) {
                return null;
            }
        }
        return a.isRegularFile() ? file(a.size(), a.lastModifiedTime().toMillis(), Modes.read(path), inode(a)) : null;
    }

    /**
     * The inode number, from the file key the walk already read ({@code (dev=…,ino=…)} on Unix; the device
     * number is left out, it can change across reboots), or 0 where there is none.
     */
    private static long inode(BasicFileAttributes a) {
        Object key = a.fileKey();
        if (key == null) {
            return 0;
        }
        // Read by hand: a regular expression per file was a tenth of a first scan's walk.
        String text = key.toString();
        int at = text.indexOf("ino=");
        if (at < 0) {
            return 0;
        }
        long inode = 0;
        for (int i = at + 4; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            inode = inode * 10 + (text.charAt(i) - '0');
        }
        return inode;
    }

    /**
     * Whether the regular file at {@code path} still has this stamp's size, modification time and inode (its
     * content as stamped; the mode is not read, a chmod leaves the content as it was).
     */
    static boolean contentUnchanged(Path path, Stamp stamp) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.isRegularFile() && a.size() == stamp.size && a.lastModifiedTime().toMillis() == stamp.mtimeMs && inode(a) == stamp.inode;
    }

    /** A link's target as it is written in the link, UTF-8: what a link synced as a link carries. */
    static byte[] target(Path link) throws IOException {
        return Files.readSymbolicLink(link).toString().getBytes(StandardCharsets.UTF_8);
    }
}
