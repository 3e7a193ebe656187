package org.flocksy.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Console;
import org.flocksy.core.control.ControlClient;
import org.flocksy.core.control.ControlServer;
import org.flocksy.core.control.Reply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flocksy ctl COMMAND [ARGS] [--json]}: one shell command against the running daemon, for scripts. */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = {"Runs one shell command (see 'flocksy ctl help') in the running daemon and prints its answer.",
            "Exit codes: 0 done, 1 the command failed (or got no answer), 2 bad usage or unknown command, 3 flocksy is not running."})
final class CtlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the answer as JSON.")
    boolean json;

    @Option(names = "--control", paramLabel = "SOCKET", description = "The daemon's control socket (default ~/.flocksy.d/control.sock).")
    Path control;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "A shell command and its arguments, e.g. status, versions docs notes.txt")
    List<String> words = new ArrayList<>();

    private final Main.Environment env;

    CtlCommand(Main.Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path socket = control != null ? control : ControlServer.defaultPath(env.home());
        // Everything after the command is its arguments (a key or a file name may start with '-'), but for --json.
        words = new ArrayList<>(words);
        json |= words.removeIf("--json"::equals);
        if (words.isEmpty()) {
            err.println("flocksy: no command given (try 'flocksy ctl help')");
            return ExitCodes.USAGE;
        }
        if (Console.command(words.get(0)).isEmpty()) {
            err.println("flocksy: unknown command '" + words.get(0) + "' (try 'flocksy ctl help')");
            return ExitCodes.USAGE;
        }
        Reply reply;
        if (words.get(0).equals("help")) {
            try {
                reply = Console.help(words.subList(1, words.size()));
            } catch (IllegalArgumentException e) {
                reply = Reply.failed(e.getMessage());
            }
        } else {
            try (ControlClient client = ControlClient.connect(socket)) {
                reply = client.call(words);
            } catch (ControlClient.NotRunningException e) {
                err.println("flocksy: " + e.getMessage());
                return ExitCodes.NOT_RUNNING;
            } catch (IOException e) {
                // Sent, but no answer: the command may or may not have run.
                err.println("flocksy: " + e.getMessage() + "; the command may or may not have run");
                return ExitCodes.FAILED;
            }
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(reply.data()));
        } else if (reply.ok()) {
            if (!reply.text().isEmpty()) {
                out.println(reply.text());
            }
        }
        if (!reply.ok()) {
            err.println("flocksy: " + reply.text());
            boolean usage = reply.text().startsWith("usage:") || reply.text().startsWith("no command");
            return usage ? ExitCodes.USAGE : ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }
}
