package org.flocksy.core.testing;

import java.util.List;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.plugins.boxlocal.LocalBoxPlugin;
import org.flocksy.plugins.backupsimple.SimplePlugin;
import org.flocksy.plugins.backupstaggered.StaggeredPlugin;
import org.flocksy.plugins.backuptrashcan.TrashcanPlugin;
import org.flocksy.plugins.conflictkeepboth.KeepBothPlugin;
import org.flocksy.plugins.conflictnewest.NewestPlugin;
import org.flocksy.plugins.watchernative.NativeWatcherPlugin;

/** The bundled plugins' extensions, instantiated directly: the kernel's tests do not need PF4J's loading. */
public final class TestPlugins {
    private TestPlugins() {}

    public static PluginCatalog catalog() {
        return new PluginCatalog(List.of(new LocalBoxPlugin.LocalBoxSource()),
                List.of(new NativeWatcherPlugin.NativeFileWatcher()),
                List.of(new KeepBothPlugin.KeepBoth(), new NewestPlugin.Newest()),
                List.of(new TrashcanPlugin.Trashcan(), new SimplePlugin.Simple(), new StaggeredPlugin.Staggered()));
    }
}
