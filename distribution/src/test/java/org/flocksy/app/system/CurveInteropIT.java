package org.flocksy.app.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.crypto.CurveKeyPair;
import org.flocksy.core.kernel.LocalFlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native CURVE and pure-Java CURVE on one wire: two {@code bin/flocksy} processes, one on libsodium and one
 * forced onto jnacl's primitives, connect both ways (each is the other's CURVE server and client) and sync a
 * file in each direction.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CurveInteropIT {
    @Test
    void aNodeOnLibsodiumAndANodeOnPureJavaSyncBothWays(@TempDir Path dir) throws Exception {
        List<Integer> ports = LocalFlock.freePorts(2);
        List<String> hosts = List.of("tcp://127.0.0.1:" + ports.get(0), "tcp://127.0.0.1:" + ports.get(1));
        Map<String, String> keystore = new LinkedHashMap<>();
        List<CurveKeyPair> pairs = new ArrayList<>();
        for (String host : hosts) {
            CurveKeyPair pair = CurveKeyPair.generate();
            pairs.add(pair);
            keystore.put(host, pair.publicKey());
        }
        List<Path> homes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path home = Files.createDirectories(dir.resolve("node" + i));
            Files.createDirectories(home.resolve("box"));
            KeyFiles.writePrivateKeys(home.resolve(".ssh/flocksy_privatekeys"), Map.of(hosts.get(i), pairs.get(i)));
            KeyFiles.writeKeystore(home.resolve(".ssh/flocksy_keystore"), keystore);
            Files.writeString(home.resolve(".flocksy"), "hostname = " + hosts.get(i) + "\nnode = " + hosts.get(1 - i) + "\nbox = shared@"
                    + home.resolve("box") + "\n");
            homes.add(home);
        }
        List<Process> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                ProcessBuilder pb = Flocksy.builder(homes.get(i)).redirectErrorStream(true).redirectOutput(homes.get(i).resolve("log").toFile());
                if (i == 1) {
                    pb.environment().put("JAVA_OPTS", pb.environment().get("JAVA_OPTS") + " -Dflocksy.nacl=java");
                }
                nodes.add(pb.start());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> log(homes.get(0)).contains("(1/1 connected)") && log(homes.get(1)).contains("(1/1 connected)"));
            assertThat(log(homes.get(0))).contains("CURVE crypto on libsodium");
            assertThat(log(homes.get(1))).contains("CURVE crypto on pure Java (jnacl)");

            byte[] fromNative = new byte[300_000];
            new java.util.Random(1).nextBytes(fromNative);
            byte[] fromJava = new byte[200_000];
            new java.util.Random(2).nextBytes(fromJava);
            Files.write(homes.get(0).resolve("box/from-native.bin"), fromNative);
            Files.write(homes.get(1).resolve("box/from-java.bin"), fromJava);
            await().atMost(Duration.ofSeconds(120)).until(() -> same(homes.get(1).resolve("box/from-native.bin"), fromNative)
                    && same(homes.get(0).resolve("box/from-java.bin"), fromJava));
        } finally {
            for (Process p : nodes) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        assertThat(nodes).allSatisfy(p -> assertThat(p.exitValue()).isZero());
    }

    private static String log(Path home) throws Exception {
        return Files.exists(home.resolve("log")) ? Files.readString(home.resolve("log")) : "";
    }

    private static boolean same(Path file, byte[] content) throws Exception {
        return Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), content);
    }
}
