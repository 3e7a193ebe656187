package org.flocksy.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flocksy.api.BoxSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path home;

    private Settings load(Flags flags) throws ConfigException {
        return new SettingsLoader(home).load(flags, true);
    }

    private static Flags flags(Path config, boolean required, List<String> h, List<String> n, List<String> b) {
        return new Flags(config, required, null, null, h, n, b);
    }

    @Test
    void readsTheSeedsFormatAndFlagsAddToIt() throws Exception {
        Files.writeString(home.resolve(".flocksy"), """
                # node one
                [program]
                hostname = tcp://127.0.0.1:5671
                node = 127.0.0.1:5672
                box = main@/tmp/with@sign

                box = second@/tmp/b
                """);
        Settings s = load(flags(null, false, List.of(), List.of("tcp://127.0.0.1:5673"), List.of("third@/tmp/c")));
        assertThat(s.hostnames()).extracting(Declared::value).containsExactly("tcp://127.0.0.1:5671");
        assertThat(s.nodes()).extracting(Declared::value).containsExactly("tcp://127.0.0.1:5672", "tcp://127.0.0.1:5673");
        assertThat(s.boxes()).extracting(Declared::value).containsExactly(
                new BoxSpec("main", "/tmp/with@sign"), new BoxSpec("second", "/tmp/b"), new BoxSpec("third", "/tmp/c"));
        assertThat(s.boxes().get(1).origin()).isEqualTo(home.resolve(".flocksy") + ":7");
        assertThat(s.boxes().get(2).origin()).isEqualTo("--box");
        assertThat(s.keystore().value()).isEqualTo(home.resolve(".ssh/flocksy_keystore"));
        assertThat(s.privateKeys().value()).isEqualTo(home.resolve(".ssh/flocksy_privatekeys"));
    }

    @Test
    void resolversAreChosenPerBoxAndCheckedForForm() throws Exception {
        Path config = home.resolve(".flocksy");
        Files.writeString(config, "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@/tmp/d\nbox = pics@/tmp/p\n"
                + "resolver = docs:newest\nbackup = pics:simple:10\n");
        Settings s = load(flags(null, false, List.of(), List.of(), List.of()));
        assertThat(s.resolverOf("docs")).isEqualTo("newest");
        assertThat(s.resolverOf("pics")).isEqualTo(Settings.DEFAULT_RESOLVER);
        assertThat(s.backupOf("pics")).isEqualTo("simple:10");
        assertThat(s.backupOf("docs")).isEqualTo(Settings.DEFAULT_BACKUP);

        Files.writeString(config, "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@/tmp/d\nresolver = newest\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of())))
                .hasMessage(config + ":4: malformed resolver 'newest' (expected BOX:RESOLVER, e.g. docs:newest)");
        Files.writeString(config, "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@/tmp/d\nresolver = dosc:newest\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of())))
                .hasMessageContaining(config + ":4").hasMessageContaining("resolver for box 'dosc', which is not declared");
        Files.writeString(config, "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@Documents\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of())))
                .hasMessage(config + ":3: box 'docs': give its folder as an absolute path (or ~/…), not 'Documents'");
        Files.writeString(config, "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@~/Documents\nbox = stick@usb:STICK\n");
        assertThat(load(flags(null, false, List.of(), List.of(), List.of())).boxes()).hasSize(2);
    }

    @Test
    void versionsMaxIsASizePerBox() throws Exception {
        Path config = home.resolve(".flocksy");
        String base = "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@/tmp/d\nbox = pics@/tmp/p\n";
        Files.writeString(config, base + "versions-max = docs:20GiB\nversions-max = pics: 1.5 TB\n");
        Settings s = load(flags(null, false, List.of(), List.of(), List.of()));
        assertThat(s.versionsMaxOf("docs")).isEqualTo(20L << 30);
        assertThat(s.versionsMaxOf("pics")).isEqualTo(1_500_000_000_000L);
        Files.writeString(config, base + "versions-max = docs:500M\n");
        assertThat(load(flags(null, false, List.of(), List.of(), List.of())).versionsMaxOf("docs")).isEqualTo(500L << 20);
        assertThat(load(flags(null, false, List.of(), List.of(), List.of())).versionsMaxOf("pics")).as("the default: a tenth of its disk").isNull();
        Files.writeString(config, base + "versions-max = docs:lots\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of())))
                .hasMessage(config + ":5: versions-max for box 'docs' 'lots' is not a size like 500MiB, 20G or 1.5TB");
        Files.writeString(config, base + "versions-max = dosc:1G\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of())))
                .hasMessageContaining("versions-max for box 'dosc', which is not declared");
    }

    @Test
    void symlinkModesArePerBoxAndNamed() throws Exception {
        Path config = home.resolve(".flocksy");
        Files.writeString(config, "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@/tmp/d\nbox = pics@/tmp/p\n"
                + "symlinks = pics:follow\n");
        Settings s = load(flags(null, false, List.of(), List.of(), List.of()));
        assertThat(s.symlinksOf("pics")).isEqualTo("follow");
        assertThat(s.symlinksOf("docs")).isEqualTo("copy");
        Files.writeString(config, "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@/tmp/d\nsymlinks = docs:skip\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of())))
                .hasMessage(config + ":4: symlinks for box 'docs': unknown mode 'skip' (expected one of copy, follow, ignore)");
    }

    @Test
    void aMissingDefaultConfigIsFineWhenFlagsSayEnough() throws Exception {
        Settings s = load(flags(null, false, List.of("tcp://127.0.0.1:1"), List.of("tcp://127.0.0.1:2"), List.of("b@/x")));
        assertThat(s.nodeName()).isEqualTo("tcp://127.0.0.1:1");
    }

    @Test
    void aMissingConfigNamedWithDashCIsAnError() {
        Path missing = home.resolve("nope.conf");
        assertThatThrownBy(() -> load(flags(missing, true, List.of(), List.of(), List.of())))
                .isInstanceOf(ConfigException.class).hasMessage(missing + ": config file not found");
    }

    @Test
    void keyFilePathsFromFlagsOverrideTheFile() throws Exception {
        Files.writeString(home.resolve(".flocksy"), "keystore = ~/ks\nprivatekey = /etc/pk\n");
        Settings fromFile = load(flags(null, false, List.of("tcp://a:1"), List.of("tcp://b:1"), List.of("x@/y")));
        assertThat(fromFile.keystore().value()).isEqualTo(home.resolve("ks"));
        assertThat(fromFile.privateKeys().value()).isEqualTo(Path.of("/etc/pk"));
        Settings fromFlags = new SettingsLoader(home).load(new Flags(null, false, Path.of("/k"), Path.of("/p"),
                List.of("tcp://a:1"), List.of("tcp://b:1"), List.of("x@/y")), true);
        assertThat(fromFlags.keystore()).isEqualTo(new Declared<>(Path.of("/k"), "--keystore"));
        assertThat(fromFlags.privateKeys().value()).isEqualTo(Path.of("/p"));
    }

    @Test
    void errorsNameTheFileAndLine() throws Exception {
        Path conf = home.resolve("c");
        assertError(conf, "hostname = tcp://a:1\nnodes = tcp://b:1\n", conf + ":2: unknown key 'nodes'");
        assertError(conf, "hostname tcp://a:1\n", conf + ":1: expected 'key = value', got 'hostname tcp://a:1'");
        assertError(conf, "hostname = tcp://a:1\nbox = nameonly\n", conf + ":2: malformed box 'nameonly'");
        assertError(conf, "hostname = tcp://a:1\nbox = @/path\n", conf + ":2: malformed box '@/path'");
        assertError(conf, "hostname = http://a:1\n", conf + ":1: 'http://a:1' is not an endpoint");
        assertError(conf, "hostname = tcp://a:99999\n", conf + ":1: port 99999 out of range");
        assertError(conf, "hostname = tcp://a:1\nnode = tcp://a:1\nbox = b@/x\n", conf + ":2: node tcp://a:1 is this node's own hostname");
        assertError(conf, "hostname = tcp://a:1\nbox = b@/x\nbox = b@/y\n", conf + ":3: box name 'b' is already declared at " + conf + ":2");
        assertError(conf, "node = tcp://a:1\n", "no hostname given");
        assertError(conf, "hostname = tcp://a:1\nnode = tcp://b:1\n", "no box given");
        assertError(conf, "hostname = tcp://a:1\nbox = b@/x\n", "no node given");
    }

    @Test
    void flagErrorsNameTheFlag() {
        assertThatThrownBy(() -> load(flags(null, false, List.of("tcp://a:1"), List.of("nonsense"), List.of("b@/x"))))
                .hasMessageStartingWith("--node: 'nonsense' is not an endpoint");
        assertThatThrownBy(() -> load(flags(null, false, List.of("tcp://a:1"), List.of("tcp://b:2"), List.of("noat"))))
                .hasMessageStartingWith("--box: malformed box 'noat'");
    }

    private void assertError(Path conf, String text, String messageStart) throws Exception {
        Files.writeString(conf, text);
        assertThatThrownBy(() -> load(flags(conf, true, List.of(), List.of(), List.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(messageStart)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theRateIsAutoOrANumberAndTheBandwidthHasAUnit() throws Exception {
        Path config = home.resolve(".flocksy");
        String base = "hostname = tcp://127.0.0.1:1\nnode = tcp://127.0.0.1:2\nbox = docs@/tmp/d\n";
        Files.writeString(config, base);
        assertThat(load(flags(null, false, List.of(), List.of(), List.of())).rate()).isEqualTo(RateSetting.AUTO);

        Files.writeString(config, base + "rate = 2400\nmax-bandwidth = 20MiB\n");
        Settings s = load(flags(null, false, List.of(), List.of(), List.of()));
        assertThat(s.rate().framesPerSecond()).isEqualTo(new Declared<>(2400, config + ":4"));
        assertThat(s.rate().maxBandwidth()).isEqualTo(new Declared<>(20L * 1024 * 1024, config + ":5"));

        Settings flagged = load(new Flags(null, false, null, null, List.of(), List.of(), List.of(), "auto", "100 Mbit/s"));
        assertThat(flagged.rate().auto()).as("--rate auto wins over the file's number").isTrue();
        assertThat(flagged.rate().maxBandwidth()).isEqualTo(new Declared<>(12_500_000L, "--max-bandwidth"));
        for (String[] good : new String[][] {{"2.5MB/s", "2500000"}, {"800KiB", "819200"}, {"1gbit", "125000000"}, {"4096", "4096"}}) {
            assertThat(RateSetting.parseBandwidth(good[0], "t")).as(good[0]).isEqualTo(Long.parseLong(good[1]));
        }

        Files.writeString(config, base + "rate = fast\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of())))
                .hasMessage(config + ":4: rate 'fast' is neither 'auto' nor a number of frames per second from 50 to 50000");
        Files.writeString(config, base + "rate = 10\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of()))).hasMessageContaining(":4: rate '10' is neither");
        Files.writeString(config, base + "max-bandwidth = lots\n");
        assertThatThrownBy(() -> load(flags(null, false, List.of(), List.of(), List.of())))
                .hasMessage(config + ":4: max-bandwidth 'lots' is not a rate like 20MiB, 2.5MB/s or 100Mbit");
        Files.writeString(config, base);
        assertThatThrownBy(() -> load(new Flags(null, false, null, null, List.of(), List.of(), List.of(), null, "0")))
                .hasMessage("--max-bandwidth: max-bandwidth '0' is not a rate like 20MiB, 2.5MB/s or 100Mbit");
    }
}
