package org.flocksy.core.plugin;

import java.util.List;
import java.util.Set;

/** The plugins the daemon loaded, for the {@code plugins} command. */
public interface PluginControl {
    /** One loaded plugin. */
    record Plugin(String id, String version, String state, String description) {}

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
     * @return a one-line outcome
     * @throws IllegalArgumentException if there is no such plugin, or it is needed
     */
    String enable(String id, boolean enabled, InUse inUse);

    /** No plugin manager (tests, embedded nodes). */
    PluginControl NONE = new PluginControl() {
        @Override
        public List<Plugin> list() {
            return List.of();
        }

        @Override
        public String enable(String id, boolean enabled, InUse inUse) {
            throw new IllegalArgumentException("no plugin manager in this process");
        }
    };
}
