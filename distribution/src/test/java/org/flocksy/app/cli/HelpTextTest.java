package org.flocksy.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code flocksy --help} and its commands' help read as whole sentences, every path in one piece. */
class HelpTextTest {
    @TempDir
    Path home;

    private String help(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine(new Main.Environment(home, null));
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute(args)).isZero();
        return out.toString();
    }

    @Test
    void theCommandListShowsWholeSentences() {
        String help = help("--help");
        assertThat(help).contains("  demo   Starts three nodes on this machine and shows a file reaching the other two.",
                "  shell  Watches and steers a running flocksy", "  ctl    Runs one shell command");
        String commands = help.substring(help.indexOf("Commands:"), help.indexOf("Files:"));
        // Each command's summary ends its sentence; none stops mid-way ("writes a file into").
        assertThat(commands.replaceAll("\\n {5,}", " ").lines().skip(1).filter(l -> !l.isBlank())).allMatch(l -> l.strip().endsWith("."));
    }

    @Test
    void pathsAreNotBrokenAcrossLines() {
        for (String[] args : new String[][] {{"--help"}, {"demo", "--help"}, {"shell", "--help"}, {"ctl", "--help"}}) {
            String help = help(args);
            assertThat(help).doesNotContain("~/.\n").doesNotContainPattern("~/\\.\\s+\\n");
            assertThat(help.lines()).allMatch(l -> l.length() <= 100);
        }
        assertThat(help("--help")).contains("~/.ssh/flocksy_keystore", "~/.ssh/flocksy_privatekeys", "~/.flocksy.d/control.sock");
    }
}
