package org.flocksy.app.control;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code exit}: leaves the shell (the shell itself acts on it); the daemon keeps running. */
@Command(name = "exit", aliases = "quit", description = "leave the shell; the daemon keeps running")
final class ExitCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return ExitCodes.OK;
    }
}
