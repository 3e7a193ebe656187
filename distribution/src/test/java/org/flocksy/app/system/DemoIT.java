package org.flocksy.app.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flocksy demo} from the built tree: no config, no keys, plugins found through PF4J in plugins/. */
class DemoIT {

    @Test
    void theDemoSyncsItsSampleFileAndPrintsTheTrafficTable(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("empty-home"));
        Path kept = dir.resolve("demo");
        Flocksy.Result r = Flocksy.run(home, 120, "demo", "--dir", kept.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("all three nodes connected", "byte-identical on all three nodes",
                "heartbeat  data(200)  fake(210)");
        assertThat(r.err()).contains("watching with native");
        for (int n = 1; n <= 3; n++) {
            assertThat(kept.resolve("node" + n + "/box/hello-flock.txt")).hasSameBinaryContentAs(kept.resolve("node1/box/hello-flock.txt"));
        }
        try (Stream<Path> files = Files.list(home)) {
            assertThat(files).as("the demo needs nothing in HOME and writes nothing there").isEmpty();
        }
    }

    @Test
    void theInstallationHoldsBinLibPluginsAndConf() throws Exception {
        Path root = Flocksy.INSTALLATION;
        assertThat(root.resolve("bin/flocksy")).isExecutable();
        assertThat(root.resolve("lib/flocksy.jar")).isRegularFile();
        assertThat(root.resolve("conf/flocksy.conf.example")).isRegularFile();
        try (Stream<Path> plugins = Files.list(root.resolve("plugins"))) {
            assertThat(plugins.map(p -> p.getFileName().toString()).toList())
                    .anyMatch(n -> n.startsWith("flocksy-plugin-box-local"))
                    .anyMatch(n -> n.startsWith("flocksy-plugin-watcher-poll"))
                    .anyMatch(n -> n.startsWith("flocksy-plugin-watcher-native"));
        }
        try (Stream<Path> libs = Files.list(root.resolve("lib"))) {
            assertThat(libs.map(p -> p.getFileName().toString()).toList())
                    .as("no plugin on the host classpath").noneMatch(n -> n.contains("plugin-"));
        }
        Path parent = root.getParent();
        try (Stream<Path> tars = Files.list(parent)) {
            List<Path> found = tars.filter(p -> p.getFileName().toString().matches("flocksy-.*\\.tar\\.gz")).toList();
            assertThat(found).hasSize(1);
            Process tar = new ProcessBuilder("tar", "tzf", found.get(0).toString()).redirectErrorStream(true).start();
            String listing = new String(tar.getInputStream().readAllBytes());
            assertThat(tar.waitFor()).isZero();
            assertThat(listing).contains("/bin/flocksy", "/lib/flocksy.jar", "/plugins/flocksy-plugin-box-local", "/conf/flocksy.conf.example", "/LICENSE");
        }
    }
}
