package org.flocksy.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flocksy.api.BoxSpec;

/**
 * One node's configuration, merged from flags and the config file and checked for form; whether boxes
 * and keys exist is checked when the node starts.
 *
 * @param hostnames the endpoints this node binds, first one names the node
 * @param nodes the peers' endpoints
 * @param boxes the boxes this node syncs
 * @param resolvers the conflict resolver chosen per box name (boxes not named use {@code keep-both})
 * @param backups the backup strategy per box name, {@code ID} or {@code ID:PARAMETER} (default {@code trashcan})
 * @param symlinks how each box treats symbolic links: {@code copy} (default), {@code follow} or {@code ignore}
 * @param rate the rate and the egress cap this node takes part in runs at
 * @param versionsMax bytes each box's stored versions may take at most, per box name (default: a tenth of its disk)
 */
public record Settings(List<Declared<String>> hostnames, List<Declared<String>> nodes,
                       List<Declared<BoxSpec>> boxes, Declared<Path> keystore, Declared<Path> privateKeys,
                       Map<String, Declared<String>> resolvers, Map<String, Declared<String>> backups,
                       Map<String, Declared<String>> symlinks, RateSetting rate, Map<String, Declared<Long>> versionsMax) {
    /** The resolver boxes get when the config names none. */
    public static final String DEFAULT_RESOLVER = "keep-both";
    /** The backup strategy boxes get when the config names none; {@code none} keeps nothing. */
    public static final String DEFAULT_BACKUP = "trashcan";
    /** The ways a box can treat symbolic links (the original flocksy's three). */
    public static final List<String> SYMLINK_MODES = List.of("copy", "follow", "ignore");

    public Settings {
        hostnames = List.copyOf(hostnames);
        nodes = List.copyOf(nodes);
        boxes = List.copyOf(boxes);
        resolvers = Map.copyOf(resolvers);
        backups = Map.copyOf(backups);
        symlinks = Map.copyOf(symlinks);
        rate = rate == null ? RateSetting.AUTO : rate;
        versionsMax = versionsMax == null ? Map.of() : Map.copyOf(versionsMax);
    }

    public Settings(List<Declared<String>> hostnames, List<Declared<String>> nodes, List<Declared<BoxSpec>> boxes,
                    Declared<Path> keystore, Declared<Path> privateKeys, Map<String, Declared<String>> resolvers,
                    Map<String, Declared<String>> backups, Map<String, Declared<String>> symlinks, RateSetting rate) {
        this(hostnames, nodes, boxes, keystore, privateKeys, resolvers, backups, symlinks, rate, Map.of());
    }

    public Settings(List<Declared<String>> hostnames, List<Declared<String>> nodes, List<Declared<BoxSpec>> boxes,
                    Declared<Path> keystore, Declared<Path> privateKeys, Map<String, Declared<String>> resolvers,
                    Map<String, Declared<String>> backups, Map<String, Declared<String>> symlinks) {
        this(hostnames, nodes, boxes, keystore, privateKeys, resolvers, backups, symlinks, RateSetting.AUTO);
    }

    public Settings(List<Declared<String>> hostnames, List<Declared<String>> nodes, List<Declared<BoxSpec>> boxes,
                    Declared<Path> keystore, Declared<Path> privateKeys, Map<String, Declared<String>> resolvers,
                    Map<String, Declared<String>> backups) {
        this(hostnames, nodes, boxes, keystore, privateKeys, resolvers, backups, Map.of());
    }

    public Settings(List<Declared<String>> hostnames, List<Declared<String>> nodes, List<Declared<BoxSpec>> boxes,
                    Declared<Path> keystore, Declared<Path> privateKeys) {
        this(hostnames, nodes, boxes, keystore, privateKeys, Map.of(), Map.of(), Map.of());
    }

    /** The backup strategy of box {@code name}: {@code ID} or {@code ID:PARAMETER}. */
    public String backupOf(String name) {
        Declared<String> chosen = backups.get(name);
        return chosen == null ? DEFAULT_BACKUP : chosen.value();
    }

    /** The most bytes box {@code name}'s stored versions may take, or {@code null} for the default (a tenth of its disk). */
    public Long versionsMaxOf(String name) {
        Declared<Long> chosen = versionsMax.get(name);
        return chosen == null ? null : chosen.value();
    }

    /** How box {@code name} treats symbolic links: one of {@link #SYMLINK_MODES}. */
    public String symlinksOf(String name) {
        Declared<String> chosen = symlinks.get(name);
        return chosen == null ? SYMLINK_MODES.get(0) : chosen.value();
    }

    /** The id of the conflict resolver of box {@code name}. */
    public String resolverOf(String name) {
        Declared<String> chosen = resolvers.get(name);
        return chosen == null ? DEFAULT_RESOLVER : chosen.value();
    }

    /** The node's name in logs: its first hostname. */
    public String nodeName() {
        return hostnames.isEmpty() ? "?" : hostnames.get(0).value();
    }
}
