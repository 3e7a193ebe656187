package org.flocksy.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.flocksy.app.shell.Shell;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code flocksy shell}: the interactive shell, attached to the running daemon or (with {@code --start}) to its own. */
@Command(name = "shell", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        description = {"Watches and steers a running flocksy: status, boxes, peers, conflicts, versions, plugins, traffic, log.",
            "With --start, runs the daemon in this process (same flags and config as 'flocksy') until the shell ends."})
final class ShellCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    FlocksyCommand parent;

    @Option(names = "--start", description = "Start the daemon in this process (with the flags given to flocksy before 'shell').")
    boolean start;

    private final Main.Environment env;

    ShellCommand(Main.Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Daemon daemon = start ? parent.startDaemon(parent.daemonSettings()) : null;
        // The daemon's log lines would land on the prompt: in the shell they are read with 'log'.
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var console = start ? root.getAppender("ERR") : null;
        if (console != null) {
            root.detachAppender(console);
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).name("flocksy").build()) {
            Path history = env.home().resolve(".flocksy.d").resolve("history");
            Files.createDirectories(history.getParent());
            try (Shell shell = new Shell(terminal, parent.controlSocket(), history)) {
                return shell.run();
            }
        } finally {
            if (console != null) {
                root.addAppender(console);
            }
            if (daemon != null) {
                daemon.close();
            }
        }
    }
}
