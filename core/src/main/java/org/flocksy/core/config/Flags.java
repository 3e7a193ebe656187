package org.flocksy.core.config;

import java.nio.file.Path;
import java.util.List;

/**
 * What the command line said, before it is merged with the config file.
 *
 * @param config the config file: the one named by {@code -c}, else the default
 * @param configRequired whether {@code -c} named it (then it must exist)
 * @param keystore {@code --keystore}, or {@code null}
 * @param privateKeys {@code --privatekey}, or {@code null}
 * @param rate {@code --rate}, or {@code null}
 * @param maxBandwidth {@code --max-bandwidth}, or {@code null}
 */
public record Flags(Path config, boolean configRequired, Path keystore, Path privateKeys,
                    List<String> hostnames, List<String> nodes, List<String> boxes, String rate, String maxBandwidth) {
    public Flags {
        hostnames = List.copyOf(hostnames);
        nodes = List.copyOf(nodes);
        boxes = List.copyOf(boxes);
    }

    public Flags(Path config, boolean configRequired, Path keystore, Path privateKeys, List<String> hostnames, List<String> nodes,
                 List<String> boxes) {
        this(config, configRequired, keystore, privateKeys, hostnames, nodes, boxes, null, null);
    }
}
