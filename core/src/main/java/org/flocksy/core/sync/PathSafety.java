package org.flocksy.core.sync;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

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
}
