package org.flocksy.app.control;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Small helpers for the words the commands print: sizes, times, short node ids, the progress bar. */
public final class Words {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Words() {}

    /** 1.5 MiB, 12.0 KiB, 300 B. */
    public static String size(long bytes) {
        return bytes >= 1 << 20 ? String.format("%.1f MiB", bytes / 1048576.0) : bytes >= 1 << 10 ? String.format("%.1f KiB", bytes / 1024.0)
                : bytes + " B";
    }

    /** A moment in local time, to the second. */
    public static String when(long epochMs) {
        return WHEN.format(Instant.ofEpochMilli(epochMs));
    }

    /** The first 7 hex digits of a node UID, as file names and logs show it. */
    public static String shortId(String uid) {
        return uid.length() > 7 ? uid.substring(0, 7) : uid;
    }

    /** Lines joined, without a trailing line break. */
    static String lines(List<String> lines) {
        return String.join("\n", lines);
    }

    /** "receiving 'docs' [#######.......]  48 %  1.2 MiB of 2.5 MiB  812 KiB/s  ETA 2 s" */
    public static String bar(String role, String box, long done, long total, double bytesPerSecond) {
        int width = 24;
        int filled = total == 0 ? width : (int) (width * Math.min(done, total) / total);
        String eta = bytesPerSecond < 1 ? "ETA ?" : "ETA " + Math.round((total - done) / bytesPerSecond) + " s";
        return String.format("%s '%s' [%s%s] %3d %%  %s of %s  %s/s  %s", role, box, "#".repeat(filled), ".".repeat(width - filled),
                total == 0 ? 100 : done * 100 / total, size(done), size(total), size((long) Math.max(0, bytesPerSecond)), eta);
    }

    /** "sending 'docs' (2.5 MiB): starts in 4 s" — a run announced whose file frames have not begun. */
    public static String waiting(String role, String box, long total, long startsInMs) {
        String when = startsInMs > 0 ? "starts in " + Math.max(1, Math.round(startsInMs / 1000.0)) + " s" : "waiting for its start";
        return String.format("%s '%s' (%s): %s", role, box, size(total), when);
    }
}
