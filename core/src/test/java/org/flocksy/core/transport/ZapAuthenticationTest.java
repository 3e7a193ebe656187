package org.flocksy.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.CurveKeyPair;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.kernel.LocalFlock;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.testing.TestPlugins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** JeroMQ admits any CURVE client when no ZAP handler runs: prove ours keeps strangers out. */
@Timeout(60)
class ZapAuthenticationTest {

    @Test
    void aClientWithAnUnknownKeyReceivesNothingWhileAKnownOneReceivesHeartbeats(@TempDir Path dir) throws Exception {
        List<LocalFlock.Member> members = LocalFlock.create(dir, 3);
        LocalFlock.Member target = members.get(0);
        String serverKey = KeyFiles.readKeystore(target.settings().keystore().value()).get(target.hostname());
        CurveKeyPair known = KeyFiles.readPrivateKeys(members.get(1).privateKeys()).get(members.get(1).hostname());
        CurveKeyPair stranger = CurveKeyPair.generate();

        try (Node node = Node.create(target.settings(), TestPlugins.catalog(), Blake2b.load(), new SystemClock(), FlockTiming.defaults());
             ZContext context = new ZContext()) {
            node.start();
            ZMQ.Socket legit = subscriber(context, target.hostname(), serverKey, known);
            ZMQ.Socket rogue = subscriber(context, target.hostname(), serverKey, stranger);
            ZMQ.Socket wrongServer = subscriber(context, target.hostname(), CurveKeyPair.generate().publicKey(), known);
            int[] counts = new int[3];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                drain(legit, counts, 0);
                drain(rogue, counts, 1);
                drain(wrongServer, counts, 2);
                return counts[0] >= 8 && node.zapDenied() >= 1;
            });
            drain(rogue, counts, 1);
            drain(wrongServer, counts, 2);
            assertThat(counts[1]).as("frames delivered to a client whose key is not in the keystore").isZero();
            assertThat(counts[2]).as("frames delivered to a client that expects another server key").isZero();
        }
    }

    private static ZMQ.Socket subscriber(ZContext context, String endpoint, String serverKey, CurveKeyPair client) {
        ZMQ.Socket sub = context.createSocket(SocketType.SUB);
        sub.setLinger(0);
        sub.setCurveServerKey(ZMQ.Curve.z85Decode(serverKey));
        sub.setCurvePublicKey(client.publicKeyBytes());
        sub.setCurveSecretKey(client.secretKeyBytes());
        sub.subscribe(ZMQ.SUBSCRIPTION_ALL);
        sub.connect(endpoint);
        return sub;
    }

    private static void drain(ZMQ.Socket socket, int[] counts, int index) {
        while (socket.recv(ZMQ.DONTWAIT) != null) {
            counts[index]++;
        }
    }
}
