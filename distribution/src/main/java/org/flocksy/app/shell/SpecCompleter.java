package org.flocksy.app.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Tab completion from the command tree itself: subcommands and options as declared, a parameter's declared
 * candidates, and for the parameters named {@code BOX}, {@code PATH} (inside that box), {@code URI},
 * {@code ID} and {@code COMMAND} what the shell learned from the daemon. Paths are read from the box's folder:
 * the shell runs beside the daemon.
 */
final class SpecCompleter implements Completer {
    private final CommandSpec root;
    private final Supplier<Known> known;

    SpecCompleter(CommandSpec root, Supplier<Known> known) {
        this.root = root;
        this.known = known;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        String current = index < words.size() ? line.word().substring(0, Math.min(line.wordCursor(), line.word().length())) : "";
        candidates.addAll(candidates(words, index, current));
    }

    /** The candidates for word {@code index} of {@code words}, given what is typed of it so far. */
    List<Candidate> candidates(List<String> words, int index, String current) {
        CommandSpec spec = root;
        int positional = 0;
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < index && i < words.size(); i++) {
            String w = words.get(i);
            CommandLine sub = positional == 0 ? spec.subcommands().get(w) : null;
            if (sub != null) {
                spec = sub.getCommandSpec();
                continue;
            }
            OptionSpec option = spec.findOption(w);
            if (option != null) {
                i += option.arity().max() > 0 ? 1 : 0;
                continue;
            }
            PositionalParamSpec p = positionalAt(spec, positional++);
            if (p != null) {
                given.put(p.paramLabel(), w);
            }
        }
        List<Candidate> found = new ArrayList<>();
        if (positional == 0) {
            spec.subcommands().forEach((name, c) -> {
                if (c.getCommandSpec().name().equals(name)) {
                    String[] d = c.getCommandSpec().usageMessage().description();
                    found.add(new Candidate(name, name, null, d.length == 0 ? null : d[0], null, null, true));
                }
            });
        }
        if (current.startsWith("-")) {
            spec.options().forEach(o -> found.add(plain(o.longestName())));
        }
        PositionalParamSpec p = positionalAt(spec, positional);
        if (p != null) {
            found.addAll(forParameter(p, given, current));
        }
        return found;
    }

    /** The positional parameter that takes the {@code n}th positional word, or {@code null}. */
    private static PositionalParamSpec positionalAt(CommandSpec spec, int n) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.index().contains(n)) {
                return p;
            }
        }
        return null;
    }

    private List<Candidate> forParameter(PositionalParamSpec p, Map<String, String> given, String current) {
        if (p.completionCandidates() != null) {
            return StreamSupport.stream(p.completionCandidates().spliterator(), false).map(SpecCompleter::plain).toList();
        }
        Known k = known.get();
        return switch (p.paramLabel()) {
            case "BOX" -> k.boxes().keySet().stream().sorted().map(SpecCompleter::plain).toList();
            case "PATH" -> paths(k.boxes().get(given.get("BOX")), current);
            case "URI" -> k.peers().stream().map(SpecCompleter::plain).toList();
            case "ID" -> k.plugins().stream().map(SpecCompleter::plain).toList();
            case "COMMAND" -> root.subcommands().entrySet().stream().filter(e -> e.getValue().getCommandSpec().name().equals(e.getKey()))
                    .map(e -> plain(e.getKey())).toList();
            default -> List.of();
        };
    }

    private static Candidate plain(String value) {
        return new Candidate(value, value, null, null, null, null, true);
    }

    /** Files and folders of the box below what is typed so far; folders end in "/" and stay open for more. */
    private static List<Candidate> paths(Path root, String typed) {
        if (root == null) {
            return List.of();
        }
        int slash = typed.lastIndexOf('/');
        String dir = slash < 0 ? "" : typed.substring(0, slash + 1);
        Path folder = root.resolve(dir).normalize();
        if (!folder.startsWith(root) || !Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(p -> !(dir.isEmpty() && p.getFileName().toString().equals(".flocksy"))).sorted().map(p -> {
                boolean isDir = Files.isDirectory(p);
                String value = dir + p.getFileName() + (isDir ? "/" : "");
                return new Candidate(value, p.getFileName() + (isDir ? "/" : ""), null, null, null, null, !isDir);
            }).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
