package org.flocksy.app.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flocksy.app.control.ConsoleCommands;
import org.flocksy.app.control.Session;
import org.flocksy.core.control.Control;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * The interactive shell over a terminal: reads command lines (completion, history, Ctrl-R search), runs
 * them through the same command tree as {@code flocksy ctl} against the daemon's control socket, and shows
 * the run in progress on a status line. A daemon that is not running, or stops, costs one line per command;
 * the shell stays up.
 */
public final class Shell implements AutoCloseable {
    private final Terminal terminal;
    private final Path socket;
    private final LineReader reader;
    private final Session session;
    private volatile Known known = Known.NOTHING;
    private ProgressLine progress;

    public Shell(Terminal terminal, Path socket, Path history) {
        this.terminal = terminal;
        this.socket = socket;
        PrintWriter out = terminal.writer();
        this.session = Session.forShell(socket, terminal, out, this::confirm);
        session.onLearned(this::learn);
        DefaultParser parser = new DefaultParser();
        parser.setEscapeChars(new char[0]);
        this.reader = LineReaderBuilder.builder().terminal(terminal).appName("flocksy")
                .completer(new SpecCompleter(ConsoleCommands.tree(session).getCommandSpec(), () -> known)).parser(parser)
                .variable(LineReader.HISTORY_FILE, history)
                .option(LineReader.Option.AUTO_FRESH_LINE, true)
                .build();
    }

    /** Reads and runs commands until {@code exit} or end of input; returns the exit code of the shell. */
    public int run() {
        print(styled("flocksy shell", AttributedStyle.BOLD) + ": 'help' lists the commands, Tab completes, Ctrl-R searches the history,"
                + " 'exit' or Ctrl-D leaves");
        learn();
        progress = ProgressLine.open(terminal, socket);
        if (progress != null) {
            reader.getWidgets().put(LineReader.CLEAR_SCREEN, () -> {
                progress.clearScreen(() -> reader.callWidget(LineReader.REDRAW_LINE));
                return true;
            });
        }
        while (true) {
            String line;
            try {
                line = reader.readLine(styled("flocksy> ", AttributedStyle.BOLD.foreground(AttributedStyle.CYAN)));
            } catch (UserInterruptException e) {
                continue;
            } catch (EndOfFileException e) {
                return 0;
            }
            List<String> words = new ArrayList<>(reader.getParser().parse(line, line.length()).words());
            words.removeIf(String::isBlank);
            if (words.isEmpty()) {
                continue;
            }
            if (words.get(0).equals("exit") || words.get(0).equals("quit")) {
                return 0;
            }
            ConsoleCommands.run(session, words);
            terminal.flush();
        }
    }

    /** Asks a yes/no question; the answer is not a command, so it stays out of the history. */
    private boolean confirm(String question) {
        String answer;
        reader.setVariable(LineReader.DISABLE_HISTORY, true);
        try {
            answer = reader.readLine(question);
        } catch (UserInterruptException | EndOfFileException e) {
            answer = "";
        } finally {
            reader.setVariable(LineReader.DISABLE_HISTORY, false);
        }
        return answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes");
    }

    /** Refreshes what completion knows: boxes and their folders, peers, plugins. Quietly: a daemon that is away teaches nothing. */
    private void learn() {
        Map<String, Path> boxes = new LinkedHashMap<>();
        List<String> peers = new ArrayList<>();
        List<String> plugins = new ArrayList<>();
        try {
            Control control = session.control();
            control.boxes().forEach(b -> boxes.put(b.name(), Path.of(b.path())));
            control.nodes().forEach(p -> peers.add(p.endpoint()));
            control.plugins().forEach(p -> plugins.add(p.id()));
        } catch (IOException e) {
            // Learned next time.
            session.dropConnection();
        }
        known = new Known(boxes, peers, plugins);
    }

    private String styled(String text, AttributedStyle style) {
        // Colours where the terminal has them; plain text on a dumb one.
        return new AttributedStringBuilder().style(style).append(text).toAnsi(terminal);
    }

    private void print(String text) {
        reader.printAbove(text);
    }

    @Override
    public void close() {
        if (progress != null) {
            progress.close();
        }
        session.close();
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            // History is a convenience.
        }
    }
}
