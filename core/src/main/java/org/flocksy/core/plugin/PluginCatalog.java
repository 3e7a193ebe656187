package org.flocksy.core.plugin;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.BoxSource;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.FileWatcher;

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
}
