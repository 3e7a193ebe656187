package org.flocksy.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.flocksy.core.crypto.CurveKeyPair;
import org.flocksy.core.loop.Failure;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Issue 13, item 6: JeroMQ admits every CURVE client once no ZAP handler answers, so a handler that dies of
 * an error (an OutOfMemoryError, not only a RuntimeException) must stop the node's publishing at once and
 * report the failure that ends the daemon.
 */
class ZapFailClosedTest {
    @Test
    void aZapHandlerThatDiesOfAnErrorStopsPublishingAndReportsIt() throws Exception {
        Failure failure = new Failure();
        CurveKeyPair server = CurveKeyPair.generate();
        CurveKeyPair client = CurveKeyPair.generate();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (ZContext context = new ZContext()) {
            ZapHandler zap = new ZapHandler(context, key -> {
                throw new OutOfMemoryError("Java heap space (from the test)");
            }, "test", failure);
            zap.start();
            ZMQ.Socket pub = context.createSocket(SocketType.PUB);
            pub.setLinger(0);
            pub.setCurveServer(true);
            pub.setCurveSecretKey(server.secretKeyBytes());
            pub.setCurvePublicKey(server.publicKeyBytes());
            pub.setZapDomain("flocksy");
            pub.bind("tcp://127.0.0.1:" + port);
            Publisher publisher = new Publisher(List.of(pub), zap);
            publisher.send(new byte[256]);

            ZMQ.Socket sub = context.createSocket(SocketType.SUB);
            sub.setLinger(0);
            sub.setCurveServerKey(server.publicKeyBytes());
            sub.setCurvePublicKey(client.publicKeyBytes());
            sub.setCurveSecretKey(client.secretKeyBytes());
            sub.subscribe(ZMQ.SUBSCRIPTION_ALL);
            sub.connect("tcp://127.0.0.1:" + port);

            await().atMost(Duration.ofSeconds(20)).until(failure::failed);
            assertThat(failure.reason()).contains("the ZAP handler").contains("OutOfMemoryError");
            assertThat(zap.failed()).isTrue();
            assertThatThrownBy(() -> publisher.send(new byte[256])).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ZAP");
            sub.close();
            publisher.close();
            zap.close();
        }
    }

    @Test
    void onlyTheFirstFailureCountsAndLateListenersHearOfIt() {
        Failure failure = new Failure();
        assertThat(failure.failed()).isFalse();
        failure.report("the receive thread", new OutOfMemoryError("first"));
        failure.report("the sending thread", new IllegalStateException("second"));
        assertThat(failure.reason()).isEqualTo("the receive thread failed: java.lang.OutOfMemoryError: first");
        boolean[] heard = {false};
        failure.whenFailed(() -> heard[0] = true);
        assertThat(heard[0]).isTrue();
    }
}
