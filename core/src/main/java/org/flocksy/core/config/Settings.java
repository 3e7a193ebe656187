package org.flocksy.core.config;

import java.nio.file.Path;
import java.util.List;
import org.flocksy.api.BoxSpec;

/**
 * One node's configuration, merged from flags and the config file and checked for form; whether boxes
 * and keys exist is checked when the node starts.
 *
 * @param hostnames the endpoints this node binds, first one names the node
 * @param nodes the peers' endpoints
 * @param boxes the boxes this node syncs
 */
public record Settings(List<Declared<String>> hostnames, List<Declared<String>> nodes,
                       List<Declared<BoxSpec>> boxes, Declared<Path> keystore, Declared<Path> privateKeys) {
    public Settings {
        hostnames = List.copyOf(hostnames);
        nodes = List.copyOf(nodes);
        boxes = List.copyOf(boxes);
    }

    /** The node's name in logs: its first hostname. */
    public String nodeName() {
        return hostnames.isEmpty() ? "?" : hostnames.get(0).value();
    }
}
