package org.flocksy.app.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.flocksy.core.plugin.PluginControl;
import org.flocksy.core.plugin.PluginHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plugins disable} against the installation's real plugin JARs: a plugin the boxes need is not
 * disabled (the next start would fail), any other is, and the listing shows what the next start changes.
 */
class PluginDisableIT {
    @TempDir
    Path dir;

    @Test
    void aPluginTheBoxesNeedIsNotDisabled() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (Stream<Path> jars = Files.list(Flocksy.INSTALLATION.resolve("plugins"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, plugins.resolve(jar.getFileName()));
            }
        }
        PluginControl.InUse inUse = new PluginControl.InUse(List.of(dir.resolve("box").toString()),
                Set.of("keep-both", "trashcan"));
        try (PluginHost host = PluginHost.open(plugins)) {
            assertThatThrownBy(() -> host.enable("box-local", false, inUse))
                    .hasMessageStartingWith("plugin 'box-local' is not disabled: its box source")
                    .hasMessageEndingWith("so the next start would fail");
            assertThatThrownBy(() -> host.enable("conflict-keep-both", false, inUse))
                    .hasMessage("plugin 'conflict-keep-both' is not disabled: a box uses its 'keep-both', so the next start would fail");
            host.enable("conflict-newest", false, inUse);
            host.enable("watcher-poll", false, inUse);
            assertThat(host.list()).anySatisfy(p -> {
                assertThat(p.id()).isEqualTo("conflict-newest");
                assertThat(p.state()).isEqualTo("started (disabled from the next start)");
                assertThat(p.extensions()).as("what the config names it by").containsExactly("resolver newest");
            });
            assertThatThrownBy(() -> host.enable("watcher-native", false, inUse))
                    .hasMessage("plugin 'watcher-native' is not disabled: it has the only file watcher that works here, so the next start would fail");
            assertThat(host.list()).anySatisfy(p -> {
                assertThat(p.id()).isEqualTo("watcher-poll");
                assertThat(p.state()).isEqualTo("started (disabled from the next start)");
            });
            host.enable("watcher-poll", true, inUse);
            assertThat(host.list()).filteredOn(p -> p.id().equals("watcher-poll")).singleElement()
                    .satisfies(p -> assertThat(p.state()).isEqualTo("started"));
            assertThat(host.list()).filteredOn(p -> p.id().equals("box-local")).singleElement()
                    .satisfies(p -> assertThat(p.extensions()).containsExactly("box source local"));
        }
        assertThat(readOrEmpty(plugins.resolve("disabled.txt"))).contains("conflict-newest").doesNotContain("box-local", "watcher-poll");
        try (PluginHost next = PluginHost.open(plugins)) {
            assertThat(next.catalog().resolvers()).extracting(r -> r.id()).containsExactly("keep-both");
            assertThat(next.catalog().watchers()).isNotEmpty();
        }
    }

    private static String readOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
