package org.flocksy.app.cli;

import org.flocksy.app.control.ExitCodes;
import org.flocksy.core.config.ConfigException;
import picocli.CommandLine;

/** Configuration errors become one line and exit code 2; anything else is a defect and says so. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (e instanceof ConfigException) {
            cli.getErr().println("flocksy: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        cli.getErr().println("flocksy: internal error: " + e + " (please report it)");
        e.printStackTrace(cli.getErr());
        return ExitCodes.INTERNAL;
    }
}
