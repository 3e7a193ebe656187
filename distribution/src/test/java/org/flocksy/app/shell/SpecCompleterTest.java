package org.flocksy.app.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flocksy.app.control.ConsoleCommands;
import org.flocksy.app.control.Session;
import org.flocksy.app.control.Words;
import org.jline.reader.Candidate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Completion from the command tree: commands, subcommands, box names, peers, plugins, resolutions, levels, paths in a box. */
class SpecCompleterTest {
    @TempDir
    Path box;
    private SpecCompleter completer;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(box.resolve("notes/deeper"));
        Files.writeString(box.resolve("notes/a.txt"), "a");
        Files.writeString(box.resolve("top.txt"), "t");
        Files.createDirectories(box.resolve(".flocksy/versions"));
        Session nobody = Session.forScripts(box.resolve("no.sock"), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
        completer = new SpecCompleter(ConsoleCommands.tree(nobody).getCommandSpec(),
                () -> new Known(Map.of("docs", box), List.of("tcp://10.0.0.2:5671"), List.of("watcher-poll")));
    }

    private List<String> values(String... words) {
        List<String> line = List.of(words);
        return completer.candidates(line, line.size() - 1, line.get(line.size() - 1)).stream().map(Candidate::value).toList();
    }

    @Test
    void commandsAndSubcommands() {
        assertThat(values("")).contains("status", "watch", "boxes", "box", "nodes", "node", "keys", "conflicts", "versions", "plugins", "traffic",
                "log", "help", "exit").doesNotContain("quit");
        // JLine sorts the menu it shows; the set is what the tree declares.
        assertThat(values("box", "")).containsExactlyInAnyOrder("pause", "resume", "rescan", "add", "remove");
        assertThat(values("conflicts", "")).containsExactlyInAnyOrder("show", "resolve");
        assertThat(values("conflicts", "-")).contains("--days");
        assertThat(values("plugins", "")).containsExactlyInAnyOrder("enable", "disable");
        assertThat(values("help", "")).contains("versions", "traffic");
        assertThat(values("log", "")).contains("WARN", "ERROR");
        assertThat(values("status", "")).isEmpty();
    }

    @Test
    void boxNamesPeersPluginsAndResolutions() {
        assertThat(values("box", "pause", "")).containsExactly("docs");
        assertThat(values("versions", "")).contains("restore", "docs");
        assertThat(values("versions", "restore", "")).containsExactly("docs");
        assertThat(values("node", "add", "")).containsExactly("tcp://10.0.0.2:5671");
        assertThat(values("plugins", "disable", "")).containsExactly("watcher-poll");
        assertThat(values("conflicts", "resolve", "docs", "a.sync-conflict-x.txt", "")).containsExactly("keep-local", "take-remote", "keep-both");
    }

    @Test
    void pathsInsideABoxFolderByFolder() {
        assertThat(values("versions", "docs", "")).containsExactly("notes/", "top.txt");
        assertThat(values("versions", "docs", "notes/")).containsExactly("notes/a.txt", "notes/deeper/");
        assertThat(values("versions", "restore", "docs", "notes/a")).containsExactly("notes/a.txt", "notes/deeper/");
        assertThat(values("conflicts", "show", "docs", "")).containsExactly("notes/", "top.txt");
        assertThat(values("versions", "docs", "../")).as("never outside the box").isEmpty();
        assertThat(values("versions", "nobox", "")).isEmpty();
    }

    @Test
    void theProgressBarSaysHowFarHowFastAndHowLong() {
        assertThat(Words.bar("receiving", "docs", 512 * 1024, 1024 * 1024, 256 * 1024))
                .isEqualTo("receiving 'docs' [############............]  50 %  512.0 KiB of 1.0 MiB  256.0 KiB/s  ETA 2 s");
        assertThat(Words.bar("sending", "docs", 0, 4096, 0)).contains("0 %", "ETA ?");
    }
}
