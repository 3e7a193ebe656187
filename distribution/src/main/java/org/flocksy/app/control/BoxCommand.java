package org.flocksy.app.control;

import java.io.IOException;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code box pause|resume|rescan|add|remove}: one box at a time. */
@Command(name = "box", description = "stop or restart syncing a box, compare it with its index now, add or remove one (kept in the config file)")
final class BoxCommand {
    private final Session session;

    BoxCommand(Session session) {
        this.session = session;
    }

    @Command(name = "pause", description = "stop syncing the box: nothing is scanned, sent or applied until it is resumed")
    int pause(@Parameters(paramLabel = "BOX") String box) throws IOException {
        Control.BoxStatus b = session.control().pauseBox(box);
        return done(b, "paused: nothing is scanned, sent or applied until 'box resume " + b.name() + "'");
    }

    @Command(name = "resume", description = "sync the box again; what changed meanwhile on either side is looked for")
    int resume(@Parameters(paramLabel = "BOX") String box) throws IOException {
        return done(session.control().resumeBox(box), "syncing again; changes made meanwhile are being looked for");
    }

    @Command(name = "rescan", description = "compare the box with its index now")
    int rescan(@Parameters(paramLabel = "BOX") String box) throws IOException {
        Control.BoxStatus b = session.control().rescanBox(box);
        return done(b, "compared with its index; " + b.queued() + " change(s) waiting to be sent");
    }

    private int done(Control.BoxStatus b, String what) throws IOException {
        return session.answer(b, () -> "box '" + b.name() + "': " + what);
    }

    @Command(name = "add", description = "sync another folder from now on, and from the next start (a 'box =' line in the config file)")
    int add(@Parameters(paramLabel = "NAME@PATH") String spec) throws IOException {
        Control.BoxAdded added = session.control().addBox(spec);
        session.learned();
        return session.answer(added, () -> "box '" + added.name() + "' at " + added.path() + ": syncing"
                + (added.configFile() == null ? "" : "; kept in " + added.configFile()) + " (the other nodes sync it once they add a box of that name)");
    }

    @Command(name = "remove", description = "stop syncing a box (its lines leave the config file); its folder is left as it is")
    int remove(@Parameters(paramLabel = "BOX") String box) throws IOException {
        Control.BoxRemoved removed = session.control().removeBox(box);
        session.learned();
        return session.answer(removed, () -> "box '" + box + "': no longer synced here; " + removed.path() + " is left as it is" + kept(removed));
    }

    private static String kept(Control.BoxRemoved removed) {
        if (removed.configFile() == null) {
            return "";
        }
        String kept = removed.wasInConfig() ? "; its lines are gone from " + removed.configFile()
                : "; it was not in " + removed.configFile() + " (given with --box?)";
        return removed.noBoxLeft() ? kept + "; no box is left, so the next start needs --box or a 'box =' line" : kept;
    }
}
