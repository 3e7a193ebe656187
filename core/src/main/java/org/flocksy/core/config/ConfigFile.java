package org.flocksy.core.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The seed's config file: {@code key = value} lines, keys may repeat, {@code #} starts a comment line,
 * an optional {@code [program]} header (the 2017 format) is accepted.
 */
public final class ConfigFile {
    /** The keys the file may hold; they are the long names of the command-line options, as in the seed. */
    public static final Set<String> KEYS = Set.of("hostname", "node", "box", "keystore", "privatekey", "resolver", "backup", "symlinks", "rate",
            "max-bandwidth", "versions-max");

    /** One {@code key = value} line. */
    public record Entry(String key, String value, String origin) {}

    private ConfigFile() {}

    public static List<Entry> read(Path file) throws ConfigException {
        if (Files.isDirectory(file)) {
            throw new ConfigException(file + ": is a directory, not a config file");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (MalformedInputException e) {
            throw new ConfigException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + Problems.describe(e), e);
        }
        return parse(lines, file.toString());
    }

    static List<Entry> parse(List<String> lines, String name) throws ConfigException {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String origin = name + ":" + (i + 1);
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.equals("[program]")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ConfigException(origin + ": expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new ConfigException(origin + ": unknown key '" + key + "' (known: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
            if (value.isEmpty()) {
                throw new ConfigException(origin + ": '" + key + "' has no value");
            }
            entries.add(new Entry(key, value, origin));
        }
        return entries;
    }
}
