package org.flocksy.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.file.Path;
import java.util.List;
import org.flocksy.api.BoxException;
import org.flocksy.api.BoxSource;
import org.flocksy.api.BoxSpec;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Declared;
import org.flocksy.plugins.boxlocal.LocalBoxPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Box sources that fail (mocked): each failure is one line naming the config line, never a crash. */
class BoxResolverTest {
    @TempDir
    Path dir;

    private static BoxSource source(String id) {
        BoxSource source = mock(BoxSource.class);
        when(source.id()).thenReturn(id);
        return source;
    }

    private static List<Declared<BoxSpec>> box(String location) {
        return List.of(new Declared<>(new BoxSpec("docs", location), "/home/ann/.flocksy:3"));
    }

    @Test
    void aSourceThatThrowsIsNamedWithTheConfigLine() throws Exception {
        BoxSource broken = source("usb");
        when(broken.accepts("usb:STICK")).thenReturn(true);
        when(broken.resolve(any())).thenThrow(new IllegalStateException("udev went away"));
        PluginCatalog catalog = new PluginCatalog(List.of(broken), List.of());
        assertThatThrownBy(() -> BoxResolver.resolve(box("usb:STICK"), catalog)).isInstanceOf(ConfigException.class)
                .hasMessage("/home/ann/.flocksy:3: box source 'usb' failed: java.lang.IllegalStateException: udev went away");
    }

    @Test
    void aSourceThatRefusesSaysWhyInItsOwnWords() throws Exception {
        BoxSource absent = source("usb");
        when(absent.accepts(anyString())).thenReturn(true);
        when(absent.resolve(any())).thenThrow(new BoxException("no drive labelled STICK is mounted"));
        assertThatThrownBy(() -> BoxResolver.resolve(box("usb:STICK"), new PluginCatalog(List.of(absent), List.of())))
                .hasMessage("/home/ann/.flocksy:3: no drive labelled STICK is mounted");
    }

    @Test
    void aSourceWhoseAcceptsThrowsIsPassedOver() throws Exception {
        BoxSource confused = source("confused");
        when(confused.priority()).thenReturn(100);
        when(confused.accepts(anyString())).thenThrow(new NullPointerException());
        PluginCatalog catalog = new PluginCatalog(List.of(confused, new LocalBoxPlugin.LocalBoxSource()), List.of());
        assertThat(BoxResolver.resolve(box(dir.toString()), catalog)).singleElement()
                .satisfies(b -> assertThat(b.root()).isEqualTo(dir.toRealPath()));
        assertThatThrownBy(() -> BoxResolver.resolve(box("usb:STICK"), new PluginCatalog(List.of(confused), List.of())))
                .hasMessage("/home/ann/.flocksy:3: no box source plugin accepts 'usb:STICK'");
    }
}
