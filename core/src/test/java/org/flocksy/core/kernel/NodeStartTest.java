package org.flocksy.core.kernel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flocksy.api.BoxSpec;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.testing.TestPlugins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStartTest {
    private static final Blake2b BLAKE2B = Blake2b.load();

    @Test
    void anAddressInUseIsAConfigErrorNamingTheHostname(@TempDir Path dir) throws Exception {
        LocalFlock.Member m = LocalFlock.create(dir, 2).get(0);
        int port = Integer.parseInt(m.hostname().substring(m.hostname().lastIndexOf(':') + 1));
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            Node node = Node.create(m.settings(), TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults());
            assertThatThrownBy(node::start)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("demo: cannot bind hostname " + m.hostname() + ": address already in use");
        }
    }

    @Test
    void boxesThatAreNotDirectoriesOrShareAPathAreRefused(@TempDir Path dir) throws Exception {
        LocalFlock.Member m = LocalFlock.create(dir, 2).get(0);
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Settings notDir = withBoxes(m.settings(), List.of(new Declared<>(new BoxSpec("b", file.toString()), "cfg:3")));
        assertThatThrownBy(() -> Node.create(notDir, TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cfg:3: box 'b': " + file + " is not a directory");

        Settings same = withBoxes(m.settings(), List.of(
                new Declared<>(new BoxSpec("one", m.box().toString()), "cfg:3"),
                new Declared<>(new BoxSpec("two", m.box() + "/."), "--box")));
        assertThatThrownBy(() -> Node.create(same, TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--box: box 'two' uses " + m.box().toRealPath() + ", the same path as box 'one' (cfg:3)");
    }

    private static Settings withBoxes(Settings s, List<Declared<BoxSpec>> boxes) {
        return new Settings(s.hostnames(), s.nodes(), boxes, s.keystore(), s.privateKeys());
    }
}
