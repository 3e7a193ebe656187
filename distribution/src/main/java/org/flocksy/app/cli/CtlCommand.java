package org.flocksy.app.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.flocksy.app.control.ConsoleCommands;
import org.flocksy.app.control.Session;
import org.flocksy.core.control.ControlServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flocksy ctl COMMAND [ARGS] [--json]}: one shell command against the running daemon, for scripts. */
@Command(name = "ctl", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        description = {"Runs one shell command (see 'flocksy ctl help') in the running daemon and prints its answer.",
            "Exit codes: 0 done, 1 the command failed (or got no answer), 2 bad usage or unknown command, 3 flocksy is not running."})
final class CtlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the answer as JSON.")
    boolean json;

    @Option(names = "--control", paramLabel = "SOCKET", description = "The daemon's control socket (default ~/.flocksy.d/control.sock).")
    Path control;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A shell command and its arguments, e.g. status, versions docs notes.txt")
    List<String> words = new ArrayList<>();

    private final Main.Environment env;

    CtlCommand(Main.Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        Path socket = control != null ? control : ControlServer.defaultPath(env.home());
        // Everything after the command is its arguments (a key or a file name may start with '-'), but for --json.
        List<String> command = new ArrayList<>(words);
        json |= command.removeIf("--json"::equals);
        try (Session session = Session.forScripts(socket, spec.commandLine().getOut(), spec.commandLine().getErr(), json)) {
            return ConsoleCommands.run(session, command);
        }
    }
}
