package org.flocksy.core.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.BoxSource;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.FileWatcher;
import org.flocksy.core.config.ConfigException;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PF4J plugin manager over one plugins folder. A plugin that fails to load or start is logged and
 * left out; it never takes the daemon down.
 */
public final class PluginHost implements AutoCloseable, PluginControl {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);
    private final PluginManager manager;
    private final Path pluginsDir;

    private PluginHost(PluginManager manager, Path pluginsDir) {
        this.manager = manager;
        this.pluginsDir = pluginsDir;
    }

    public static PluginHost open(Path pluginsDir) throws ConfigException {
        if (!Files.isDirectory(pluginsDir)) {
            throw new ConfigException(pluginsDir + ": plugins folder not found");
        }
        PluginManager manager = new DefaultPluginManager(pluginsDir);
        manager.loadPlugins();
        manager.startPlugins();
        for (PluginWrapper plugin : manager.getPlugins()) {
            if (plugin.getPluginState() != PluginState.STARTED) {
                log.warn("plugin {} {} is {}: {}", plugin.getPluginId(), plugin.getDescriptor().getVersion(),
                        plugin.getPluginState(), plugin.getFailedException() == null ? "" : plugin.getFailedException().toString());
            }
        }
        return new PluginHost(manager, pluginsDir);
    }

    public PluginCatalog catalog() throws ConfigException {
        List<BoxSource> sources = new ArrayList<>(manager.getExtensions(BoxSource.class));
        List<FileWatcher> watchers = new ArrayList<>(manager.getExtensions(FileWatcher.class));
        if (sources.isEmpty()) {
            throw new ConfigException("no box source plugin found in " + ((DefaultPluginManager) manager).getPluginsRoots());
        }
        if (watchers.isEmpty()) {
            throw new ConfigException("no file watcher plugin found in " + ((DefaultPluginManager) manager).getPluginsRoots());
        }
        return new PluginCatalog(sources, watchers, manager.getExtensions(ConflictResolver.class),
                manager.getExtensions(BackupStrategy.class));
    }

    @Override
    public List<Plugin> list() {
        org.pf4j.DefaultPluginStatusProvider next = new org.pf4j.DefaultPluginStatusProvider(pluginsDir);
        List<Plugin> plugins = new ArrayList<>();
        for (PluginWrapper p : manager.getPlugins()) {
            String description = p.getDescriptor().getPluginDescription();
            String state = p.getPluginState().toString().toLowerCase(Locale.ROOT);
            boolean running = p.getPluginState() != PluginState.DISABLED;
            boolean nextTime = !next.isPluginDisabled(p.getPluginId());
            if (running != nextTime) {
                state += nextTime ? " (enabled from the next start)" : " (disabled from the next start)";
            }
            plugins.add(new Plugin(p.getPluginId(), p.getDescriptor().getVersion(), state, description == null ? "" : description,
                    extensionsOf(p.getPluginId())));
        }
        plugins.sort(Comparator.comparing(Plugin::id));
        return plugins;
    }

    /** What a plugin provides, as {@code kind id}. */
    private List<String> extensionsOf(String id) {
        List<String> found = new ArrayList<>();
        manager.getExtensions(BoxSource.class, id).forEach(e -> found.add("box source " + e.id()));
        manager.getExtensions(FileWatcher.class, id).forEach(e -> found.add("watcher " + e.id()));
        manager.getExtensions(ConflictResolver.class, id).forEach(e -> found.add("resolver " + e.id()));
        manager.getExtensions(BackupStrategy.class, id).forEach(e -> found.add("backup " + e.id()));
        return found;
    }

    @Override
    public Path pluginsDir() {
        return pluginsDir;
    }

    @Override
    public void enable(String id, boolean enabled, InUse inUse) {
        if (manager.getPlugin(id) == null) {
            throw new IllegalArgumentException("no plugin '" + id + "' (see 'plugins')");
        }
        org.pf4j.DefaultPluginStatusProvider status = new org.pf4j.DefaultPluginStatusProvider(pluginsDir);
        if (!enabled) {
            String needed = neededFrom(id, inUse, status);
            if (needed != null) {
                throw new IllegalArgumentException("plugin '" + id + "' is not disabled: " + needed + ", so the next start would fail");
            }
        }
        // Only recorded (enabled.txt / disabled.txt in the plugins folder): PF4J's own disablePlugin would stop
        // the plugin now, under extensions the kernel is still using.
        try {
            if (enabled) {
                status.enablePlugin(id);
            } else {
                status.disablePlugin(id);
            }
        } catch (org.pf4j.PluginRuntimeException e) {
            throw new IllegalArgumentException("plugin '" + id + "' could not be " + (enabled ? "enabled" : "disabled") + ": " + e.getMessage());
        }
    }

    /** What the boxes need that only plugin {@code id} provides among the plugins the next start loads, or null. */
    private String neededFrom(String id, InUse inUse, org.pf4j.DefaultPluginStatusProvider status) {
        Predicate<String> staying = other -> !other.equals(id) && !status.isPluginDisabled(other);
        for (BoxSource source : manager.getExtensions(BoxSource.class, id)) {
            for (String location : inUse.boxLocations()) {
                if (BoxResolver.accepts(source, location) && othersOf(BoxSource.class, staying).stream().noneMatch(o -> BoxResolver.accepts(o, location))) {
                    return "its box source '" + source.id() + "' is the one for " + location;
                }
            }
        }
        if (!manager.getExtensions(FileWatcher.class, id).isEmpty()
                && othersOf(FileWatcher.class, staying).stream().noneMatch(FileWatcher::isSupported)) {
            return "it has the only file watcher that works here";
        }
        List<String> provided = new ArrayList<>();
        manager.getExtensions(ConflictResolver.class, id).forEach(r -> provided.add(r.id()));
        manager.getExtensions(BackupStrategy.class, id).forEach(b -> provided.add(b.id()));
        List<String> elsewhere = new ArrayList<>();
        othersOf(ConflictResolver.class, staying).forEach(r -> elsewhere.add(r.id()));
        othersOf(BackupStrategy.class, staying).forEach(b -> elsewhere.add(b.id()));
        for (String ext : provided) {
            if (inUse.extensionIds().contains(ext) && !elsewhere.contains(ext)) {
                return "a box uses its '" + ext + "'";
            }
        }
        return null;
    }

    private <T> List<T> othersOf(Class<T> type, Predicate<String> staying) {
        List<T> found = new ArrayList<>();
        for (PluginWrapper p : manager.getPlugins()) {
            if (staying.test(p.getPluginId())) {
                found.addAll(manager.getExtensions(type, p.getPluginId()));
            }
        }
        return found;
    }

    @Override
    public void close() {
        manager.stopPlugins();
        manager.unloadPlugins();
    }
}
