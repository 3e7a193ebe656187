package org.flocksy.core.kernel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flocksy.api.BoxSpec;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.CurveKeyPair;

/**
 * A flock of {@code n} nodes on 127.0.0.1 laid out in one directory, with fresh keys: {@code nodeK/box},
 * {@code nodeK/privatekeys}, one shared {@code keystore}. For {@code flocksy demo} and for tests.
 */
public final class LocalFlock {
    public static final String BOX = "demo";

    private LocalFlock() {}

    /** One node of the layout. */
    public record Member(String hostname, Path box, Path privateKeys, Settings settings) {}

    public static List<Member> create(Path dir, int n) throws IOException {
        List<String> hostnames = new ArrayList<>();
        for (int port : freePorts(n)) {
            hostnames.add("tcp://127.0.0.1:" + port);
        }
        Path keystore = dir.resolve("keystore");
        Map<String, String> publicKeys = new LinkedHashMap<>();
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path home = Files.createDirectories(dir.resolve("node" + (i + 1)));
            Path box = Files.createDirectories(home.resolve("box"));
            Path privateKeys = home.resolve("privatekeys");
            CurveKeyPair keys = CurveKeyPair.generate();
            KeyFiles.writePrivateKeys(privateKeys, Map.of(hostnames.get(i), keys));
            publicKeys.put(hostnames.get(i), keys.publicKey());
            List<Declared<String>> nodes = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    nodes.add(new Declared<>(hostnames.get(j), "demo"));
                }
            }
            Settings settings = new Settings(List.of(new Declared<>(hostnames.get(i), "demo")), nodes,
                    List.of(new Declared<>(new BoxSpec(BOX, box.toString()), "demo")),
                    new Declared<>(keystore, "demo"), new Declared<>(privateKeys, "demo"));
            members.add(new Member(hostnames.get(i), box, privateKeys, settings));
        }
        KeyFiles.writeKeystore(keystore, publicKeys);
        return members;
    }

    /**
     * Ports the system reports free now, all held open until every one is chosen so none repeats. Another
     * process may still take one before the node binds; the node then fails with "address already in use".
     */
    public static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
