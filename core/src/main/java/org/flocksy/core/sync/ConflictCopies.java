package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.flocksy.core.path.PathSafety;

/**
 * The conflict copies a person settles by hand: which are in a box, and what settling one does. Every
 * change lands in the box like an edit of its own, so it syncs to the other nodes. Nothing is moved through
 * a link. On the kernel's event loop.
 */
public final class ConflictCopies {
    /** The ways to settle a copy, as the shell names them. */
    public enum Resolution {
        /** The file that kept the name stays; the copy goes to the versions (if the box keeps any). */
        KEEP_LOCAL,
        /** The copy takes the name; the file that had it goes to the versions. */
        TAKE_REMOTE,
        /** Both stay as ordinary files: the copy is renamed {@code NAME (conflict WRITER).EXT}. */
        KEEP_BOTH;

        /** How a person types it: {@code keep-local}, {@code take-remote}, {@code keep-both}. */
        public String typed() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The resolution a person typed, or {@code null}. */
        public static Resolution named(String typed) {
            return Arrays.stream(values()).filter(r -> r.typed().equals(typed)).findFirst().orElse(null);
        }

        /** Every resolution as a person types it. */
        public static List<String> typedNames() {
            return Arrays.stream(values()).map(Resolution::typed).toList();
        }
    }

    private ConflictCopies() {}

    /** The conflict copies the box's index knows, by path. */
    public static List<ConflictName> in(Box box) {
        return new TreeSet<>(box.knownPaths()).stream().map(ConflictName::parse).flatMap(java.util.Optional::stream).toList();
    }

    /**
     * The conflict copy at {@code copy} in the box.
     *
     * @throws IllegalArgumentException if there is no conflict copy there (or it lies behind a link)
     */
    public static ConflictName find(Box box, String copy) {
        ConflictName name = PathSafety.problem(copy) == null ? ConflictName.parse(copy).orElse(null) : null;
        if (name == null || !Files.isRegularFile(box.resolve(copy), LinkOption.NOFOLLOW_LINKS)
                || PathSafety.linkOnTheWay(box.root(), copy) != null) {
            throw new IllegalArgumentException("'" + copy + "' is not a conflict copy in box '" + box.name() + "' (see 'conflicts')");
        }
        return name;
    }

    /**
     * Settles a conflict copy.
     *
     * @return the copy's new name for {@link Resolution#KEEP_BOTH}, else {@code null}
     * @throws IllegalArgumentException if the copy cannot take its new name (taken, or too long)
     */
    public static String settle(Box box, ConflictName name, Resolution resolution) throws IOException {
        Path copy = box.resolve(name.copy());
        Path original = box.resolve(name.original());
        switch (resolution) {
            case KEEP_LOCAL -> box.versions().takeAway(name.copy());
            case TAKE_REMOTE -> {
                if (Files.isRegularFile(original, LinkOption.NOFOLLOW_LINKS)) {
                    box.versions().keepBeforeOverwrite(name.original());
                }
                Files.move(copy, original, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            case KEEP_BOTH -> {
                String kept = name.keptName();
                if (PathSafety.problem(kept) != null || Files.exists(box.resolve(kept), LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException("cannot rename the copy to '" + kept + "': that name is taken or too long");
                }
                Files.move(copy, box.resolve(kept), StandardCopyOption.ATOMIC_MOVE);
                return kept;
            }
        }
        return null;
    }
}
