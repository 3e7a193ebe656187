package org.flocksy.app.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.kernel.LocalFlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The template resolver as a user would use it: its plugin JAR (built by the reactor from
 * plugins/example-resolver) is dropped into the plugins folder of an installation, a box's config names
 * it, and the daemon resolves that box's conflicts with it. A resolver the config names but no plugin
 * provides stops the daemon with one line.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExampleResolverIT {

    @Test
    void aDroppedInResolverPluginServesTheBoxThatNamesIt(@TempDir Path dir) throws Exception {
        Path installation = copyInstallation(dir.resolve("flocksy"));
        Files.copy(exampleJar(), installation.resolve("plugins").resolve(exampleJar().getFileName()));
        Path home = Files.createDirectories(dir.resolve("home"));
        writeConfig(home, "larger-wins");

        Process daemon = builder(installation, home).redirectErrorStream(true).redirectOutput(home.resolve("log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(home.resolve("log"))
                    .contains("box 'shared': conflicts resolved by larger-wins"));
            daemon.destroy();
            assertThat(daemon.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(daemon.exitValue()).isZero();
        } finally {
            daemon.destroyForcibly();
        }

        writeConfig(home, "no-such-resolver");
        Process refused = builder(installation, home).redirectErrorStream(true).redirectOutput(home.resolve("log2").toFile()).start();
        try {
            assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).isEqualTo(2);
            assertThat(Files.readString(home.resolve("log2"))).contains(
                    "box 'shared': no conflict resolver 'no-such-resolver' among the plugins (found: ");
        } finally {
            refused.destroyForcibly();
        }
    }

    private static ProcessBuilder builder(Path installation, Path home) {
        ProcessBuilder pb = new ProcessBuilder(installation.resolve("bin/flocksy").toString()).directory(home.toFile());
        pb.environment().put("HOME", home.toString());
        pb.environment().put("JAVA_OPTS", "-Djava.io.tmpdir=" + home);
        return pb;
    }

    /** One node configured with a peer (which never starts) and a box whose resolver is {@code resolver}. */
    private static void writeConfig(Path home, String resolver) throws Exception {
        Files.createDirectories(home.resolve("box"));
        if (!Files.exists(home.resolve(".ssh/flocksy_keystore"))) {
            List<Integer> ports = LocalFlock.freePorts(2);
            Map<String, String> keystore = new LinkedHashMap<>();
            for (int port : ports) {
                Path keysHome = port == ports.get(0) ? home : Files.createDirectories(home.resolve("peer"));
                Flocksy.Result keys = Flocksy.run(keysHome, 60, "--create-private-keys", "-p", "tcp://127.0.0.1:" + port);
                assertThat(keys.exit()).as(keys.err()).isZero();
                @SuppressWarnings("unchecked")
                Map<String, String> printed = new ObjectMapper().readValue(keys.out(), Map.class);
                keystore.putAll(printed);
            }
            KeyFiles.writeKeystore(home.resolve(".ssh/flocksy_keystore"), keystore);
            Files.writeString(home.resolve("ports"), ports.get(0) + " " + ports.get(1));
        }
        String[] ports = Files.readString(home.resolve("ports")).split(" ");
        Files.writeString(home.resolve(".flocksy"), "hostname = tcp://127.0.0.1:" + ports[0] + "\n"
                + "node = tcp://127.0.0.1:" + ports[1] + "\n"
                + "box = shared@" + home.resolve("box") + "\n"
                + "resolver = shared:" + resolver + "\n");
    }

    private static Path copyInstallation(Path target) throws IOException {
        try (Stream<Path> all = Files.walk(Flocksy.INSTALLATION)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path to = target.resolve(Flocksy.INSTALLATION.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }

    private static Path exampleJar() throws IOException {
        Path built = Path.of("..", "plugins", "example-resolver", "target").toAbsolutePath().normalize();
        try (Stream<Path> jars = Files.list(built)) {
            return jars.filter(p -> p.getFileName().toString().matches("flocksy-plugin-example-resolver-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("the example resolver was not built in " + built));
        }
    }
}
