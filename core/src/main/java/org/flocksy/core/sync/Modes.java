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
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            int mode = 0;
            for (int i = 0; i < BITS.length; i++) {
                if (perms.contains(BITS[i])) {
                    mode |= 1 << i;
                }
            }
            return mode;
        } catch (UnsupportedOperationException | IOException e) {
            return DEFAULT_MODE;
        }
    }

    static void write(Path file, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((mode & (1 << i)) != 0) {
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
}
