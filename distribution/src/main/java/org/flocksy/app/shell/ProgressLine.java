package org.flocksy.app.shell;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.flocksy.app.control.Words;
import org.flocksy.core.control.ControlClient;
import org.flocksy.core.fsm.RunProgress;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.Status;

/**
 * The run in progress on the terminal's status line, below the prompt: asked from the daemon twice a second
 * on a connection of its own, redrawn only when it changes. Owns its thread; {@link #close} ends it and
 * clears the line.
 */
final class ProgressLine implements AutoCloseable {
    static final long PERIOD_MILLIS = 500;

    private final Terminal terminal;
    private final Path socket;
    private final Status status;
    private final Thread thread;
    private final Rate rate = new Rate();
    private volatile boolean running = true;
    /** What the line shows now; guarded by {@code this} with every write to the status area. */
    private String shown = "";

    /** A status line for the terminal, or {@code null} where it has none (a dumb terminal). */
    static ProgressLine open(Terminal terminal, Path socket) {
        Status status = Status.getStatus(terminal);
        return status == null ? null : new ProgressLine(terminal, socket, status);
    }

    private ProgressLine(Terminal terminal, Path socket, Status status) {
        this.terminal = terminal;
        this.socket = socket;
        this.status = status;
        this.thread = new Thread(this::run, "flocksy-shell-progress");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        ControlClient client = null;
        try {
            while (running) {
                String line = "";
                try {
                    if (client == null) {
                        client = ControlClient.connect(socket);
                    }
                    line = describe(client.control().status().run(), System.nanoTime());
                } catch (IOException e) {
                    // Not running (yet, or any more): try again on the next tick.
                    if (client != null) {
                        client.close();
                        client = null;
                    }
                }
                show(line);
                Thread.sleep(PERIOD_MILLIS);
            }
        } catch (InterruptedException e) {
            // The shell is closing.
        } catch (RuntimeException e) {
            // A terminal that could not draw the line: the shell goes on without the bar.
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /** The line for a run (empty when idle): waiting for its start, or a bar with the rate since the last look. */
    String describe(RunProgress run, long nowNanos) {
        if (run == null) {
            rate.reset();
            return "";
        }
        if (run.waiting()) {
            rate.reset();
            return Words.waiting(run.role(), run.box(), run.bytes(), run.startsInMs());
        }
        long chunks = Math.max(1, run.chunks());
        long done = Math.min(run.bytes(), run.bytes() * run.chunksDone() / chunks);
        return Words.bar(run.role(), run.box(), done, run.bytes(), rate.sample(run, done, nowNanos));
    }

    /** Only changes reach the terminal: fewer chances to cross the line reader's own drawing. */
    private synchronized void show(String line) {
        if (!line.equals(shown)) {
            status.update(line.isEmpty() ? List.of() : List.of(new AttributedString(line)));
            shown = line;
        }
    }

    /**
     * Clears the screen without losing the prompt: the status area is given up first, the screen cleared,
     * the status area set up again on the empty screen, and only then the prompt drawn ({@code redraw}).
     * Resetting the status area after the clear would scroll a prompt at the top of the screen away.
     */
    synchronized void clearScreen(Runnable redraw) {
        status.update(List.of());
        terminal.puts(Capability.clear_screen);
        status.update(shown.isEmpty() ? List.of() : List.of(new AttributedString(shown)));
        terminal.flush();
        redraw.run();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            show("");
        } catch (RuntimeException e) {
            // The terminal is gone already.
        }
    }

    /** Bytes per second of one run, smoothed; starts again with a new run and never goes below zero. */
    static final class Rate {
        private RunProgress run;
        private long lastDone = -1;
        private long lastNanos;
        private double bytesPerSecond;

        double sample(RunProgress current, long done, long nowNanos) {
            boolean sameRun = run != null && run.role().equals(current.role()) && run.box().equals(current.box())
                    && run.bytes() == current.bytes() && run.records() == current.records();
            if (!sameRun || done < lastDone) {
                // Another run, or the same changes sent again: the rate so far says nothing about it.
                bytesPerSecond = 0;
                lastDone = -1;
            }
            if (lastDone >= 0 && nowNanos > lastNanos) {
                bytesPerSecond = 0.7 * bytesPerSecond + 0.3 * ((done - lastDone) * 1e9 / (nowNanos - lastNanos));
            }
            run = current;
            lastDone = done;
            lastNanos = nowNanos;
            return bytesPerSecond;
        }

        void reset() {
            run = null;
            lastDone = -1;
            bytesPerSecond = 0;
        }
    }
}
