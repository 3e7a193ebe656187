package org.flocksy.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.flocksy.core.control.Console;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion in the shell: commands, their subcommands and options, box names, peer endpoints, plugin
 * ids, and paths inside a box (read from the box's folder: the shell runs beside the daemon).
 */
final class ShellCompleter implements Completer {
    /** What the shell last learned from the daemon: boxes by name with their folders, peers, plugins. */
    record Known(Map<String, Path> boxes, List<String> peers, List<String> plugins) {
        static final Known NOTHING = new Known(Map.of(), List.of(), List.of());
    }

    private final Supplier<Known> known;

    ShellCompleter(Supplier<Known> known) {
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
        Known k = known.get();
        if (index == 0) {
            return Console.COMMANDS.stream().map(c -> new Candidate(c.name(), c.name(), null, c.summary(), null, null, true)).toList();
        }
        String command = words.get(0);
        String first = words.size() > 1 ? words.get(1) : "";
        return switch (command) {
            case "help" -> index == 1 ? plain(Console.COMMANDS.stream().map(Console.Command::name)) : List.of();
            case "box" -> index == 1 ? subcommands(command) : index == 2 && !first.equals("add") ? plain(k.boxes().keySet().stream()) : List.of();
            case "versions" -> {
                int boxAt = first.equals("restore") ? 2 : 1;
                if (index == 1) {
                    yield Stream.concat(subcommands(command).stream(), plain(k.boxes().keySet().stream()).stream()).toList();
                }
                yield index == boxAt ? plain(k.boxes().keySet().stream()) : index == boxAt + 1 ? paths(k, words.get(boxAt), current) : List.of();
            }
            case "conflicts" -> index == 1 ? subcommands(command) : index == 2 ? plain(k.boxes().keySet().stream())
                    : index == 3 ? paths(k, words.get(2), current) : index == 4 && first.equals("resolve") ? plain(Console.RESOLUTIONS.stream()) : List.of();
            case "plugins" -> index == 1 ? subcommands(command) : index == 2 ? plain(k.plugins().stream()) : List.of();
            case "node" -> index == 1 ? subcommands(command) : index == 2 ? plain(k.peers().stream()) : List.of();
            case "log" -> plain(Stream.of("ERROR", "WARN", "INFO", "DEBUG"));
            default -> List.of();
        };
    }

    private static List<Candidate> subcommands(String command) {
        return plain(Console.command(command).map(c -> c.subcommands().stream()).orElse(Stream.empty()));
    }

    private static List<Candidate> plain(Stream<String> values) {
        return values.map(v -> new Candidate(v, v, null, null, null, null, true)).toList();
    }

    /** Files and folders of the box below what is typed so far; folders end in "/" and stay open for more. */
    private static List<Candidate> paths(Known k, String box, String typed) {
        Path root = k.boxes().get(box);
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
