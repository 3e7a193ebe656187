package org.flocksy.app.control;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code versions BOX PATH}, {@code versions restore BOX PATH N}: a file's stored versions. */
@Command(name = "versions", customSynopsis = "versions BOX PATH | versions restore BOX PATH N",
        description = "stored versions of a file (replaced or deleted by a peer's change), newest first; put one back")
final class VersionsCommand implements Callable<Integer> {
    private final Session session;

    @Spec
    CommandSpec spec;

    // Optional only so that 'versions restore ...' parses; without a subcommand both are needed.
    @Parameters(index = "0", arity = "0..1", paramLabel = "BOX")
    String box;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH")
    String path;

    VersionsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        if (box == null || path == null) {
            throw new ConsoleCommands.UsageException(spec);
        }
        List<Control.VersionEntry> versions = session.control().versions(box, path);
        return session.answer(versions, () -> versions.isEmpty() ? "no stored versions of " + path + " in box '" + box + "'" : Words.lines(versions
                .stream().map(v -> String.format("%3d  %s  %10d B  %s", v.n(), v.archivedAt(), v.size(), v.location())).toList()));
    }

    @Command(name = "restore", description = "put stored version N back (the file it replaces is kept as a version)")
    int restore(@Parameters(paramLabel = "BOX") String box, @Parameters(paramLabel = "PATH") String path, @Parameters(paramLabel = "N") int n)
            throws IOException {
        Control.VersionRestored restored = session.control().restoreVersion(box, path, n);
        return session.answer(restored, () -> "box '" + restored.box() + "': " + restored.path() + " is back as it was before " + restored.archivedAt()
                    + " (the file it replaced is kept as a version); it syncs like any edit");
    }
}
