package org.flocksy.app.control;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import org.jline.terminal.Attributes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code log [LINES] [LEVEL] [--follow]}: the daemon's last log lines, and new ones as they come. */
@Command(name = "log", description = "the daemon's last log lines (default 20, INFO and above); --follow shows new ones until a key (or Ctrl-C in scripts)")
final class LogCommand implements Callable<Integer> {
    /** How often {@code --follow} asks for new lines. */
    static final long FOLLOW_MILLIS = 500;

    private final Session session;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "keep showing new lines")
    boolean follow;

    @Parameters(arity = "0..2", paramLabel = "LINES|LEVEL", completionCandidates = Levels.class,
            description = "how many lines (a number), at which level and above (ERROR, WARN, INFO, DEBUG), in either order")
    List<String> words = new ArrayList<>();

    LogCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        int lines = 20;
        String level = "INFO";
        for (String w : words) {
            if (w.matches("\\d{1,5}")) {
                lines = Integer.parseInt(w);
            } else if (Control.LOG_LEVELS.contains(w.toUpperCase(Locale.ROOT))) {
                level = w.toUpperCase(Locale.ROOT);
            } else {
                throw new ConsoleCommands.UsageException(spec);
            }
        }
        List<Control.LogLine> tail = session.control().log(lines, level, 0);
        if (session.json() && !follow) {
            Json.print(session, tail);
            return ExitCodes.OK;
        }
        long last = print(tail);
        if (!follow) {
            return ExitCodes.OK;
        }
        if (tail.isEmpty()) {
            // Follow from the daemon's latest line, whatever its level.
            last = session.control().log(1, "TRACE", 0).stream().mapToLong(Control.LogLine::seq).max().orElse(0);
        }
        Attributes before = session.interactive() ? session.terminal().enterRawMode() : null;
        try {
            while (!session.keyPressedWithin(FOLLOW_MILLIS)) {
                last = Math.max(last, print(session.control().log(1_000, level, last)));
            }
        } finally {
            if (before != null) {
                session.terminal().setAttributes(before);
            }
        }
        return ExitCodes.OK;
    }

    /** Prints the lines and returns the last one's number (0 for none). */
    private long print(List<Control.LogLine> lines) throws IOException {
        long last = 0;
        for (Control.LogLine l : lines) {
            if (session.json()) {
                Json.print(session, l);
            } else {
                session.out().println(l.text());
            }
            last = l.seq();
        }
        session.out().flush();
        return last;
    }

    /** What a log level can be, for completion. */
    static final class Levels implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Control.LOG_LEVELS.subList(0, 4).iterator();
        }
    }
}
