package org.flocksy.app.control;

import java.util.List;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import org.jline.terminal.Attributes;
import org.jline.utils.AttributedString;
import org.jline.utils.Display;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code watch}: {@code status} redrawn in place until a key is pressed (in scripts: printed again until stopped). */
@Command(name = "watch", description = "status, refreshed in place until a key is pressed")
final class WatchCommand implements Callable<Integer> {
    private final Session session;

    @Option(names = {"-n", "--interval"}, paramLabel = "SECONDS", description = "seconds between refreshes (default 1)")
    int seconds = 1;

    WatchCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        long millis = Math.max(1, seconds) * 1000L;
        if (!session.interactive()) {
            do {
                session.out().println(StatusCommand.text(session.control().status(), session));
                session.out().println();
                session.out().flush();
            } while (!session.keyPressedWithin(millis));
            return ExitCodes.OK;
        }
        Display display = new Display(session.terminal(), false);
        Attributes before = session.terminal().enterRawMode();
        try {
            do {
                Control.NodeStatus status = session.control().status();
                List<AttributedString> lines = (StatusCommand.text(status, session) + "\n(any key ends watch)").lines()
                        .map(AttributedString::fromAnsi).toList();
                display.resize(session.terminal().getHeight(), session.terminal().getWidth());
                display.update(lines, -1);
                session.terminal().flush();
            } while (!session.keyPressedWithin(millis));
        } finally {
            session.terminal().setAttributes(before);
            session.terminal().writer().println();
            session.terminal().flush();
        }
        return ExitCodes.OK;
    }
}
