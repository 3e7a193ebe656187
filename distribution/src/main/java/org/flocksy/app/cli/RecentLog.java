package org.flocksy.app.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.flocksy.core.control.Control;
import org.flocksy.core.control.LogTail;
import org.slf4j.LoggerFactory;

/** The daemon's last log lines in memory, for the shell's {@code log} command; attached to the root logger while the daemon runs. */
final class RecentLog extends AppenderBase<ILoggingEvent> implements LogTail {
    private static final int LINES_MAX = 2_000;

    private record Line(long seq, Level level, String text) {}

    private final Deque<Line> lines = new ArrayDeque<>();
    private final PatternLayout layout = new PatternLayout();
    private long seq;

    /** Starts keeping the lines the daemon logs (at the levels its loggers let through). */
    static RecentLog attach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        RecentLog recent = new RecentLog();
        recent.setContext(context);
        recent.setName("recent");
        recent.layout.setContext(context);
        recent.layout.setPattern("%d{HH:mm:ss.SSS} %-5level %msg");
        recent.layout.start();
        recent.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(recent);
        return recent;
    }

    void detach() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
        stop();
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
        lines.addLast(new Line(++seq, event.getLevel(), layout.doLayout(event).strip()));
        if (lines.size() > LINES_MAX) {
            lines.removeFirst();
        }
    }

    @Override
    public synchronized List<Control.LogLine> last(int count, String minLevel, long after) {
        Level min = Level.toLevel(minLevel, Level.INFO);
        List<Control.LogLine> picked = new ArrayList<>();
        for (var it = lines.descendingIterator(); it.hasNext() && picked.size() < count; ) {
            Line l = it.next();
            if (l.seq() <= after) {
                break;
            }
            if (l.level().isGreaterOrEqual(min)) {
                picked.add(0, new Control.LogLine(l.seq(), l.text()));
            }
        }
        return picked;
    }
}
