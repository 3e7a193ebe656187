package org.flocksy.app.control;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.flocksy.core.control.ControlClient;
import org.flocksy.core.control.ControlException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Every command the shell and {@code flocksy ctl} take, as one picocli tree: the shell completes from it,
 * {@code help} lists it, and both run a command line through it. Errors are one line and an {@link ExitCodes
 * exit code}.
 */
@Command(name = "", subcommands = {StatusCommand.class, WatchCommand.class, BoxesCommand.class, BoxCommand.class, NodesCommand.class,
    NodeCommand.class, KeysCommand.class, ConflictsCommand.class, VersionsCommand.class, PluginsCommand.class, TrafficCommand.class,
    LogCommand.class, HelpCommand.class, ExitCommand.class})
public final class ConsoleCommands {
    private ConsoleCommands() {}

    /** The command tree for a session; its commands get the session through their constructors. */
    public static CommandLine tree(Session session) {
        CommandLine cli = new CommandLine(new ConsoleCommands(), new SessionFactory(session));
        // After the command, every word is the command's own (a key or a file name may start with '-' or '@').
        cli.setExpandAtFiles(false);
        cli.setUnmatchedOptionsArePositionalParams(true);
        cli.setOut(session.out());
        cli.setParameterExceptionHandler((e, args) -> {
            session.error(usageError(e, session));
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> failure(e, session));
        return cli;
    }

    /** Runs one command line, already split into words. */
    public static int run(Session session, List<String> words) {
        if (words.isEmpty()) {
            session.error("no command given (" + session.helpHint() + ")");
            return ExitCodes.USAGE;
        }
        return tree(session).execute(words.toArray(String[]::new));
    }

    private static int failure(Exception e, Session session) {
        if (e instanceof ControlClient.NotRunningException) {
            session.error(e.getMessage());
            return ExitCodes.NOT_RUNNING;
        }
        if (e instanceof ControlException || e instanceof UsageException) {
            session.error(e.getMessage());
            return e instanceof UsageException ? ExitCodes.USAGE : ExitCodes.FAILED;
        }
        if (e instanceof IOException) {
            session.dropConnection();
            session.error(session.interactive()
                    ? "lost the connection to the daemon: " + e.getMessage() + "; it is tried again with the next command"
                    : e.getMessage() + "; the command may or may not have run");
            return ExitCodes.FAILED;
        }
        session.error("internal error: " + e + " (please report it)");
        return ExitCodes.FAILED;
    }

    /** The one line for words the tree cannot take: an unknown command (perhaps mistyped), or a command's usage. */
    private static String usageError(CommandLine.ParameterException e, Session session) {
        CommandLine where = e.getCommandLine();
        if (where.getCommandSpec().parent() == null && e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            String word = unmatched.getUnmatched().isEmpty() ? "" : unmatched.getUnmatched().get(0);
            List<String> near = DidYouMean.among(word, where.getCommandSpec().subcommands().keySet());
            return "unknown command '" + word + "' (" + (near.isEmpty() ? session.helpHint()
                    : "did you mean " + near.stream().limit(3).map(s -> "'" + s + "'").collect(Collectors.joining(" or ")) + "?") + ")";
        }
        CommandSpec spec = where.getCommandSpec();
        if (spec.positionalParameters().isEmpty() && spec.subcommands().isEmpty() && spec.options().isEmpty()) {
            return "usage: " + spec.name() + " (it takes no arguments)";
        }
        return "usage: " + usage(spec);
    }

    /** A command's usage in one line: {@code versions BOX PATH | versions restore BOX PATH N}. */
    public static String usage(CommandSpec spec) {
        String[] custom = spec.usageMessage().customSynopsis();
        if (custom.length > 0) {
            return String.join(" ", custom).strip();
        }
        String name = qualifiedName(spec);
        if (spec.subcommands().isEmpty() || spec.userObject() instanceof Runnable
                || spec.userObject() instanceof java.util.concurrent.Callable<?>) {
            String own = (name + " " + arguments(spec)).strip();
            if (spec.subcommands().isEmpty()) {
                return own;
            }
            return own + " | " + subcommandUsages(spec);
        }
        return subcommandUsages(spec);
    }

    private static String subcommandUsages(CommandSpec spec) {
        return spec.subcommands().values().stream().map(c -> usage(c.getCommandSpec())).collect(Collectors.joining(" | "));
    }

    private static String arguments(CommandSpec spec) {
        StringBuilder args = new StringBuilder();
        spec.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp())
                .forEach(o -> args.append("[").append(o.longestName()).append(o.arity().max() > 0 ? " " + o.paramLabel() : "").append("] "));
        for (PositionalParamSpec p : spec.positionalParameters()) {
            args.append(p.arity().min() == 0 ? "[" + p.paramLabel() + "]" : p.paramLabel()).append(' ');
        }
        return args.toString().strip();
    }

    private static String qualifiedName(CommandSpec spec) {
        return spec.qualifiedName(" ").strip();
    }

    /** The words a command refuses when picocli's own checks cannot say it (they depend on each other). */
    static final class UsageException extends Exception {
        UsageException(CommandSpec spec) {
            super("usage: " + usage(spec));
        }

        UsageException(String message) {
            super(message);
        }
    }

    /** Gives every command the session (by its constructor), or nothing. */
    private record SessionFactory(Session session) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(Session.class).newInstance(session);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
