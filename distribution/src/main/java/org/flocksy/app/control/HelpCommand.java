package org.flocksy.app.control;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code help [COMMAND]}: the commands as the tree declares them; needs no daemon. */
@Command(name = "help", description = "the commands, or one command in detail")
final class HelpCommand implements Callable<Integer> {
    /** The keys the shell's line editor knows, for the list in the shell. */
    static final String KEYS = "keys: Tab completes commands, boxes, peers and paths; Up/Down and Ctrl-R search the history;"
            + " Ctrl-L clears the screen; Ctrl-C drops the line; Ctrl-D or 'exit' leaves";

    private final Session session;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "COMMAND")
    String command;

    HelpCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        CommandSpec root = spec.root();
        if (command != null) {
            CommandLine c = root.subcommands().get(command);
            if (c == null) {
                throw new ConsoleCommands.UsageException("no command '" + command + "' (" + session.helpHint() + ")");
            }
            StringBuilder text = new StringBuilder(ConsoleCommands.usage(c.getCommandSpec()));
            for (String line : c.getCommandSpec().usageMessage().description()) {
                text.append("\n  ").append(line);
            }
            c.getSubcommands().forEach((name, sub) -> text.append("\n  ").append(String.format("%-10s %s", name, first(sub.getCommandSpec()))));
            session.out().println(text);
            return ExitCodes.OK;
        }
        StringBuilder text = new StringBuilder();
        root.subcommands().forEach((name, c) -> {
            if (c.getCommandSpec().name().equals(name)) {
                text.append(session.bold(name)).append(pad(name)).append(' ').append(first(c.getCommandSpec())).append('\n');
            }
        });
        if (session.interactive()) {
            text.append(KEYS);
        }
        session.out().println(text.toString().stripTrailing());
        return ExitCodes.OK;
    }

    /** Bold text is wider in characters than on screen: pad by what the name lacks. */
    private static String pad(String name) {
        return " ".repeat(Math.max(0, 10 - name.length()));
    }

    private static String first(CommandSpec spec) {
        String[] description = spec.usageMessage().description();
        return description.length == 0 ? "" : description[0];
    }
}
