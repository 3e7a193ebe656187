package org.flocksy.app.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.crypto.CurveKeyPair;
import org.flocksy.core.kernel.LocalFlock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's command line through the real launcher: help, key creation, and every error a user will hit. */
class CommandLineIT {
    @TempDir
    Path dir;
    private Path home;
    private String hostname;
    private String peer;
    private Path box;

    @BeforeEach
    void setUp() throws Exception {
        home = Files.createDirectories(dir.resolve("home"));
        var ports = LocalFlock.freePorts(2);
        hostname = "tcp://127.0.0.1:" + ports.get(0);
        peer = "tcp://127.0.0.1:" + ports.get(1);
        box = Files.createDirectories(home.resolve("box"));
    }

    @Test
    void helpListsTheSeedsOptions() throws Exception {
        Flocksy.Result r = Flocksy.run(home, 60, "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("-h, --help", "-c, --config=FILE", "--keystore=FILE", "--privatekey=FILE",
                "--create-private-keys", "-n, --node=URI", "-b, --box=NAME@PATH", "-p, --hostname=URI");
    }

    @Test
    void createPrivateKeysWritesOnePairPerHostnameOnceWithMode0600() throws Exception {
        String second = "tcp://127.0.0.1:1";
        Flocksy.Result first = Flocksy.run(home, 60, "--create-private-keys", "-p", hostname, "--hostname", second);
        assertThat(first.exit()).isZero();
        Path file = home.resolve(".ssh/flocksy_privatekeys");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Map<String, CurveKeyPair> keys = KeyFiles.readPrivateKeys(file);
        assertThat(keys).containsOnlyKeys(hostname, second);
        @SuppressWarnings("unchecked")
        Map<String, String> printed = new ObjectMapper().readValue(first.out(), Map.class);
        assertThat(printed).containsEntry(hostname, keys.get(hostname).publicKey()).containsEntry(second, keys.get(second).publicKey());

        Flocksy.Result again = Flocksy.run(home, 60, "--create-private-keys", "-p", hostname);
        assertThat(again.exit()).isZero();
        assertThat(KeyFiles.readPrivateKeys(file)).isEqualTo(keys);
        assertThat(again.err()).contains("0 new key pair(s)");
    }

    @Test
    void configErrorsAreOneLineNamingFileAndLineWithExitCode2() throws Exception {
        Path conf = Files.writeString(home.resolve("bad.conf"), "hostname = " + hostname + "\nbogus = 1\n");
        assertFails(conf + ":2: unknown key 'bogus'", "-c", conf.toString());
        Files.writeString(conf, "hostname = " + hostname + "\nnode = " + peer + "\nbox = nameonly\n");
        assertFails(conf + ":3: malformed box 'nameonly'", "-c", conf.toString());
        assertFails(home.resolve("missing.conf") + ": config file not found", "-c", home.resolve("missing.conf").toString());
        assertFails(home + ": is a directory", "-c", home.toString());
    }

    @Test
    void flagErrorsNameTheFlag() throws Exception {
        assertFails("--box: malformed box 'x'", "-p", hostname, "-n", peer, "-b", "x");
        assertFails("Unknown option: '--frobnicate'", "--frobnicate");
        assertFails("Missing required parameter for option '--node'", "-p", hostname, "--node");
    }

    @Test
    void keyAndBoxErrorsNameTheirSource() throws Exception {
        assertFails("--hostname: hostname " + hostname + " has no key pair in " + home.resolve(".ssh/flocksy_privatekeys"),
                "-p", hostname, "-n", peer, "-b", "main@" + box);

        CurveKeyPair own = CurveKeyPair.generate();
        Path keys = home.resolve("keys.json");
        Path store = home.resolve("store.json");
        KeyFiles.writePrivateKeys(keys, Map.of(hostname, own));
        KeyFiles.writeKeystore(store, Map.of(hostname, own.publicKey()));
        String[] base = {"--privatekey", keys.toString(), "--keystore", store.toString(), "-p", hostname, "-n", peer};
        assertFails("--node: node " + peer + " is not in the keystore " + store, concat(base, "-b", "main@" + box));

        KeyFiles.writeKeystore(store, Map.of(hostname, own.publicKey(), peer, CurveKeyPair.generate().publicKey()));
        assertFails("--box: box 'main': " + home.resolve("nope") + " is not a directory", concat(base, "-b", "main@" + home.resolve("nope")));
        assertFails("--box: box 'b' uses " + box.toRealPath() + ", the same path as box 'a' (--box)",
                concat(base, "-b", "a@" + box, "-b", "b@" + box));

        Files.writeString(store, "{\"" + peer + "\": \"tooshort\"}");
        assertFails(store + ": entry '" + peer + "': public key is 8 characters, a Z85 key has 40", concat(base, "-b", "main@" + box));
        Files.writeString(store, "{\"" + peer + "\": ");
        assertFails(store + ":1: malformed JSON", concat(base, "-b", "main@" + box));
        Files.writeString(keys, "not json");
        assertFails(keys + ":1: malformed JSON", concat(base, "-b", "main@" + box));
    }

    @Test
    void anAddressInUseIsRefused() throws Exception {
        String[] keyFiles = keyFiles();
        int port = Integer.parseInt(hostname.substring(hostname.lastIndexOf(':') + 1));
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertFails("--hostname: cannot bind hostname " + hostname + ": address already in use",
                    concat(keyFiles, "-p", hostname, "-n", peer, "-b", "main@" + box));
        }
    }

    @Test
    void choicesAndTheControlFolderAreCheckedBeforeABoxIsTouched() throws Exception {
        Path conf = home.resolve("choices.conf");
        String[] base = concat(keyFiles(), "-c", conf.toString());
        String lines = "hostname = " + hostname + "\nnode = " + peer + "\nbox = main@" + box + "\n";
        Files.writeString(conf, lines + "resolver = main:bogus\n");
        assertFails(conf + ":4: box 'main': no conflict resolver 'bogus' among the plugins (found: ", base);
        Files.writeString(conf, lines + "backup = main:simple:abc\n");
        assertFails(conf + ":4: box 'main': backup simple:abc: ", base);
        Files.writeString(conf, lines);
        Path open = Files.createDirectories(home.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = open.resolve("control.sock");
        assertFails(socket + ": the folder " + open + " of the control socket is open to other users", concat(base, "--control", socket.toString()));
        assertThat(box.resolve(".flocksy")).as("no index made for a refused start").doesNotExist();
    }

    /** A key pair for this node's hostname and a keystore with it and the peer: the flags that point at them. */
    private String[] keyFiles() throws IOException {
        CurveKeyPair own = CurveKeyPair.generate();
        Path keys = home.resolve("keys.json");
        Path store = home.resolve("store.json");
        KeyFiles.writePrivateKeys(keys, Map.of(hostname, own));
        KeyFiles.writeKeystore(store, Map.of(hostname, own.publicKey(), peer, CurveKeyPair.generate().publicKey()));
        return new String[] {"--privatekey", keys.toString(), "--keystore", store.toString()};
    }

    private void assertFails(String messageStart, String... args) throws Exception {
        Map<String, Long> before = listing(dir);
        Flocksy.Result r = Flocksy.run(home, 60, args);
        assertThat(r.exit()).as("exit code of flocksy %s, stderr: %s", String.join(" ", args), r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).as("stderr").hasSize(1);
        assertThat(r.err().strip()).startsWith("flocksy: " + messageStart);
        assertThat(listing(dir)).as("files after a refused start").isEqualTo(before);
    }

    /** Every file under {@code root} with its size and mtime: a refused start must leave it unchanged. */
    private static Map<String, Long> listing(Path root) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().matches("(out|err).*\\.txt")) {
                    files.put(root.relativize(p) + "@" + Files.getLastModifiedTime(p).toMillis(), Files.size(p));
                }
            }
        }
        return files;
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
