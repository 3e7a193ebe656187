package org.flocksy.app.shell;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the shell last learned from the daemon, for completion: boxes by name with their folders, peers,
 * plugins.
 */
public record Known(Map<String, Path> boxes, List<String> peers, List<String> plugins) {
    public static final Known NOTHING = new Known(Map.of(), List.of(), List.of());
}
