package org.flocksy.app.control;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;

/** {@code boxes}: each box with its folder, state and settings. */
@Command(name = "boxes", description = "each box: folder, entries, changes waiting, paused or not")
final class BoxesCommand implements Callable<Integer> {
    private final Session session;

    BoxesCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        List<Control.BoxStatus> boxes = session.control().boxes();
        session.learned();
        return session.answer(boxes, () -> boxes.isEmpty() ? "no boxes (add one with 'box add NAME@PATH')" : Words.lines(boxes.stream()
                .map(b -> String.format("%-12s %-40s %-8s %6d entries, %d waiting; resolver %s, backup %s, links %s", b.name(), b.path(), state(b),
                        b.entries(), b.queued(), b.resolver(), b.backup(), b.symlinks())).toList()));
    }

    static String state(Control.BoxStatus b) {
        return b.state().equals("blocked") ? "paused (bad .flocksyignore)" : b.state();
    }
}
