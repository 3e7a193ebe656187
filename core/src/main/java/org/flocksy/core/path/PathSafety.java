package org.flocksy.core.path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.text.Normalizer;
import org.flocksy.core.config.Problems;

/** Checks relative paths that arrive from peers before anything touches the disk. */
public final class PathSafety {
    /** The box's own folder for temp files and versions; never synced. */
    public static final String STATE_DIR = ".flocksy";
    public static final int PATH_BYTES_MAX = 128;

    private PathSafety() {}

    /** Why {@code path} may not be written inside a box, or {@code null} when it is safe. */
    public static String problem(String path) {
        if (path.isEmpty()) {
            return "empty path";
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > PATH_BYTES_MAX) {
            return "longer than " + PATH_BYTES_MAX + " bytes";
        }
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            return "absolute path";
        }
        if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
            return "backslash or NUL in path";
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return "'" + part + "' segment in path";
            }
            if (part.chars().anyMatch(c -> c < 0x20)) {
                return "control character in path";
            }
        }
        String first = path.split("/", 2)[0];
        if (first.equalsIgnoreCase(STATE_DIR)) {
            return "inside the box's " + STATE_DIR + " folder";
        }
        return null;
    }

    /** The form a path travels in: NFC, {@code /} separators. */
    public static String canonical(String relative) {
        return Normalizer.normalize(relative.replace('\\', '/'), Normalizer.Form.NFC);
    }

    /**
     * The first folder on the way to {@code relative} inside {@code root} that is a symbolic link (relative to
     * the root), or {@code null}. A link to a folder is synced as a link or followed only for reading: nothing
     * is ever written, moved or deleted through one.
     */
    public static String linkOnTheWay(Path root, String relative) {
        for (Path p = root.resolve(relative).getParent(); p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                return root.relativize(p).toString().replace('\\', '/');
            }
        }
        return null;
    }

    /**
     * Why writing {@code relative} inside {@code root} would leave the box (through a link on the way, or a
     * folder that resolves elsewhere), or {@code null} when it stays inside.
     */
    public static String escape(Path root, String relative) {
        String link = linkOnTheWay(root, relative);
        if (link != null) {
            return "path leads through the link " + link;
        }
        Path parent = root.resolve(relative).getParent();
        while (parent != null && !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
            parent = parent.getParent();
        }
        try {
            if (parent == null || !parent.toRealPath().startsWith(root.toRealPath())) {
                return "path leads out of the box through a link";
            }
        } catch (IOException e) {
            return "cannot check the path: " + Problems.describe(e);
        }
        return null;
    }

    /** A path fit for a log line: control characters (a peer's, perhaps) shown as {@code ?}. */
    public static String printable(String path) {
        return path.replaceAll("\\p{Cntrl}", "?");
    }
}
