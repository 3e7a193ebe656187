package org.flocksy.core.plugin;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.BoxSource;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.FileWatcher;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Settings;

/** The extensions the kernel uses, as the plugin host found them, best first. */
public record PluginCatalog(List<BoxSource> boxSources, List<FileWatcher> watchers, List<ConflictResolver> resolvers,
                            List<BackupStrategy> backups) {
    public PluginCatalog {
        boxSources = boxSources.stream().sorted(Comparator.comparingInt(BoxSource::priority).reversed()).toList();
        watchers = watchers.stream().sorted(Comparator.comparingInt(FileWatcher::priority).reversed()).toList();
        resolvers = List.copyOf(resolvers);
        backups = List.copyOf(backups);
    }

    public PluginCatalog(List<BoxSource> boxSources, List<FileWatcher> watchers) {
        this(boxSources, watchers, List.of(), List.of());
    }

    /** The conflict resolver with this id, if a plugin provides it. */
    public Optional<ConflictResolver> resolver(String id) {
        return resolvers.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** The backup strategy with this id, if a plugin provides it. */
    public Optional<BackupStrategy> backup(String id) {
        return backups.stream().filter(b -> b.id().equals(id)).findFirst();
    }

    /** How a box keeps what a peer's change replaces: the strategy (none without one) and its parameter. */
    public record BackupChoice(String chosen, BackupStrategy strategy, String parameter) {}

    /**
     * The conflict resolver of box {@code box}: the one its config line names, else the default if a plugin
     * provides it.
     *
     * @throws ConfigException naming the config line, when it names a resolver no plugin provides
     */
    public Optional<ConflictResolver> resolverFor(Settings settings, String box) throws ConfigException {
        String id = settings.resolverOf(box);
        Optional<ConflictResolver> resolver = resolver(id);
        Declared<String> named = settings.resolvers().get(box);
        if (resolver.isEmpty() && named != null) {
            throw new ConfigException(named.error("box '" + box + "': no conflict resolver '" + id + "' among the plugins (found: "
                    + String.join(", ", resolvers.stream().map(ConflictResolver::id).toList()) + ")"));
        }
        return resolver;
    }

    /**
     * The backup strategy of box {@code box} as its config line names it ({@code ID[:PARAMETER]}, {@code none}
     * to keep nothing), else the default if a plugin provides it.
     *
     * @throws ConfigException naming the config line, for a strategy no plugin provides or a parameter it refuses
     */
    public BackupChoice backupFor(Settings settings, String box) throws ConfigException {
        String chosen = settings.backupOf(box);
        int colon = chosen.indexOf(':');
        String id = colon < 0 ? chosen : chosen.substring(0, colon);
        String parameter = colon < 0 ? null : chosen.substring(colon + 1);
        BackupStrategy strategy = id.equals("none") ? null : backup(id).orElse(null);
        Declared<String> named = settings.backups().get(box);
        if (strategy == null && !id.equals("none") && named != null) {
            throw new ConfigException(named.error("box '" + box + "': no backup strategy '" + id + "' among the plugins (found: "
                    + String.join(", ", backups.stream().map(BackupStrategy::id).toList()) + ")"));
        }
        if (strategy != null) {
            String problem = strategy.check(parameter);
            if (problem != null) {
                String message = "box '" + box + "': backup " + chosen + ": " + problem;
                throw new ConfigException(named == null ? message : named.error(message));
            }
        }
        return new BackupChoice(chosen, strategy, parameter);
    }
}
