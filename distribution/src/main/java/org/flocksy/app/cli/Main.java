package org.flocksy.app.cli;

import java.nio.file.Path;
import org.flocksy.app.control.ExitCodes;
import picocli.CommandLine;

/** Entry point of {@code bin/flocksy}. The only place that calls {@code System.exit}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(commandLine(Environment.fromSystem()).execute(args));
    }

    /** The whole command tree, with errors turned into one-line messages and exit codes. */
    public static CommandLine commandLine(Environment env) {
        CommandLine cli = new CommandLine(new FlocksyCommand(env));
        cli.addSubcommand("demo", new CommandLine(new DemoCommand(env)));
        cli.addSubcommand("shell", new CommandLine(new ShellCommand(env)));
        // After the command, every word is the command's own (a key or a file name may start with '-').
        cli.addSubcommand("ctl", new CommandLine(new CtlCommand(env)).setStopAtPositional(true));
        // '@file' would read arguments from a file: a box or key that starts with '@' is meant as it is.
        cli.setExpandAtFiles(false);
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("flocksy: " + e.getMessage() + " (see flocksy --help)");
            return ExitCodes.USAGE;
        });
        return cli;
    }

    /** What the process gets from outside: home directory and installation directory. */
    public record Environment(Path home, Path installation) {
        static Environment fromSystem() {
            String home = System.getenv("HOME");
            String installation = System.getProperty("flocksy.home");
            return new Environment(Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home")),
                    installation == null ? null : Path.of(installation));
        }

        Path pluginsDir() {
            return installation == null ? Path.of("plugins") : installation.resolve("plugins");
        }
    }
}
