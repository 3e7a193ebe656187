package org.flocksy.app.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Endpoint;
import org.flocksy.core.config.Settings;
import org.flocksy.core.control.ControlServer;
import org.flocksy.core.control.NodeControl;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.plugin.PluginHost;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.timing.RateLimit;
import org.flocksy.core.timing.RatePolicy;
import org.flocksy.core.transport.CurveSpeed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running node with its plugins and its control socket: what {@code flocksy} and {@code flocksy shell --start} run. */
final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    private final PluginHost plugins;
    private final Node node;
    private final RecentLog recent;
    private final ControlServer control;

    private Daemon(PluginHost plugins, Node node, RecentLog recent, ControlServer control) {
        this.plugins = plugins;
        this.node = node;
        this.recent = recent;
        this.control = control;
    }

    /**
     * Loads the plugins, starts the node and opens the control socket.
     *
     * @param configFile where the shell's {@code box add} and {@code box remove} are kept
     *
     * @throws ConfigException for bad settings, keys or boxes, or when another flocksy already answers on the socket
     */
    static Daemon start(Settings settings, Path pluginsDir, Path socket, Path configFile) throws ConfigException, InterruptedException {
        try {
            ControlServer.preflight(socket);
        } catch (IOException e) {
            throw new ConfigException(socket + ": " + e.getMessage(), e);
        }
        RecentLog recent = RecentLog.attach();
        PluginHost plugins = null;
        Node node = null;
        try {
            plugins = PluginHost.open(pluginsDir);
            node = Node.create(settings, plugins.catalog(), Blake2b.load(), new SystemClock(), FlockTiming.defaults(), () -> rateLimit(settings));
            node.start();
            ControlServer control;
            try {
                control = ControlServer.start(socket, new NodeControl(node, plugins, recent, configFile));
            } catch (IOException e) {
                throw new ConfigException(socket + ": " + e.getMessage(), e);
            }
            return new Daemon(plugins, node, recent, control);
        } catch (ConfigException | InterruptedException | RuntimeException e) {
            if (node != null) {
                node.close();
            }
            if (plugins != null) {
                plugins.close();
            }
            recent.detach();
            throw e;
        }
    }

    /** The fastest rate this node takes part in runs at: as set, or (auto) from a short measurement of this machine. */
    static RateLimit rateLimit(Settings settings) {
        double link = 0;
        if (settings.rate().auto()) {
            try {
                link = CurveSpeed.measure(Duration.ofMillis(500));
            } catch (RuntimeException e) {
                link = RatePolicy.ASSUMED_LINK_FRAMES_PER_SECOND;
                log.warn("could not measure this machine's CURVE speed ({}); rate = auto starts from {} frames/s per link and follows the runs",
                        e.getMessage(), Math.round(link));
            }
        }
        int here = (int) settings.nodes().stream().map(Declared::value).filter(Endpoint::onThisMachine).count();
        return RatePolicy.limit(settings.rate(), settings.nodes().size(), here, link);
    }

    Node node() {
        return node;
    }

    Path socket() {
        return control.socket();
    }

    @Override
    public void close() {
        control.close();
        node.close();
        plugins.close();
        recent.detach();
    }
}
