package org.flocksy.core.sync;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.path.PathSafety;

/**
 * The name a conflict's loser is kept under beside the file: {@code dir/stem.sync-conflict-YYYYMMDD-HHMMSS-<writer>.ext},
 * the time being the loser's mtime (UTC) and the writer the first 7 hex digits of the node that made it. Every
 * node derives the same name from the same version, so the copy syncs as one file. The only place that
 * writes or reads such names.
 *
 * @param copy the conflict copy's path
 * @param original the path of the file it is a version of
 * @param writer the short id of the node that wrote the copy's version
 */
public record ConflictName(String copy, String original, String writer) {
    private static final String MARK = ".sync-conflict-";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("(.*[^/])" + Pattern.quote(MARK) + "\\d{8}-\\d{6}-([0-9a-f]{7})(\\.[^./]*)?");

    /** The name the loser of a conflict is kept under, the same on every node. */
    static String of(String path, long mtimeMs, NodeUid writer) {
        int slash = path.lastIndexOf('/');
        String dir = path.substring(0, slash + 1);
        String name = path.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        String suffix = MARK + WHEN.format(Instant.ofEpochMilli(mtimeMs)) + "-" + writer.shortId() + ext;
        // A path travels in at most 128 bytes: shorten the stem (whole code points) until the copy fits.
        while (!stem.isEmpty() && (dir + stem + suffix).getBytes(StandardCharsets.UTF_8).length > PathSafety.PATH_BYTES_MAX) {
            stem = stem.substring(0, stem.offsetByCodePoints(stem.length(), -1));
        }
        return dir + stem + suffix;
    }

    /** What a path names if it is a conflict copy: the file it belongs to and who wrote it. */
    public static Optional<ConflictName> parse(String path) {
        Matcher m = NAME.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String ext = m.group(3) == null ? "" : m.group(3);
        String original = m.group(1) + ext;
        if (PathSafety.problem(original) != null) {
            return Optional.empty();
        }
        return Optional.of(new ConflictName(path, original, m.group(2)));
    }

    /** The ordinary name the copy takes when both versions are kept for good: {@code stem (conflict <writer>).ext}. */
    public String keptName() {
        String stem = copy.substring(0, copy.lastIndexOf(MARK));
        return stem + " (conflict " + writer + ")" + original.substring(stem.length());
    }
}
