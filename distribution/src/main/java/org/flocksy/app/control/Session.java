package org.flocksy.app.control;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.flocksy.core.control.Control;
import org.flocksy.core.control.ControlClient;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * What the commands share while they run: the connection to the daemon (made when first needed, made again
 * after it dropped), where answers and errors go, and how the person at the other end is reached: a terminal
 * in the shell, plain streams in {@code flocksy ctl}.
 */
public final class Session implements AutoCloseable {
    private final Path socket;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Terminal terminal;
    private final Predicate<String> confirm;
    private boolean json;
    private ControlClient client;
    private Runnable learned = () -> {};

    private Session(Path socket, PrintWriter out, PrintWriter err, Terminal terminal, Predicate<String> confirm) {
        this.socket = socket;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.confirm = confirm;
    }

    /** For {@code flocksy ctl}: answers on {@code out}, errors on {@code err} as {@code flocksy: ...}, nobody to ask. */
    public static Session forScripts(Path socket, PrintWriter out, PrintWriter err, boolean json) {
        Session s = new Session(socket, out, err, null, question -> true);
        s.json = json;
        return s;
    }

    /** For the shell: everything on the terminal, errors as {@code error: ...}, questions asked with {@code confirm}. */
    public static Session forShell(Path socket, Terminal terminal, PrintWriter out, Predicate<String> confirm) {
        return new Session(socket, out, out, terminal, confirm);
    }

    /** The daemon, connected now if it was not. */
    public Control control() throws IOException {
        if (client == null) {
            client = ControlClient.connect(socket);
        }
        return client.control();
    }

    /** Forgets a connection that failed; the next command connects again. */
    public void dropConnection() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    public Path socket() {
        return socket;
    }

    public PrintWriter out() {
        return out;
    }

    /**
     * Waits up to {@code millis}; in the shell a key pressed meanwhile ends the wait (and is taken), so a
     * command that refreshes ({@code watch}, {@code log --follow}) stops. Scripts stop those with a signal.
     *
     * @return whether a key was pressed
     */
    boolean keyPressedWithin(long millis) throws InterruptedException {
        if (terminal == null) {
            Thread.sleep(millis);
            return false;
        }
        try {
            if (terminal.reader().peek(millis) >= 0) {
                terminal.reader().read();
                return true;
            }
            return false;
        } catch (IOException e) {
            // The terminal went away: nothing can be shown any more.
            return true;
        }
    }

    /**
     * Prints a command's answer: its record as JSON where a script asked for that, else the words (nothing
     * when they are empty).
     *
     * @return {@link ExitCodes#OK}
     */
    int answer(Object data, Supplier<String> words) throws IOException {
        if (json) {
            Json.print(this, data);
        } else {
            String text = words.get();
            if (!text.isEmpty()) {
                out.println(text);
            }
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** Whether answers go out as JSON (scripts, {@code --json}). */
    public boolean json() {
        return json;
    }

    /** The shell's terminal, or {@code null} in {@code flocksy ctl}. */
    public Terminal terminal() {
        return terminal;
    }

    public boolean interactive() {
        return terminal != null;
    }

    /** Asks the person; scripts are not asked (they said so by running the command). */
    boolean confirm(String question) {
        return confirm.test(question);
    }

    /** Called after a command that shows boxes, nodes or plugins, so completion learns them. */
    public void onLearned(Runnable listener) {
        learned = listener;
    }

    void learned() {
        learned.run();
    }

    /** One line saying what went wrong. */
    public void error(String message) {
        if (interactive()) {
            err.println(styled("error: ", AttributedStyle.BOLD.foreground(AttributedStyle.RED)) + message);
        } else {
            err.println("flocksy: " + message);
        }
        err.flush();
    }

    /** How to get help here. */
    String helpHint() {
        return interactive() ? "try 'help'" : "try 'flocksy ctl help'";
    }

    String bold(String text) {
        return styled(text, AttributedStyle.BOLD);
    }

    String green(String text) {
        return styled(text, AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN));
    }

    String yellow(String text) {
        return styled(text, AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW));
    }

    /** Colours where the terminal has them; plain text on a dumb one and in scripts. */
    String styled(String text, AttributedStyle style) {
        return terminal == null ? text : new AttributedStringBuilder().style(style).append(text).toAnsi(terminal);
    }

    @Override
    public void close() {
        dropConnection();
    }
}
