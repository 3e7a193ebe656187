package org.flocksy.core.control;

import java.util.List;

/** The daemon's recent log lines, kept in memory by the logging backend for the {@code log} command. */
public interface LogTail {
    /**
     * The last {@code count} lines at {@code minLevel} or above (TRACE, DEBUG, INFO, WARN, ERROR) logged after
     * line {@code after}, oldest first.
     */
    List<Control.LogLine> last(int count, String minLevel, long after);

    /** No log kept (tests, embedded nodes). */
    LogTail NONE = (count, level, after) -> List.of();
}
