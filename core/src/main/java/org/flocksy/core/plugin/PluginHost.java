package org.flocksy.core.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
public final class PluginHost implements AutoCloseable, org.flocksy.core.control.PluginControl {
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
        List<Plugin> plugins = new ArrayList<>();
        for (PluginWrapper p : manager.getPlugins()) {
            String description = p.getDescriptor().getPluginDescription();
            plugins.add(new Plugin(p.getPluginId(), p.getDescriptor().getVersion(), p.getPluginState().toString().toLowerCase(java.util.Locale.ROOT),
                    description == null ? "" : description));
        }
        plugins.sort(java.util.Comparator.comparing(Plugin::id));
        return plugins;
    }

    @Override
    public String enable(String id, boolean enabled) {
        if (manager.getPlugin(id) == null) {
            throw new IllegalArgumentException("no plugin '" + id + "' (see 'plugins')");
        }
        // Only recorded (enabled.txt / disabled.txt in the plugins folder): PF4J's own disablePlugin would stop
        // the plugin now, under extensions the kernel is still using.
        try {
            org.pf4j.DefaultPluginStatusProvider status = new org.pf4j.DefaultPluginStatusProvider(pluginsDir);
            if (enabled) {
                status.enablePlugin(id);
            } else {
                status.disablePlugin(id);
            }
        } catch (org.pf4j.PluginRuntimeException e) {
            throw new IllegalArgumentException("plugin '" + id + "' could not be " + (enabled ? "enabled" : "disabled") + ": " + e.getMessage());
        }
        return "plugin '" + id + "' " + (enabled ? "enabled" : "disabled") + "; the running daemon keeps what it has until it restarts";
    }

    @Override
    public void close() {
        manager.stopPlugins();
        manager.unloadPlugins();
    }
}
