package org.flocksy.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flocksy.app.control.ExitCodes;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Flags;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.config.Problems;
import org.flocksy.core.config.Settings;
import org.flocksy.core.config.SettingsLoader;
import org.flocksy.core.control.ControlServer;
import org.flocksy.core.crypto.CurveKeyPair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flocksy [flags]}: the daemon, with the seed's command line. */
@Command(name = "flocksy", sortOptions = false, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = {
            "Keeps directories (boxes) identical across a closed group of nodes with the Flock protocol: every node sends the same"
                + " frames at the same times, so an observer cannot tell who sent what.",
            "Runs in the foreground until SIGINT or SIGTERM."},
        footer = {"", "Files: ~/.flocksy (config), ~/.ssh/flocksy_privatekeys, ~/.ssh/flocksy_keystore.",
            "Try 'flocksy demo' for three nodes syncing on this machine, 'flocksy shell' to watch and steer a running daemon,"
                + " and 'flocksy ctl COMMAND' to do the same from scripts."})
public final class FlocksyCommand implements Callable<Integer> {
    private final Main.Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Show the version and exit.")
    boolean version;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = {"Config file.", "Default: ~/.flocksy"})
    Path config;

    @Option(names = "--keystore", paramLabel = "FILE", description = {"Public keys of the nodes.", "Default: ~/.ssh/flocksy_keystore"})
    Path keystore;

    @Option(names = "--privatekey", paramLabel = "FILE", description = {"This node's key pairs.", "Default: ~/.ssh/flocksy_privatekeys"})
    Path privateKey;

    @Option(names = "--create-private-keys",
            description = "Create a key pair for every hostname that has none, print the public keys, exit.")
    boolean createPrivateKeys;

    @Option(names = {"-n", "--node"}, paramLabel = "URI", description = "A peer to sync with (repeatable).")
    List<String> nodes = new ArrayList<>();

    @Option(names = {"-b", "--box"}, paramLabel = "NAME@PATH", description = "A directory to sync (repeatable).")
    List<String> boxes = new ArrayList<>();

    @Option(names = {"-p", "--hostname"}, paramLabel = "URI", description = "Where this node listens, e.g. tcp://192.168.1.10:5671 (repeatable).")
    List<String> hostnames = new ArrayList<>();

    @Option(names = "--rate", paramLabel = "N|auto",
            description = {"File frames per second this node takes part in runs at, at most: 'auto' from this machine's speed", "Default: auto"})
    String rate;

    @Option(names = "--max-bandwidth", paramLabel = "RATE", description = "The most this node sends, e.g. 20MiB, 2.5MB/s or 100Mbit.")
    String maxBandwidth;

    @Option(names = "--control", paramLabel = "SOCKET",
            description = {"The control socket for 'flocksy shell' and 'flocksy ctl'.", "Default: ~/.flocksy.d/control.sock"})
    Path control;

    FlocksyCommand(Main.Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        SettingsLoader loader = new SettingsLoader(env.home());
        Flags flags = flags();
        if (createPrivateKeys) {
            return createKeys(loader.load(flags, false));
        }
        return runDaemon(loader.load(flags, true));
    }

    private int createKeys(Settings settings) throws ConfigException, IOException {
        Path file = settings.privateKeys().value();
        Map<String, CurveKeyPair> keys = new LinkedHashMap<>(KeyFiles.readPrivateKeys(file));
        int created = 0;
        for (Declared<String> h : settings.hostnames()) {
            if (!keys.containsKey(h.value())) {
                keys.put(h.value(), CurveKeyPair.generate());
                created++;
            }
        }
        if (created > 0) {
            try {
                KeyFiles.writePrivateKeys(file, keys);
            } catch (IOException e) {
                throw new ConfigException(settings.privateKeys().origin() + ": cannot write " + file + ": "
                        + Problems.describe(e));
            }
        }
        Map<String, String> publicKeys = new LinkedHashMap<>();
        settings.hostnames().forEach(h -> publicKeys.put(h.value(), keys.get(h.value()).publicKey()));
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(publicKeys));
        out.flush();
        spec.commandLine().getErr().println("flocksy: " + created + " new key pair(s) in " + file
                + "; add the public keys above to every node's keystore");
        return ExitCodes.OK;
    }

    private int runDaemon(Settings settings) throws Exception {
        Shutdown shutdown = Shutdown.onSignals();
        String failed;
        try (Daemon daemon = startDaemon(settings)) {
            daemon.node().failure().whenFailed(shutdown::release);
            shutdown.await();
            failed = daemon.node().failure().reason();
        }
        if (failed != null) {
            // Fail closed: a node missing a part (its ZAP handler, its receive thread) must not run on half-alive.
            spec.commandLine().getErr().println("flocksy: stopped: " + failed);
            return ExitCodes.INTERNAL;
        }
        return ExitCodes.OK;
    }

    /** The daemon these flags describe, started (for {@code flocksy} itself and {@code flocksy shell --start}). */
    Daemon startDaemon(Settings settings) throws ConfigException, InterruptedException {
        return Daemon.start(settings, env.pluginsDir(), controlSocket(), config != null ? config : env.home().resolve(".flocksy"));
    }

    /** The settings these flags and the config file give, for a daemon. */
    Settings daemonSettings() throws ConfigException {
        return new SettingsLoader(env.home()).load(flags(), true);
    }

    private Flags flags() {
        return new Flags(config, config != null, keystore, privateKey, hostnames, nodes, boxes, rate, maxBandwidth);
    }

    /** Where the daemon's control socket is: {@code --control}, else {@code ~/.flocksy.d/control.sock}. */
    Path controlSocket() {
        return control != null ? control : ControlServer.defaultPath(env.home());
    }
}
