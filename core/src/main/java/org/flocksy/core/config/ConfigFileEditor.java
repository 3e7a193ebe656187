package org.flocksy.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Changes the config file while the daemon runs ({@code box add}, {@code box remove}, {@code node add}), so
 * that the change outlives it. Every write goes through a temp file beside the file and keeps its
 * permissions (and a link to it); one change at a time.
 */
public final class ConfigFileEditor {
    /** What removing a box's lines did. */
    public record Removal(boolean hadLines, boolean noBoxLeft) {}

    private final Path file;

    public ConfigFileEditor(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Adds a {@code box = NAME@LOCATION} line. */
    public synchronized void addBox(String name, String location) throws IOException {
        List<String> lines = read();
        lines.add("box = " + name + "@" + location);
        write(lines);
    }

    /**
     * Drops the box's line and the resolver, backup and symlinks lines for it: a line for an undeclared box
     * stops the next start.
     */
    public synchronized Removal removeBox(String name) throws IOException {
        if (!Files.exists(file)) {
            return new Removal(false, true);
        }
        List<String> lines = read();
        Pattern mine = Pattern.compile("\\s*(box\\s*=\\s*" + Pattern.quote(name) + "\\s*@|(resolver|backup|symlinks)\\s*=\\s*"
                + Pattern.quote(name) + "\\s*:).*");
        List<String> left = lines.stream().filter(l -> !mine.matcher(l).matches()).toList();
        if (left.size() != lines.size()) {
            write(left);
        }
        return new Removal(left.size() != lines.size(), left.stream().noneMatch(l -> l.strip().matches("box\\s*=.*")));
    }

    /**
     * Adds a {@code node = URI} line unless the file lists that endpoint already (in any spelling).
     *
     * @return whether a line was added
     */
    public synchronized boolean addNode(String uri) throws IOException {
        List<String> lines = read();
        boolean listed = lines.stream().map(l -> l.strip().split("\\s*=\\s*", 2))
                .anyMatch(kv -> kv.length == 2 && kv[0].equals("node") && sameEndpoint(kv[1], uri));
        if (listed) {
            return false;
        }
        lines.add("node = " + uri);
        write(lines);
        return true;
    }

    private static boolean sameEndpoint(String written, String uri) {
        try {
            return Endpoint.normalize(written.strip()).equals(uri);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private List<String> read() throws IOException {
        return new ArrayList<>(Files.exists(file) ? Files.readAllLines(file) : List.of());
    }

    private void write(List<String> lines) throws IOException {
        Path real = Files.exists(file) ? file.toRealPath() : file;
        Path temp = real.resolveSibling(real.getFileName() + ".flocksy-tmp");
        Files.write(temp, lines);
        if (Files.exists(real)) {
            Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(real));
        }
        Files.move(temp, real, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
