package org.flocksy.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flocksy.api.BoxSpec;

/** Merges the config file and the flags: list settings add up, single paths from flags win. */
public final class SettingsLoader {
    private final Path home;

    /** @param home the user's home directory, under which the default files live */
    public SettingsLoader(Path home) {
        this.home = home;
    }

    public Path defaultConfig() {
        return home.resolve(".flocksy");
    }

    public Path defaultKeystore() {
        return home.resolve(".ssh/flocksy_keystore");
    }

    public Path defaultPrivateKeys() {
        return home.resolve(".ssh/flocksy_privatekeys");
    }

    /** Reads the config file (if any) and merges the flags; does not touch key files or boxes. */
    public Settings load(Flags flags, boolean needBoxesAndNodes) throws ConfigException {
        List<ConfigFile.Entry> entries = List.of();
        Path config = flags.config() != null ? flags.config() : defaultConfig();
        if (flags.configRequired() || Files.exists(config)) {
            entries = ConfigFile.read(config);
        }
        List<Declared<String>> hostnames = new ArrayList<>();
        List<Declared<String>> nodes = new ArrayList<>();
        List<Declared<BoxSpec>> boxes = new ArrayList<>();
        Declared<Path> keystore = new Declared<>(defaultKeystore(), "default keystore");
        Declared<Path> privateKeys = new Declared<>(defaultPrivateKeys(), "default private key file");
        Map<String, Declared<String>> resolvers = new HashMap<>();
        Map<String, Declared<String>> backups = new HashMap<>();
        Map<String, Declared<String>> symlinks = new HashMap<>();
        Map<String, Declared<String>> versionsMaxText = new HashMap<>();
        Declared<Integer> rate = null;
        Declared<Long> maxBandwidth = null;
        for (ConfigFile.Entry e : entries) {
            switch (e.key()) {
                case "hostname" -> hostnames.add(endpoint(e.value(), e.origin()));
                case "node" -> nodes.add(endpoint(e.value(), e.origin()));
                case "box" -> boxes.add(new Declared<>(absoluteInFile(BoxSpecs.parse(e.value(), e.origin()), e.origin()), e.origin()));
                case "keystore" -> keystore = new Declared<>(expand(e.value()), e.origin());
                case "privatekey" -> privateKeys = new Declared<>(expand(e.value()), e.origin());
                case "resolver" -> perBox("resolver", "BOX:RESOLVER, e.g. docs:newest", e.value(), e.origin(), resolvers);
                case "backup" -> perBox("backup", "BOX:STRATEGY[:PARAMETER], e.g. docs:simple:10", e.value(), e.origin(), backups);
                case "symlinks" -> {
                    perBox("symlinks", "BOX:MODE with MODE one of " + String.join(", ", Settings.SYMLINK_MODES), e.value(), e.origin(), symlinks);
                    String box = e.value().substring(0, e.value().indexOf(':')).strip();
                    if (!Settings.SYMLINK_MODES.contains(symlinks.get(box).value())) {
                        throw new ConfigException(e.origin() + ": symlinks for box '" + box + "': unknown mode '" + symlinks.get(box).value()
                                + "' (expected one of " + String.join(", ", Settings.SYMLINK_MODES) + ")");
                    }
                }
                case "rate" -> {
                    Integer fixed = RateSetting.parseRate(e.value(), e.origin());
                    rate = fixed == null ? null : new Declared<>(fixed, e.origin());
                }
                case "versions-max" -> perBox("versions-max", "BOX:SIZE, e.g. docs:20GiB", e.value(), e.origin(), versionsMaxText);
                case "max-bandwidth" -> maxBandwidth = new Declared<>(RateSetting.parseBandwidth(e.value(), e.origin()), e.origin());
                default -> throw new IllegalStateException("ConfigFile admitted unknown key " + e.key());
            }
        }
        for (String h : flags.hostnames()) {
            hostnames.add(endpoint(h, "--hostname"));
        }
        for (String n : flags.nodes()) {
            nodes.add(endpoint(n, "--node"));
        }
        for (String b : flags.boxes()) {
            boxes.add(new Declared<>(BoxSpecs.parse(b, "--box"), "--box"));
        }
        if (flags.keystore() != null) {
            keystore = new Declared<>(flags.keystore(), "--keystore");
        }
        if (flags.privateKeys() != null) {
            privateKeys = new Declared<>(flags.privateKeys(), "--privatekey");
        }
        if (flags.rate() != null) {
            Integer fixed = RateSetting.parseRate(flags.rate(), "--rate");
            rate = fixed == null ? null : new Declared<>(fixed, "--rate");
        }
        if (flags.maxBandwidth() != null) {
            maxBandwidth = new Declared<>(RateSetting.parseBandwidth(flags.maxBandwidth(), "--max-bandwidth"), "--max-bandwidth");
        }
        Map<String, Declared<Long>> versionsMax = new HashMap<>();
        for (Map.Entry<String, Declared<String>> v : versionsMaxText.entrySet()) {
            versionsMax.put(v.getKey(), new Declared<>(RateSetting.parseSize(v.getValue().value(), v.getValue().origin(), "versions-max for box '"
                    + v.getKey() + "'"), v.getValue().origin()));
        }
        Settings settings = new Settings(hostnames, nodes, boxes, keystore, privateKeys, resolvers, backups, symlinks,
                new RateSetting(rate, maxBandwidth), versionsMax);
        checkForm(settings, config, needBoxesAndNodes);
        return settings;
    }

    private void checkForm(Settings s, Path config, boolean needBoxesAndNodes) throws ConfigException {
        if (s.hostnames().isEmpty()) {
            throw new ConfigException("no hostname given: use -p/--hostname URI or 'hostname = URI' in " + config);
        }
        unique(s.hostnames(), "hostname");
        unique(s.nodes(), "node");
        Map<String, Declared<String>> own = new HashMap<>();
        s.hostnames().forEach(h -> own.put(h.value(), h));
        for (Declared<String> n : s.nodes()) {
            if (own.containsKey(n.value())) {
                throw new ConfigException(n.error("node " + n.value() + " is this node's own hostname"));
            }
        }
        Map<String, Declared<BoxSpec>> names = new HashMap<>();
        for (Declared<BoxSpec> b : s.boxes()) {
            Declared<BoxSpec> earlier = names.putIfAbsent(b.value().name(), b);
            if (earlier != null) {
                throw new ConfigException(b.error("box name '" + b.value().name() + "' is already declared at "
                        + earlier.origin()));
            }
        }
        for (var chosen : List.of(Map.entry("resolver", s.resolvers()), Map.entry("backup", s.backups()), Map.entry("symlinks", s.symlinks()),
                Map.entry("versions-max", s.versionsMax()))) {
            for (var r : chosen.getValue().entrySet()) {
                if (!names.containsKey(r.getKey())) {
                    throw new ConfigException(r.getValue().error(chosen.getKey() + " for box '" + r.getKey() + "', which is not declared"));
                }
            }
        }
        if (needBoxesAndNodes) {
            if (s.boxes().isEmpty()) {
                throw new ConfigException("no box given: use -b/--box NAME@PATH or 'box = NAME@PATH' in " + config);
            }
            if (s.nodes().isEmpty()) {
                throw new ConfigException("no node given: use -n/--node URI or 'node = URI' in " + config);
            }
        }
    }

    /** {@code resolver = BOX:ID} or {@code backup = BOX:ID[:PARAMETER]}: a plugin chosen for one box. */
    private static void perBox(String key, String expected, String text, String origin, Map<String, Declared<String>> chosen)
            throws ConfigException {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ConfigException(origin + ": malformed " + key + " '" + text + "' (expected " + expected + ")");
        }
        String box = text.substring(0, colon).strip();
        if (text.substring(colon + 1).isBlank() || text.substring(colon + 1).strip().startsWith(":")) {
            throw new ConfigException(origin + ": malformed " + key + " '" + text + "' (expected " + expected + ")");
        }
        Declared<String> earlier = chosen.put(box, new Declared<>(text.substring(colon + 1).strip(), origin));
        if (earlier != null) {
            throw new ConfigException(origin + ": " + key + " for box '" + box + "' is already declared at " + earlier.origin());
        }
    }

    private static void unique(List<Declared<String>> values, String what) throws ConfigException {
        Map<String, Declared<String>> seen = new HashMap<>();
        for (Declared<String> v : values) {
            Declared<String> earlier = seen.putIfAbsent(v.value(), v);
            if (earlier != null) {
                throw new ConfigException(v.error(what + " " + v.value() + " is already declared at " + earlier.origin()));
            }
        }
    }

    /**
     * A relative folder in the config file would depend on where the daemon happens to start; on the command
     * line it means the user's current folder, as usual. Locations with a scheme ({@code usb:LABEL}) are the
     * box source's business.
     */
    private static BoxSpec absoluteInFile(BoxSpec box, String origin) throws ConfigException {
        String location = box.location();
        int colon = location.indexOf(':');
        boolean scheme = colon > 1 && location.substring(0, colon).chars().allMatch(Character::isLetterOrDigit);
        if (!scheme && colon != 1 && !location.startsWith("/") && !location.equals("~") && !location.startsWith("~/")) {
            throw new ConfigException(origin + ": box '" + box.name() + "': give its folder as an absolute path (or ~/…), not '"
                    + location + "'");
        }
        return box;
    }

    private static Declared<String> endpoint(String text, String origin) throws ConfigException {
        try {
            return new Declared<>(Endpoint.normalize(text), origin);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(origin + ": " + e.getMessage());
        }
    }

    private Path expand(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return home.resolve(path.substring(Math.min(2, path.length())));
        }
        return Path.of(path);
    }
}
