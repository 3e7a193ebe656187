package org.flocksy.core.plugin;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The plugins the daemon loaded, for the {@code plugins} command. */
public interface PluginControl {
    /**
     * One loaded plugin.
     *
     * @param extensions what it provides, as {@code kind id}: {@code box source local}, {@code resolver newest}
     */
    record Plugin(String id, String version, String state, String description, List<String> extensions) {}

    /**
     * What this node's boxes need from the plugins at its next start.
     *
     * @param boxLocations each box's location as a box source reads it
     * @param extensionIds the conflict resolvers and backup strategies the boxes name
     */
    record InUse(List<String> boxLocations, Set<String> extensionIds) {}

    List<Plugin> list();

    /**
     * Enables or disables a plugin for the next start (the running kernel keeps the extensions it has).
     *
     * @param inUse what the boxes need: a plugin that alone provides any of it is not disabled, or the next
     *     start would fail
     * @throws IllegalArgumentException if there is no such plugin, or it is needed
     */
    void enable(String id, boolean enabled, InUse inUse);

    /** Where the choices are recorded (for every node run from it), or {@code null} without a plugin manager. */
    Path pluginsDir();

    /** No plugin manager (tests, embedded nodes). */
    PluginControl NONE = new PluginControl() {
        @Override
        public List<Plugin> list() {
            return List.of();
        }

        @Override
        public void enable(String id, boolean enabled, InUse inUse) {
            throw new IllegalArgumentException("no plugin manager in this process");
        }

        @Override
        public Path pluginsDir() {
            return null;
        }
    };
}
