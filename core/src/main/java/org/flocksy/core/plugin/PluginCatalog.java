package org.flocksy.core.plugin;

import java.util.Comparator;
import java.util.List;
import org.flocksy.api.BoxSource;
import org.flocksy.api.FileWatcher;

/** The extensions the kernel uses, as the plugin host found them, best first. */
public record PluginCatalog(List<BoxSource> boxSources, List<FileWatcher> watchers) {
    public PluginCatalog {
        boxSources = boxSources.stream().sorted(Comparator.comparingInt(BoxSource::priority).reversed()).toList();
        watchers = watchers.stream().sorted(Comparator.comparingInt(FileWatcher::priority).reversed()).toList();
    }
}
