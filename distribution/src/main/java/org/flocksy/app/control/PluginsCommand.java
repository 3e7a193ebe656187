package org.flocksy.app.control;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code plugins}, {@code plugins enable|disable ID}. */
@Command(name = "plugins", description = "loaded plugins with version, state and what they provide (a resolver's id is what the config takes); enable or disable one")
final class PluginsCommand implements Callable<Integer> {
    private final Session session;

    PluginsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        List<Control.PluginInfo> plugins = session.control().plugins();
        session.learned();
        return session.answer(plugins, () -> plugins.isEmpty() ? "no plugin manager in this process" : Words.lines(plugins.stream()
                .map(p -> String.format("%-24s %-14s %-9s %s%s", p.id(), p.version(), p.state(), p.description(),
                        p.extensions().isEmpty() ? "" : "  provides " + String.join(", ", p.extensions()))).toList()));
    }

    @Command(name = "enable", description = "load the plugin from the next start")
    int enable(@Parameters(paramLabel = "ID") String id) throws IOException {
        return changed(session.control().enablePlugin(id, true));
    }

    @Command(name = "disable", description = "leave the plugin out from the next start (refused if the boxes need it)")
    int disable(@Parameters(paramLabel = "ID") String id) throws IOException {
        return changed(session.control().enablePlugin(id, false));
    }

    private int changed(Control.PluginChanged changed) throws IOException {
        return session.answer(changed, () -> "plugin '" + changed.id() + "' " + (changed.enabled() ? "enabled" : "disabled") + " from the next start (in "
                    + changed.pluginsDir() + ", for every node run from it); the running daemon keeps what it has");
    }
}
