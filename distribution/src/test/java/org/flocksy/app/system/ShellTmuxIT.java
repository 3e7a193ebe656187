package org.flocksy.app.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.crypto.CurveKeyPair;
import org.flocksy.core.kernel.LocalFlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flocksy shell} in a real terminal (a tmux pane) against a real {@code bin/flocksy} daemon:
 * typed commands, Tab completion, the status line and the screen read back as a user sees it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ShellTmuxIT {
    @Test
    void aUserTypesCompletesAndReadsTheScreen(@TempDir Path dir) throws Exception {
        assumeTrue(runs("tmux", "-V"), "tmux is not installed");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path box = Files.createDirectories(home.resolve("shared"));
        Files.writeString(box.resolve("readme.txt"), "hello");
        List<Integer> ports = LocalFlock.freePorts(2);
        String me = "tcp://127.0.0.1:" + ports.get(0);
        String peer = "tcp://127.0.0.1:" + ports.get(1);
        CurveKeyPair mine = CurveKeyPair.generate();
        CurveKeyPair theirs = CurveKeyPair.generate();
        Map<String, String> keystore = new LinkedHashMap<>();
        keystore.put(me, mine.publicKey());
        keystore.put(peer, theirs.publicKey());
        KeyFiles.writePrivateKeys(home.resolve(".ssh/flocksy_privatekeys"), Map.of(me, mine));
        KeyFiles.writeKeystore(home.resolve(".ssh/flocksy_keystore"), keystore);
        Files.writeString(home.resolve(".flocksy"), "hostname = " + me + "\nnode = " + peer + "\nbox = demo@" + box + "\n");
        Path peerHome = Files.createDirectories(dir.resolve("peer"));
        Path peerBox = Files.createDirectories(peerHome.resolve("shared"));
        KeyFiles.writePrivateKeys(peerHome.resolve(".ssh/flocksy_privatekeys"), Map.of(peer, theirs));
        KeyFiles.writeKeystore(peerHome.resolve(".ssh/flocksy_keystore"), keystore);
        Files.writeString(peerHome.resolve(".flocksy"), "hostname = " + peer + "\nnode = " + me + "\nbox = demo@" + peerBox + "\n");

        Path log = home.resolve("daemon.log");
        Process daemon = Flocksy.builder(home).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Process other = null;
        String server = "flocksy-it-" + ProcessHandle.current().pid();
        boolean passed = false;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("control socket at"));
            String shell = "env HOME=" + home + " JAVA_OPTS=-Djava.io.tmpdir=" + home + " " + Flocksy.LAUNCHER + " shell";
            tmux(server, "new-session", "-d", "-s", "flocksy", "-x", "160", "-y", "40", shell);
            awaitScreen(server, "flocksy>", 60);

            keys(server, "help", "Enter");
            awaitScreen(server, "Ctrl-R search", 20);
            keys(server, "stauts", "Enter");
            awaitScreen(server, "unknown command 'stauts' (did you mean 'status'?)", 20);

            keys(server, "status", "Enter");
            awaitScreen(server, "node " + me, 20);
            assertThat(screen(server)).contains("0 of 1 peer(s) connected", peer, "not connected");


            // Tab completes the subcommand, then the box name.
            keys(server, "box pa", "Tab");
            awaitScreen(server, "flocksy> box pause", 10);
            keys(server, "d", "Tab");
            awaitScreen(server, "box pause demo", 10);
            keys(server, "Enter");
            awaitScreen(server, "box 'demo': paused", 20);

            keys(server, "versions demo read", "Tab");
            awaitScreen(server, "versions demo readme.txt", 10);
            keys(server, "Enter");
            awaitScreen(server, "no stored versions of readme.txt", 20);

            // A transfer in progress shows as a bar in the status line below the prompt.
            keys(server, "box resume demo", "Enter");
            awaitScreen(server, "syncing again", 20);
            other = Flocksy.builder(peerHome).redirectErrorStream(true).redirectOutput(peerHome.resolve("daemon.log").toFile()).start();
            Process started = other;
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(peerHome.resolve("daemon.log"))
                    && Files.readString(peerHome.resolve("daemon.log")).contains("(1/1 connected)"));
            // watch redraws status in place until a key: the age of the peer's last heartbeat changes, nothing scrolls.
            keys(server, "C-l");
            keys(server, "watch", "Enter");
            awaitScreen(server, "(any key ends watch)", 20);
            String first = screen(server);
            await().atMost(Duration.ofSeconds(20)).until(() -> !screen(server).equals(first));
            assertThat(screen(server)).containsOnlyOnce("(any key ends watch)").containsOnlyOnce("node " + me);
            keys(server, "q");
            awaitScreen(server, "(any key ends watch)\nflocksy>", 10);
            byte[] big = new byte[4 * 1024 * 1024];
            new Random(4).nextBytes(big);
            Files.write(peerBox.resolve("big.bin"), big);
            // Before its file frames start, the run says when they will (not a full bar at 0 B/s).
            awaitScreen(server, "receiving 'demo' (4.0 MiB): starts in", 90);
            awaitScreen(server, "receiving 'demo' [", 30);
            assertThat(screen(server)).containsPattern("receiving 'demo' \\[#*\\.*\\] +\\d+ %  .* of 4\\.0 MiB  .*/s  ETA");
            // Ctrl-L while the bar shows: the screen is cleared, the prompt and the bar stay.
            keys(server, "C-l");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                String shown = screen(server);
                return shown.strip().startsWith("flocksy>") && shown.contains("receiving 'demo' [");
            });
            List<String> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                seen.add(screen(server));
                return Files.exists(box.resolve("big.bin")) && Files.size(box.resolve("big.bin")) == big.length;
            });
            assertThat(seen).as("the rate is never negative").noneMatch(shown -> shown.matches("(?s).*-\\d+(\\.\\d)? (B|KiB|MiB)/s.*"));
            assertThat(started.isAlive()).isTrue();
            // Once the run is over the status line goes, and the prompt is still there.
            await().atMost(Duration.ofSeconds(30)).until(() -> !screen(server).contains("receiving 'demo'"));
            assertThat(screen(server)).contains("flocksy>");

            keys(server, "log --follow", "Enter");
            awaitScreen(server, "control socket at", 20);
            keys(server, "q");
            keys(server, "keys", "Enter");
            awaitScreen(server, me + "  ", 20);

            keys(server, "nonsense", "Enter");
            awaitScreen(server, "unknown command 'nonsense'", 20);
            keys(server, "exit", "Enter");
            await().atMost(Duration.ofSeconds(20)).until(() -> !runs("tmux", "-L", server, "has-session", "-t", "flocksy"));
            passed = true;
        } finally {
            if (!passed) {
                // The daemons' own words are what tells a failure here apart from a slow machine.
                System.out.println("--- this node's log:\n" + Files.readString(log));
                if (Files.exists(peerHome.resolve("daemon.log"))) {
                    System.out.println("--- the peer's log:\n" + Files.readString(peerHome.resolve("daemon.log")));
                }
            }
            runs("tmux", "-L", server, "kill-server");
            if (other != null) {
                other.destroy();
                if (!other.waitFor(10, TimeUnit.SECONDS)) {
                    other.destroyForcibly();
                }
            }
            daemon.destroy();
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        assertThat(daemon.exitValue()).isZero();
    }

    /** Waits until the pane shows {@code text}; a timeout shows the pane. */
    private static void awaitScreen(String server, String text, int seconds) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(seconds)).until(() -> screen(server).contains(text));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the screen never showed '" + text + "':\n" + screen(server), e);
        }
    }

    private static String screen(String server) throws Exception {
        return tmux(server, "capture-pane", "-p", "-t", "flocksy");
    }

    private static void keys(String server, String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "flocksy"));
        args.addAll(List.of(keys));
        tmux(server, args.toArray(String[]::new));
    }

    private static String tmux(String server, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", server));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("tmux " + String.join(" ", args) + ": " + out);
            }
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
