package org.flocksy.core.ignore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code .flocksyignore} follows gitignore: examples from git's documentation, then git itself as the oracle. */
class IgnoreRulesTest {
    @TempDir
    Path dir;

    private static IgnoreRules rules(String... lines) throws IOException {
        return IgnoreRules.parse(List.of(lines), "test");
    }

    @ParameterizedTest(name = "{0} vs {1} (dir {2}) -> {3}")
    @CsvSource({
            "*.log,          a.log,            false, true",
            "*.log,          deep/in/b.log,    false, true",
            "*.log,          a.log.txt,        false, false",
            "/top.txt,       top.txt,          false, true",
            "/top.txt,       sub/top.txt,      false, false",
            "doc/frotz,      doc/frotz,        false, true",
            "doc/frotz,      a/doc/frotz,      false, false",
            "frotz/,         a/frotz,          true,  true",
            "frotz/,         a/frotz,          false, false",
            "frotz/,         a/frotz/inside,   false, true",
            "**/foo,         foo,              false, true",
            "**/foo,         x/y/foo,          false, true",
            "abc/**,         abc/x/y,          false, true",
            "abc/**,         abc,              true,  false",
            "a/**/b,         a/b,              false, true",
            "a/**/b,         a/x/y/b,          false, true",
            "a/*/b,          a/x/y/b,          false, false",
            "?.txt,          a.txt,            false, true",
            "?.txt,          ab.txt,           false, false",
            "[ab].txt,       b.txt,            false, true",
            "[!ab].txt,      b.txt,            false, false",
            "[!ab].txt,      c.txt,            false, true",
            "\\#hash,        #hash,            false, true",
            "\\!bang,        !bang,            false, true",
            "x*,             y/x/z,            false, true",
    })
    void gitignoreExamples(String pattern, String path, boolean directory, boolean ignored) throws IOException {
        assertThat(rules(pattern).ignores(path, directory)).isEqualTo(ignored);
    }

    @Test
    void theLastMatchingRuleDecidesButAnIgnoredDirectoryKeepsItsChildren() throws IOException {
        IgnoreRules r = rules("# comment", "", "*.log", "!keep.log", "build/", "!build/keep.txt", "trailing.txt   ");
        assertThat(r.ignores("a.log", false)).isTrue();
        assertThat(r.ignores("x/keep.log", false)).isFalse();
        assertThat(r.ignores("build/keep.txt", false)).as("git cannot re-include below an excluded directory").isTrue();
        assertThat(r.ignores("trailing.txt", false)).isTrue();
        assertThat(r.ignores("# comment", false)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {".DS_Store", "a/Thumbs.db", "._photo.jpg", "~$report.docx", ".~lock.sheet.ods#", "x/.notes.txt.swp",
            "big.iso.part", "movie.crdownload", "draft.txt~", "$RECYCLE.BIN/x", ".#emacs-lock"})
    void operatingSystemAndEditorJunkIsIgnoredByDefault(String path) throws IOException {
        assertThat(IgnoreRules.builtIn().ignores(path, false)).isTrue();
        assertThat(rules("!" + path.substring(path.lastIndexOf('/') + 1)).ignores(path, false) && !path.contains("$RECYCLE"))
                .as("a rule in the file takes a built-in one back").isFalse();
    }

    @Test
    void aMissingFileMeansBuiltInsOnlyAndABadLineNamesFileAndLine() throws IOException {
        assertThat(IgnoreRules.load(dir).ignores("a.txt", false)).isFalse();
        assertThat(IgnoreRules.load(dir).ignores(".DS_Store", false)).isTrue();
        Files.writeString(dir.resolve(IgnoreRules.FILE_NAME), "ok\nbad\\\n");
        assertThatThrownBy(() -> IgnoreRules.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(IgnoreRules.FILE_NAME + ":2").hasMessageContaining("bad\\");
    }

    private static final String[] DIRS = {"a", "b", "sub", ".hidden", "x y"};
    private static final String[] FILES = {"c.txt", "d.log", "keep.log", "ab.txt", "e", "f.md", "[x].txt"};
    private static final String[] PATTERNS = {"*.txt", "*.log", "a", "a/", "/a", "b/", "a*", "?.txt", "[ab]*", "[!a]*.txt",
            "**/keep.log", "a/**", "sub/*/c.txt", "a/**/d.log", "!keep.log", "!c.txt", "!/a", "e", "/e", "sub", "**/sub/",
            ".*", "x y/", "\\[x].txt", "*/c.txt", "!*/f.md", "f.*", "!sub/", "x y/*", "/*.md", "a/*", "!a/k*"};

    @Test
    void aPeersPatternCannotBacktrackAndItsFileIsBounded(@TempDir Path box) throws Exception {
        // Twelve stars before a class: a backtracking matcher tries some 10^15 ways on a name of 100 letters.
        IgnoreRules rules = IgnoreRules.parse(List.of("*a*a*a*a*a*a*a*a*a*a*a*a*[b]"), "peer's .flocksyignore");
        String name = "a".repeat(100);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertThat(rules.ignores("docs/" + name, false)).isFalse();
            assertThat(rules.ignores("docs/" + name + "b", false)).isTrue();
        }, "the match hung: the matcher backtracks");

        Files.writeString(box.resolve(IgnoreRules.FILE_NAME), "#".repeat(IgnoreRules.FILE_BYTES_MAX + 1));
        assertThatThrownBy(() -> IgnoreRules.load(box)).hasMessage(box.resolve(IgnoreRules.FILE_NAME) + ": larger than 64 KiB, not an ignore file");
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= IgnoreRules.RULES_MAX; i++) {
            many.add("name" + i);
        }
        assertThatThrownBy(() -> IgnoreRules.parse(many, "f")).hasMessage("f:1001: more than 1000 rules in one ignore file");
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i <= IgnoreRules.PATTERN_RULES_MAX; i++) {
            patterns.add("a*" + i + "*b");
        }
        assertThatThrownBy(() -> IgnoreRules.parse(patterns, "f"))
                .hasMessage("f:101: more than 100 rules with wildcards inside, classes or ** in one ignore file");
        assertThat(IgnoreRules.parse(patterns.subList(0, IgnoreRules.PATTERN_RULES_MAX), "f").ignores("a7c", false)).isFalse();
        assertThat(IgnoreRules.parse(patterns.subList(0, IgnoreRules.PATTERN_RULES_MAX), "f").ignores("a-7-b", false)).isTrue();
        // A class RE2/J cannot compile is a bad line of the file, not an exception that escapes the box.
        assertThatThrownBy(() -> IgnoreRules.parse(List.of("fine", "[z-a]"), "f")).isInstanceOf(IOException.class)
                .hasMessageStartingWith("f:2: not a valid pattern '[z-a]'");
        Files.write(box.resolve(IgnoreRules.FILE_NAME), new byte[] {'a', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> IgnoreRules.load(box)).hasMessageEndingWith(": not UTF-8 text");
    }

    @Test
    void agreesWithGitOnRandomTreesAndRules() throws Exception {
        assumeTrue(gitWorks(), "git is not installed");
        Random random = new Random(7);
        for (int round = 0; round < 25; round++) {
            Path repo = Files.createDirectories(dir.resolve("repo" + round));
            run(repo, "git", "init", "-q");
            List<String> lines = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
                lines.add(PATTERNS[random.nextInt(PATTERNS.length)]);
            }
            Set<String> files = new TreeSet<>();
            for (int i = 0; i < 25; i++) {
                StringBuilder path = new StringBuilder();
                for (int depth = random.nextInt(3); depth > 0; depth--) {
                    path.append(DIRS[random.nextInt(DIRS.length)]).append('/');
                }
                files.add(path + FILES[random.nextInt(FILES.length)]);
            }
            for (String f : files) {
                Files.createDirectories(repo.resolve(f).getParent());
                Files.writeString(repo.resolve(f), f);
            }
            Files.write(repo.resolve(".gitignore"), lines);
            Set<String> byGit = new TreeSet<>(List.of(run(repo, "git", "-c", "core.quotePath=false", "ls-files", "--others", "--ignored",
                    "--exclude-per-directory=.gitignore").split("\n")));
            byGit.remove("");
            byGit.remove(".gitignore");
            IgnoreRules ours = IgnoreRules.parse(lines, ".gitignore");
            Set<String> byUs = new TreeSet<>();
            for (String f : files) {
                if (ours.ignores(f, false)) {
                    byUs.add(f);
                }
            }
            assertThat(byUs).as("rules %s", lines).isEqualTo(byGit);
        }
    }

    private static boolean gitWorks() {
        try {
            return new ProcessBuilder("git", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}
