package org.flocksy.core.ignore;

import com.google.re2j.Pattern;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which paths of a box are not synced: the box's {@code .flocksyignore} in gitignore syntax, after built-in
 * patterns for temp files and operating-system junk (which a {@code !pattern} in the file can take back).
 * As in git, the last matching rule decides, and nothing below an ignored directory can be re-included.
 * Immutable.
 *
 * <p>The file syncs like any other, so a member can write it: its size and rule count are bounded, and
 * patterns match through RE2/J, in time linear in the path, never by backtracking.
 */
public final class IgnoreRules {
    /** The file in a box's root that holds its rules. */
    public static final String FILE_NAME = ".flocksyignore";

    /** Larger ignore files are refused: a file of rules, not of data. */
    public static final int FILE_BYTES_MAX = 64 * 1024;
    /** Rules per file, at most: every path is checked against each. */
    public static final int RULES_MAX = 1_000;
    /** Of those, rules that need a regular expression (wildcards in the middle, classes, {@code **}). */
    public static final int PATTERN_RULES_MAX = 100;

    /** Files no one wants synced: editor swap and lock files, partial downloads, OS metadata. */
    static final List<String> BUILT_IN = List.of(
            ".DS_Store", "._*", ".Spotlight-V100/", ".Trashes/", ".fseventsd/", ".TemporaryItems/",
            "Thumbs.db", "ehthumbs.db", "desktop.ini", "$RECYCLE.BIN/", "System Volume Information/",
            "~$*", ".~lock.*#", "*.swp", "*.swx", ".*.sw?", "*~", ".#*", "*.part", "*.crdownload");

    /**
     * @param nameOnly the pattern has no slash: it matches a name at any depth, so it is matched against the
     *     last part of the path alone (much cheaper than a {@code (.*\/)?} prefix on the whole path)
     */
    private record Rule(Pattern pattern, boolean negated, boolean directoryOnly, boolean nameOnly, String source,
                        Simple simple, String literal, String suffix) {
        boolean matches(String path, String name) {
            String subject = nameOnly ? name : path;
            return switch (simple) {
                case EXACT -> subject.equals(literal);
                // The part the star stands for holds no separator.
                case SUFFIX -> subject.endsWith(literal) && subject.lastIndexOf('/', subject.length() - literal.length() - 1) < 0;
                case PREFIX -> subject.startsWith(literal) && subject.indexOf('/', literal.length()) < 0;
                // Text before the first and after the last wildcard must be there: most paths fail that cheaper test.
                case REGEX -> subject.startsWith(literal) && subject.endsWith(suffix) && pattern.matcher(subject).matches();
            };
        }
    }

    /** Most patterns are a name, {@code *.ext} or {@code prefix*}: those are compared as strings (every path checks every rule). */
    private enum Simple { EXACT, SUFFIX, PREFIX, REGEX }

    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[\\".indexOf(s.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    private final List<Rule> rules;
    /** The file's bytes these rules were read from, or {@code null} (built-in rules, or parsed from lines). */
    private final byte[] text;

    private IgnoreRules(List<Rule> rules) {
        this(rules, null);
    }

    private IgnoreRules(List<Rule> rules, byte[] text) {
        this.rules = List.copyOf(rules);
        this.text = text;
    }

    /** The bytes of the ignore file these rules were read from, or {@code null} when none was. */
    public byte[] text() {
        return text == null ? null : text.clone();
    }

    /** The built-in patterns alone. */
    public static IgnoreRules builtIn() {
        List<Rule> rules = new ArrayList<>();
        BUILT_IN.forEach(line -> rules.add(parse(line, "built-in")));
        return new IgnoreRules(rules);
    }

    /**
     * The rules for a box: built-in patterns, then {@code .flocksyignore} in {@code root} if there is one.
     *
     * @throws IOException if the file exists and cannot be read, or a line is not a valid pattern (the
     *     message names the file and line)
     */
    public static IgnoreRules load(Path root) throws IOException {
        return read(root.resolve(FILE_NAME));
    }

    /** The built-in rules, then those of {@code file} if it exists; as {@link #load}. */
    public static IgnoreRules read(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(FILE_BYTES_MAX + 1);
        } catch (NoSuchFileException e) {
            return builtIn();
        }
        if (bytes.length > FILE_BYTES_MAX) {
            throw new IOException(file + ": larger than " + FILE_BYTES_MAX / 1024 + " KiB, not an ignore file");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        return new IgnoreRules(parse(text.lines().toList(), file.toString()).rules, bytes);
    }

    /** Rules from the lines of an ignore file named {@code origin}, after the built-in ones. */
    public static IgnoreRules parse(List<String> lines, String origin) throws IOException {
        List<Rule> rules = new ArrayList<>(builtIn().rules);
        int own = 0;
        int patterns = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = stripTrailingSpaces(lines.get(i));
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                Rule rule = parse(line, origin + ":" + (i + 1));
                if (rule != null) {
                    if (++own > RULES_MAX || (rule.simple() == Simple.REGEX && ++patterns > PATTERN_RULES_MAX)) {
                        throw new IOException(origin + ":" + (i + 1) + ": more than " + (own > RULES_MAX ? RULES_MAX + " rules"
                                : PATTERN_RULES_MAX + " rules with wildcards inside, classes or **") + " in one ignore file");
                    }
                    rules.add(rule);
                }
            } catch (IllegalArgumentException | com.google.re2j.PatternSyntaxException e) {
                // RE2/J's syntax error is not an IllegalArgumentException: a pattern from a peer must not escape as one.
                throw new IOException(origin + ":" + (i + 1) + ": not a valid pattern '" + line + "': " + e.getMessage(), e);
            }
        }
        return new IgnoreRules(rules);
    }

    /**
     * Whether {@code path} (relative to the box, {@code /} separators) is ignored; {@code directory} says
     * whether the path itself is a directory (patterns ending in {@code /} match only those).
     */
    public boolean ignores(String path, boolean directory) {
        int slash = -1;
        while ((slash = path.indexOf('/', slash + 1)) > 0) {
            if (decide(path.substring(0, slash), true)) {
                return true;
            }
        }
        return decide(path, directory);
    }

    private boolean decide(String path, boolean directory) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule r = rules.get(i);
            if ((directory || !r.directoryOnly()) && r.matches(path, name)) {
                return !r.negated();
            }
        }
        return false;
    }

    private static String stripTrailingSpaces(String line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ' && !(end > 1 && line.charAt(end - 2) == '\\')) {
            end--;
        }
        return line.substring(0, end);
    }

    private static Rule parse(String line, String source) {
        boolean negated = line.startsWith("!");
        String glob = negated ? line.substring(1) : line;
        if (glob.startsWith("\\#") || glob.startsWith("\\!")) {
            glob = glob.substring(1);
        }
        boolean directoryOnly = glob.endsWith("/") && !glob.endsWith("\\/");
        if (directoryOnly) {
            glob = glob.substring(0, glob.length() - 1);
        }
        if (glob.isEmpty() || glob.equals("/")) {
            return null;
        }
        // A slash at the start or in the middle anchors the pattern to the box's root.
        boolean anchored = glob.indexOf('/') >= 0;
        if (glob.startsWith("/")) {
            glob = glob.substring(1);
        }
        Simple simple = Simple.REGEX;
        String literal = "";
        String suffix = "";
        if (plain(glob)) {
            simple = Simple.EXACT;
            literal = glob;
        } else if (glob.startsWith("*") && !glob.startsWith("**") && plain(glob.substring(1))) {
            simple = Simple.SUFFIX;
            literal = glob.substring(1);
        } else if (glob.endsWith("*") && !glob.endsWith("**") && plain(glob.substring(0, glob.length() - 1))) {
            simple = Simple.PREFIX;
            literal = glob.substring(0, glob.length() - 1);
        } else if (glob.indexOf('\\') < 0 && glob.indexOf('[') < 0 && !glob.contains("**")) {
            // Only * and ? : what lies before the first and after the last is literal.
            literal = glob.substring(0, firstWildcard(glob));
            suffix = glob.substring(Math.max(glob.lastIndexOf('*'), glob.lastIndexOf('?')) + 1);
        }
        return new Rule(Pattern.compile(toRegex(glob), Pattern.DOTALL), negated, directoryOnly, !anchored, source, simple, literal, suffix);
    }

    private static int firstWildcard(String glob) {
        int star = glob.indexOf('*');
        int mark = glob.indexOf('?');
        return star < 0 ? mark : mark < 0 ? star : Math.min(star, mark);
    }

    private static String toRegex(String glob) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = glob.length();
        while (i < n) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < n && glob.charAt(i + 1) == '*'
                    && (i == 0 || glob.charAt(i - 1) == '/') && (i + 2 == n || glob.charAt(i + 2) == '/')) {
                if (i + 2 == n) {
                    // "a/**": everything inside a.
                    out.append(".*");
                } else {
                    // "**/b" and "a/**/b": any number of directories, none included.
                    out.append("(?:.*/)?");
                    i++;
                }
                i += 2;
                continue;
            }
            switch (c) {
                case '*' -> out.append("[^/]*");
                case '?' -> out.append("[^/]");
                case '\\' -> {
                    if (i + 1 == n) {
                        throw new IllegalArgumentException("ends with a lone backslash");
                    }
                    out.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                }
                case '[' -> {
                    int close = classEnd(glob, i);
                    if (close < 0) {
                        out.append("\\[");
                    } else {
                        String body = glob.substring(i + 1, close);
                        if (body.startsWith("!") || body.startsWith("^")) {
                            // Like every glob character, a negated class never matches a separator.
                            body = "^/" + body.substring(1);
                        }
                        out.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[").replace("&&", "&\\&")).append(']');
                        i = close;
                    }
                }
                default -> out.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        return out.toString();
    }

    /** The index of the {@code ]} that closes the class opened at {@code open}, or -1. */
    private static int classEnd(String glob, int open) {
        int i = open + 1;
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            i++;
        }
        if (i < glob.length() && glob.charAt(i) == ']') {
            i++;
        }
        for (; i < glob.length(); i++) {
            if (glob.charAt(i) == ']') {
                return i;
            }
        }
        return -1;
    }
}
