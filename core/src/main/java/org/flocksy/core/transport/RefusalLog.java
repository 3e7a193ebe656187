package org.flocksy.core.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The log lines for refused connections, rate-limited: anyone who knows a node's public key can knock as
 * often as they like, and the log must not fill with it. The first refusal of each key in a minute is
 * logged; later ones are counted and reported with that key's next line. At most {@link #LINES_PER_MINUTE}
 * lines a minute in all (a knocker with a new key each time); what was left out is counted in the next line.
 * Used by the ZAP handler's thread alone.
 */
final class RefusalLog {
    static final long WINDOW_NANOS = 60_000_000_000L;
    static final int LINES_PER_MINUTE = 20;
    /** Keys remembered at most; beyond, the table starts again (the global limit still holds). */
    static final int KEYS_MAX = 1024;

    private record Seen(long loggedAtNanos, long since) {}

    private final LongSupplier nanos;
    private final Consumer<String> sink;
    private final Map<String, Seen> byKey = new HashMap<>();
    private long windowStart;
    private int lines;
    private long unlogged;

    RefusalLog(LongSupplier nanos, Consumer<String> sink) {
        this.nanos = nanos;
        this.sink = sink;
        this.windowStart = nanos.getAsLong();
    }

    /** A refused connection from {@code address} with {@code key} (or a mechanism's name), for {@code why}. */
    void refused(String address, String key, String why) {
        long now = nanos.getAsLong();
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            lines = 0;
        }
        Seen seen = byKey.get(key);
        if (seen != null && now - seen.loggedAtNanos() < WINDOW_NANOS) {
            byKey.put(key, new Seen(seen.loggedAtNanos(), seen.since() + 1));
            return;
        }
        if (lines >= LINES_PER_MINUTE) {
            unlogged++;
            return;
        }
        lines++;
        if (byKey.size() >= KEYS_MAX) {
            byKey.clear();
        }
        byKey.put(key, new Seen(now, 0));
        StringBuilder line = new StringBuilder("refused a connection from ").append(address).append(": ").append(why);
        if (seen != null && seen.since() > 0) {
            line.append(" (and ").append(seen.since()).append(" more from this key since the last line)");
        }
        if (unlogged > 0) {
            line.append(" (").append(unlogged).append(" other refusals not logged: too many)");
            unlogged = 0;
        }
        sink.accept(line.toString());
    }
}
