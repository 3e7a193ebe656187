package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** POSIX permission bits as the 12-bit mode of the wire (only the 9 rwx bits are carried by Java). */
final class Modes {
    /** Where the file system has no POSIX permissions. */
    static final int DEFAULT_MODE = 0644;
    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    private Modes() {}

    static int read(Path file) {
        try {
            return bits(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        } catch (UnsupportedOperationException | IOException e) {
            return DEFAULT_MODE;
        }
    }

    private static int bits(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (int i = 0; i < BITS.length; i++) {
            if (perms.contains(BITS[i])) {
                mode |= 1 << i;
            }
        }
        return mode;
    }

    /**
     * Gives {@code file} a peer's {@code mode} as this node would create it: bits this node's {@code umask}
     * clears stay clear (a member cannot make files here writable by everyone).
     */
    static void write(Path file, int mode, int umask) throws IOException {
        int masked = mode & ~umask;
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((masked & (1 << i)) != 0) {
                perms.add(BITS[i]);
            }
        }
        // A file its owner cannot read or write, or a directory it cannot enter, would stop the next sync.
        perms.add(PosixFilePermission.OWNER_READ);
        perms.add(PosixFilePermission.OWNER_WRITE);
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
        }
        try {
            Files.setPosixFilePermissions(file, perms);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the mode is not kept here.
        }
    }

    /**
     * Makes {@code dir} (created if missing) a folder its owner alone can enter: what a box keeps there
     * (index, bundles, received files before their final mode, versions) is then private whatever the
     * umask gave each file. Nothing happens where the file system has no POSIX modes.
     */
    static void makePrivate(Path dir) throws IOException {
        Set<PosixFilePermission> owner = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE);
        Files.createDirectories(dir);
        try {
            if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(owner)) {
                Files.setPosixFilePermissions(dir, owner);
            }
        } catch (UnsupportedOperationException e) {
            // FAT, exFAT, ...: no modes to set.
        }
    }

    /**
     * This process's umask, which Java cannot ask for: the mode a folder made in {@code dir} without one
     * gets is 0777 without it. 022 where the file system has no POSIX modes.
     */
    static int umask(Path dir) throws IOException {
        Path probe = dir.resolve("umask-" + System.nanoTime());
        Files.createDirectory(probe);
        try {
            return 0777 & ~bits(Files.getPosixFilePermissions(probe, LinkOption.NOFOLLOW_LINKS));
        } catch (UnsupportedOperationException e) {
            return 022;
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
