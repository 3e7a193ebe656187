package org.flocksy.app.control;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conflicts}, {@code conflicts show}, {@code conflicts resolve}: the conflict copies, and settling them. */
@Command(name = "conflicts", description = {"conflict copies: list them (and the conflicts settled on their own lately), compare one with its file, settle it",
    "  keep-local   the file that kept the name stays; the conflict copy goes to the versions (if the box keeps any)",
    "  take-remote  the conflict copy takes the name; the file that had it goes to the versions",
    "  keep-both    both stay as ordinary files: the copy is renamed NAME (conflict WRITER).EXT"})
final class ConflictsCommand implements Callable<Integer> {
    private final Session session;

    @Spec
    CommandSpec spec;

    @Option(names = "--days", paramLabel = "N", description = "how far back settled conflicts are listed (default 7)")
    int days = 7;

    ConflictsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        Control.Conflicts conflicts = session.control().conflicts(days);
        return session.answer(conflicts, () -> words(conflicts));
    }

    private String words(Control.Conflicts conflicts) {
        StringBuilder text = new StringBuilder();
        for (Control.ConflictCopy c : conflicts.copies()) {
            text.append(c.box()).append("  ").append(c.copy()).append("  (a version of ").append(c.file()).append(")\n");
        }
        if (conflicts.copies().isEmpty()) {
            text.append("no conflicts\n");
        }
        if (!conflicts.settled().isEmpty()) {
            text.append("settled on their own in the last ").append(days).append(" day(s):").append(System.lineSeparator());
            for (Control.SettledConflict s : conflicts.settled()) {
                text.append(String.format("  %s  %s  %s: %s's version kept the name, %s's %s (%s)%n", Words.when(s.atMs()), s.box(), s.path(),
                        Words.shortId(s.winner()), Words.shortId(s.loser()), lost(s), s.rule()));
            }
        }
        return text.toString().stripTrailing();
    }

    private static String lost(Control.SettledConflict s) {
        if (s.keptAs().isEmpty()) {
            return "deletion was undone";
        }
        return s.keptAs().equals("versions") ? "went to the versions" : "is kept as " + s.keptAs();
    }

    @Command(name = "show", description = "a conflict copy beside the file it is a version of")
    int show(@Parameters(paramLabel = "BOX") String box, @Parameters(paramLabel = "PATH") String copy) throws IOException {
        Control.ConflictPair pair = session.control().showConflict(box, copy);
        return session.answer(pair, () -> describe("the file    ", pair.file()) + "\n" + describe("the copy    ", pair.copy()));
    }

    private static String describe(String label, Control.FileFacts f) {
        return f.exists() ? String.format("%s%s: %d B, modified %s", label, f.path(), f.size(), Words.when(f.modifiedMs()))
                : label + f.path() + ": not there";
    }

    @Command(name = "resolve", description = "settle a conflict copy: keep-local, take-remote or keep-both")
    int resolve(@Parameters(paramLabel = "BOX") String box, @Parameters(paramLabel = "PATH") String copy,
                @Parameters(paramLabel = "RESOLUTION", completionCandidates = Resolutions.class) String resolution) throws Exception {
        if (!Control.RESOLUTIONS.contains(resolution)) {
            throw new ConsoleCommands.UsageException(spec.subcommands().get("resolve").getCommandSpec());
        }
        Control.ConflictSettled settled = session.control().resolveConflict(box, copy, resolution);
        return session.answer(settled, () -> "box '" + settled.box() + "': " + settled.copy() + " settled (" + settled.resolution() + ")"
                    + (settled.keptAs() == null ? "" : ", now " + settled.keptAs()) + "; the change syncs like any edit");
    }

    /** What {@code conflicts resolve} takes, for completion. */
    static final class Resolutions implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Control.RESOLUTIONS.iterator();
        }
    }
}
