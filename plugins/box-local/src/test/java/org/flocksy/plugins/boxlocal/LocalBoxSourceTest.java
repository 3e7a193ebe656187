package org.flocksy.plugins.boxlocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.flocksy.api.BoxException;
import org.flocksy.api.BoxSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBoxSourceTest {
    private final LocalBoxPlugin.LocalBoxSource source = new LocalBoxPlugin.LocalBoxSource();

    @Test
    void acceptsPathsButNotOtherSchemes() {
        assertThat(source.accepts("/home/ann/box")).isTrue();
        assertThat(source.accepts("relative/dir")).isTrue();
        assertThat(source.accepts("/path/with:colon")).isTrue();
        assertThat(source.accepts("usb:PHOTOS")).isFalse();
    }

    @Test
    void resolvesAnExistingDirectoryToItsRealPath(@TempDir Path dir) throws Exception {
        Path box = Files.createDirectory(dir.resolve("box"));
        assertThat(source.resolve(new BoxSpec("b", dir + "/./box"))).isEqualTo(box.toRealPath());
    }

    @Test
    void refusesAFileAndAMissingPathNamingTheBox(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertThatThrownBy(() -> source.resolve(new BoxSpec("docs", file.toString())))
                .isInstanceOf(BoxException.class)
                .hasMessage("box 'docs': " + file + " is not a directory");
        assertThatThrownBy(() -> source.resolve(new BoxSpec("docs", dir.resolve("nope").toString())))
                .isInstanceOf(BoxException.class)
                .hasMessageContaining("box 'docs'")
                .hasMessageContaining("is not a directory");
    }
}
