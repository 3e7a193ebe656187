package org.flocksy.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flocksy.core.control.Console;
import org.flocksy.core.control.ControlClient;
import org.flocksy.core.control.Reply;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Status;

/**
 * The interactive shell over a terminal: reads command lines (completion, history), sends them to the
 * daemon's control socket and prints the answers; a status line at the bottom shows the run in progress.
 * A daemon that is not running, or stops, costs one line per command; the shell stays up.
 */
final class Shell implements AutoCloseable {
    private final Terminal terminal;
    private final Path socket;
    private final LineReader reader;
    private volatile ShellCompleter.Known known = ShellCompleter.Known.NOTHING;
    private ControlClient client;
    private final Thread progress;
    private volatile boolean running = true;

    Shell(Terminal terminal, Path socket, Path history) {
        this.terminal = terminal;
        this.socket = socket;
        DefaultParser parser = new DefaultParser();
        parser.setEscapeChars(new char[0]);
        this.reader = LineReaderBuilder.builder().terminal(terminal).appName("flocksy")
                .completer(new ShellCompleter(() -> known)).parser(parser)
                .variable(LineReader.HISTORY_FILE, history)
                .option(LineReader.Option.AUTO_FRESH_LINE, true)
                .build();
        this.progress = new Thread(this::showProgress, "flocksy-shell-progress");
        progress.setDaemon(true);
    }

    /** Reads and runs commands until {@code exit} or end of input; returns the exit code of the shell. */
    int run() {
        print(styled("flocksy shell", AttributedStyle.BOLD) + ": 'help' lists the commands, Tab completes, 'exit' or Ctrl-D leaves");
        learn();
        if (Status.getStatus(terminal) != null) {
            // A terminal without a status line (a dumb one) takes the updates and shows nothing.
            progress.start();
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
            execute(words);
        }
    }

    private void execute(List<String> words) {
        if (words.get(0).equals("help")) {
            try {
                show(Console.help(words.subList(1, words.size())));
            } catch (IllegalArgumentException e) {
                error(e.getMessage());
            }
            return;
        }
        if (words.get(0).equals("node") && words.size() == 4 && words.get(1).equals("add")) {
            String answer;
            // The answer is not a command: keep it out of the history.
            reader.setVariable(LineReader.DISABLE_HISTORY, true);
            try {
                answer = reader.readLine("Make " + words.get(2) + " with key " + words.get(3) + " a node (keystore and config)? [y/N] ");
            } catch (UserInterruptException | EndOfFileException e) {
                answer = "";
            } finally {
                reader.setVariable(LineReader.DISABLE_HISTORY, false);
            }
            if (!answer.strip().equalsIgnoreCase("y") && !answer.strip().equalsIgnoreCase("yes")) {
                print("not added");
                return;
            }
        }
        Reply reply = call(words);
        if (reply != null) {
            show(reply);
            if (reply.ok() && (words.get(0).equals("boxes") || words.get(0).equals("nodes") || words.get(0).equals("plugins"))) {
                learn();
            }
        }
    }

    /** The daemon's answer, or {@code null} after printing why there is none. */
    private synchronized Reply call(List<String> words) {
        try {
            if (client == null) {
                client = ControlClient.connect(socket);
            }
            return client.call(words);
        } catch (ControlClient.NotRunningException e) {
            error(e.getMessage());
        } catch (IOException e) {
            error("lost the connection to the daemon: " + e.getMessage() + "; it is tried again with the next command");
            client.close();
            client = null;
        }
        return null;
    }

    private void show(Reply reply) {
        if (!reply.ok()) {
            error(reply.text());
        } else if (!reply.text().isEmpty()) {
            print(reply.text());
        }
    }

    /** Refreshes what completion knows: boxes and their folders, peers, plugins. */
    private void learn() {
        Map<String, Path> boxes = new LinkedHashMap<>();
        List<String> peers = new ArrayList<>();
        List<String> plugins = new ArrayList<>();
        Reply b = quietCall(List.of("boxes"));
        if (b != null && b.data() instanceof JsonNode list) {
            list.forEach(n -> boxes.put(n.path("name").asText(), Path.of(n.path("path").asText())));
        }
        Reply n = quietCall(List.of("nodes"));
        if (n != null && n.data() instanceof JsonNode list) {
            list.forEach(p -> peers.add(p.path("endpoint").asText()));
        }
        Reply p = quietCall(List.of("plugins"));
        if (p != null && p.data() instanceof JsonNode list) {
            list.forEach(x -> plugins.add(x.path("id").asText()));
        }
        known = new ShellCompleter.Known(boxes, peers, plugins);
    }

    private synchronized Reply quietCall(List<String> words) {
        try {
            if (client == null) {
                client = ControlClient.connect(socket);
            }
            Reply reply = client.call(words);
            return reply.ok() ? reply : null;
        } catch (IOException e) {
            if (client != null) {
                client.close();
                client = null;
            }
            return null;
        }
    }

    /** Twice a second: the run in progress as a bar in the terminal's status line (never over the prompt). */
    private void showProgress() {
        Status status = Status.getStatus(terminal);
        long lastBytes = -1;
        long lastNanos = 0;
        double rate = 0;
        String shown = "";
        ControlClient own = null;
        try {
            while (running) {
                String line = "";
                try {
                    if (own == null) {
                        own = ControlClient.connect(socket);
                    }
                    Reply reply = own.call(List.of("status"));
                    JsonNode run = reply.data() instanceof JsonNode d ? d.get("run") : null;
                    if (run == null || run.isNull()) {
                        lastBytes = -1;
                        rate = 0;
                    } else {
                        long total = run.path("bytes").asLong();
                        long chunks = Math.max(1, run.path("chunks").asLong());
                        long done = Math.min(total, total * run.path("chunks_done").asLong() / chunks);
                        long now = System.nanoTime();
                        if (lastBytes >= 0 && now > lastNanos) {
                            rate = 0.7 * rate + 0.3 * ((done - lastBytes) * 1e9 / (now - lastNanos));
                        }
                        lastBytes = done;
                        lastNanos = now;
                        line = bar(run.path("role").asText(), run.path("box").asText(), done, total, rate);
                    }
                } catch (IOException e) {
                    // Not running (yet, or any more): try again on the next tick.
                    if (own != null) {
                        own.close();
                        own = null;
                    }
                }
                if (!line.equals(shown)) {
                    // Only changes reach the terminal: fewer chances to cross the line reader's own drawing.
                    status.update(line.isEmpty() ? List.of() : List.of(new AttributedString(line)));
                    shown = line;
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            // The shell is closing.
        } catch (RuntimeException e) {
            // A terminal that could not draw the line: the shell goes on without the bar.
        } finally {
            if (own != null) {
                own.close();
            }
            if (!shown.isEmpty()) {
                try {
                    status.update(List.of());
                } catch (RuntimeException e) {
                    // The terminal is gone already.
                }
            }
        }
    }

    /** "receiving 'docs' [#######.......]  48 %  1.2 MiB of 2.5 MiB  812 KiB/s  ETA 2 s" */
    static String bar(String role, String box, long done, long total, double bytesPerSecond) {
        int width = 24;
        int filled = total == 0 ? width : (int) (width * done / total);
        String eta = bytesPerSecond < 1 ? "ETA ?" : "ETA " + Math.round((total - done) / bytesPerSecond) + " s";
        return String.format("%s '%s' [%s%s] %3d %%  %s of %s  %s/s  %s", role, box, "#".repeat(filled), ".".repeat(width - filled),
                total == 0 ? 100 : done * 100 / total, size(done), size(total), size((long) bytesPerSecond), eta);
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? String.format("%.1f MiB", bytes / 1048576.0) : bytes >= 1 << 10 ? String.format("%.1f KiB", bytes / 1024.0)
                : bytes + " B";
    }

    private String styled(String text, AttributedStyle style) {
        // Colours where the terminal has them; plain text on a dumb one.
        return new AttributedStringBuilder().style(style).append(text).toAnsi(terminal);
    }

    private void print(String text) {
        reader.printAbove(text);
    }

    private void error(String text) {
        print(styled("error: ", AttributedStyle.BOLD.foreground(AttributedStyle.RED)) + text);
    }

    @Override
    public void close() {
        running = false;
        progress.interrupt();
        try {
            progress.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeClient();
    }

    private synchronized void closeClient() {
        if (client != null) {
            client.close();
        }
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            // History is a convenience.
        }
    }
}
