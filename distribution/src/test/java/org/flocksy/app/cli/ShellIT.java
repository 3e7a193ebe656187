package org.flocksy.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.flocksy.app.control.ExitCodes;
import org.flocksy.app.shell.Shell;
import org.flocksy.core.kernel.LocalFlock;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell and {@code flocksy ctl} against a real daemon (its node, plugins from the built installation,
 * its control socket) in this JVM; the shell over JLine's dumb terminal with scripted input.
 */
@Timeout(120)
class ShellIT {
    private static final Path PLUGINS = Path.of(System.getProperty("flocksy.dir", "target/flocksy")).toAbsolutePath().resolve("plugins");

    @TempDir
    Path dir;
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private LocalFlock.Member startDaemon() throws Exception {
        LocalFlock.Member member = LocalFlock.create(dir, 2).get(0);
        daemon = Daemon.start(member.settings(), PLUGINS, dir.resolve("home/.flocksy.d/control.sock"), dir.resolve("home/.flocksy"));
        return member;
    }

    private record Ran(int exit, String out, String err) {}

    private Ran ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine(new Main.Environment(dir.resolve("home"), null));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "ctl";
        System.arraycopy(args, 0, all, 1, args.length);
        return new Ran(cli.execute(all), out.toString(), err.toString());
    }

    @Test
    void ctlRunsOneCommandWithMeaningfulExitCodes() throws Exception {
        Ran notRunning = ctl("status");
        assertThat(notRunning.exit()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(ctl("frobnicate").exit()).as("an unknown command is a usage error, daemon or not").isEqualTo(ExitCodes.USAGE);
        assertThat(notRunning.err().strip()).startsWith("flocksy: flocksy is not running (no control socket at").doesNotContain("\n");

        LocalFlock.Member member = startDaemon();
        Ran status = ctl("status");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("node " + member.hostname(), "0 of 1 peer(s) connected");
        Ran json = ctl("boxes", "--json");
        assertThat(json.exit()).isZero();
        assertThat(new ObjectMapper().readTree(json.out()).get(0).path("name").asText()).isEqualTo("demo");
        Ran unknown = ctl("bogus");
        assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(ctl("versions", "demo", "nothing-here.txt").exit()).isZero();
        assertThat(ctl("box", "resume", "nope").exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.err().strip()).isEqualTo("flocksy: unknown command 'bogus' (try 'flocksy ctl help')");
        assertThat(ctl("status", "extra").exit()).as("a command that takes no arguments").isEqualTo(ExitCodes.USAGE);
        assertThat(ctl("conflicts", "resolve", "demo", "a.txt", "bogus").exit()).isEqualTo(ExitCodes.USAGE);
        Ran dashed = ctl("versions", "demo", "-dashed.txt", "--json");
        assertThat(dashed.exit()).as(dashed.err()).isZero();
        assertThat(new ObjectMapper().readTree(dashed.out()).isArray()).isTrue();
        Ran at = ctl("versions", "demo", "@not-an-argument-file");
        assertThat(at.exit()).as(at.err()).isZero();
        assertThat(at.out()).contains("@not-an-argument-file");
        assertThat(ctl().exit()).as("no command").isEqualTo(ExitCodes.USAGE);
        Ran plugins = ctl("plugins");
        assertThat(plugins.out()).contains("box-local", "started");
    }

    @Test
    void eachAnswerReadsAsWordsAndAsJson() throws Exception {
        LocalFlock.Member member = startDaemon();
        assertThat(ctl("help").out()).contains("status", "watch", "versions").doesNotContain("Ctrl-R");
        assertThat(ctl("help", "versions").out()).startsWith("versions BOX PATH | versions restore BOX PATH N");
        assertThat(ctl("help", "conflicts").out()).contains("keep-both    both stay as ordinary files", "--days");
        Ran typo = ctl("stauts");
        assertThat(typo.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(typo.err().strip()).isEqualTo("flocksy: unknown command 'stauts' (did you mean 'status'?)");
        assertThat(ctl("boxes").out()).contains("demo", member.box().toString(), "syncing", "resolver keep-both, backup trashcan, links copy");
        assertThat(ctl("nodes").out()).contains("not connected", "key ");
        assertThat(ctl("keys").out()).startsWith(member.hostname() + "  ");
        assertThat(ctl("traffic").out()).containsPattern("sent: \\d+ heartbeats \\(\\d+ B\\)").contains("dropped (malformed or from unknown senders): 0");
        assertThat(ctl("conflicts").out().strip()).isEqualTo("no conflicts");
        assertThat(ctl("plugins").out()).contains("conflict-newest", "provides resolver newest");
        assertThat(ctl("log", "200").out()).contains("control socket at");
        assertThat(ctl("log", "warn", "3", "--json").exit()).isZero();
        assertThat(ctl("log", "3", "noisy").exit()).isEqualTo(ExitCodes.USAGE);
        Ran paused = ctl("box", "pause", "demo");
        assertThat(paused.out().strip()).isEqualTo("box 'demo': paused: nothing is scanned, sent or applied until 'box resume demo'");
        assertThat(ctl("box", "resume", "demo").out()).contains("syncing again");
        Ran added = ctl("node", "add", "tcp://10.9.9.9:5671", "Yne@$w-vo<fVvi]a<NY6T7ed:Cbmw(vbIq(qc(5M");
        assertThat(added.out()).contains("tcp://10.9.9.9:5671: added its key to ", "added 'node = tcp://10.9.9.9:5671' to ", "restart flocksy");
        assertThat(ctl("node", "add", "tcp://10.9.9.9:5671", "Yne@$w-vo<fVvi]a<NY6T7ed:Cbmw(vbIq(qc(5M").out().strip())
                .isEqualTo("tcp://10.9.9.9:5671 is already a node with this key");
        Files.writeString(member.box().resolve("plan.txt"), "ours");
        Files.writeString(member.box().resolve("plan.sync-conflict-20261125-120000-abcdef0.txt"), "theirs");
        // Listed once synced (ControlServerTest, with a peer); shown and settled from the disk here.
        assertThat(ctl("conflicts", "show", "demo", "plan.sync-conflict-20261125-120000-abcdef0.txt").out())
                .contains("the file    plan.txt: 4 B, modified ", "the copy    plan.sync-conflict-20261125-120000-abcdef0.txt: 6 B");
        assertThat(ctl("conflicts", "resolve", "demo", "plan.sync-conflict-20261125-120000-abcdef0.txt", "keep-both").out())
                .contains("settled (keep-both), now plan (conflict abcdef0).txt");
    }

    @Test
    void theShellRunsCommandsSurvivesBadInputAndADaemonThatGoes() throws Exception {
        startDaemon();
        PipedOutputStream typing = new PipedOutputStream();
        PipedInputStream keyboard = new PipedInputStream(typing, 1 << 16);
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        Path history = dir.resolve("home/.flocksy.d/history");
        AtomicInteger exit = new AtomicInteger(-1);
        Thread shell = new Thread(() -> {
            try (DumbTerminal terminal = new DumbTerminal("test", "dumb", keyboard, screen, StandardCharsets.UTF_8);
                 Shell s = new Shell(terminal, daemon.socket(), history)) {
                exit.set(s.run());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "shell-under-test");
        shell.start();
        try {
            type(typing, "status");
            await().atMost(Duration.ofSeconds(20)).until(() -> screen.toString(StandardCharsets.UTF_8).contains("peer(s) connected"));
            type(typing, "frobnicate");
            type(typing, "versions demo");
            type(typing, "help conflicts");
            type(typing, "help frobnicate");
            type(typing, "node add tcp://10.9.9.9:5671 Yne@$w-vo<fVvi]a<NY6T7ed:Cbmw(vbIq(qc(5M");
            type(typing, "n");
            await().atMost(Duration.ofSeconds(20)).until(() -> screen.toString(StandardCharsets.UTF_8).contains("not added"));
            String text = screen.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("error: unknown command 'frobnicate' (try 'help')", "error: usage: versions BOX PATH",
                    "error: no command 'frobnicate' (try 'help')",
                    "keep-local   the file that kept the name stays");
            assertThat(text).as("colours degrade on a dumb terminal").doesNotContain("\u001b[");

            daemon.close();
            daemon = null;
            type(typing, "boxes");
            await().atMost(Duration.ofSeconds(20)).until(() -> screen.toString(StandardCharsets.UTF_8)
                    .matches("(?s).*error: (lost the connection to the daemon|flocksy is not running).*"));
            type(typing, "status");
            await().atMost(Duration.ofSeconds(20)).until(() -> screen.toString(StandardCharsets.UTF_8).contains("error: flocksy is not running"));
            type(typing, "exit");
            shell.join(10_000);
            assertThat(exit.get()).isZero();
            assertThat(Files.readAllLines(history)).anyMatch(l -> l.contains("status")).anyMatch(l -> l.contains("frobnicate"))
                    .as("the answer to a question is not a command").noneMatch(l -> l.endsWith(":n"));
        } finally {
            typing.close();
            shell.join(10_000);
        }
    }

    private static void type(PipedOutputStream typing, String line) throws Exception {
        typing.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        typing.flush();
    }
}
