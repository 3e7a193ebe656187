package org.flocksy.core.control;

import java.util.List;

/** The plugins the daemon loaded, for the {@code plugins} command. */
public interface PluginControl {
    /** One loaded plugin. */
    record Plugin(String id, String version, String state, String description) {}

    List<Plugin> list();

    /**
     * Enables or disables a plugin for the next start (the running kernel keeps the extensions it has).
     *
     * @return a one-line outcome
     * @throws IllegalArgumentException if there is no such plugin
     */
    String enable(String id, boolean enabled);

    /** No plugin manager (tests, embedded nodes). */
    PluginControl NONE = new PluginControl() {
        @Override
        public List<Plugin> list() {
            return List.of();
        }

        @Override
        public String enable(String id, boolean enabled) {
            throw new IllegalArgumentException("no plugin manager in this process");
        }
    };
}
