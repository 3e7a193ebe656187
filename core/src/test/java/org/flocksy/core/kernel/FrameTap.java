package org.flocksy.core.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.crypto.CurveKeyPair;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A group member that runs no node, only listens: it subscribes to every node's PUB socket over CURVE
 * with its own key from the keystore and records each frame's arrival time, size and (decrypted) status,
 * as an observer inside the group would. Its key is a member of the flock that never heartbeats.
 */
final class FrameTap implements AutoCloseable {
    /** One frame as it arrived from node {@code node} (0-based, in the order given). */
    record Seen(int node, long atNanos, int bytes, int status) {}

    private final ZContext context = new ZContext();
    private final List<ZMQ.Socket> sockets = new ArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    FrameTap(LocalFlock.Member self, List<LocalFlock.Member> nodes) throws Exception {
        CurveKeyPair keys = KeyFiles.readPrivateKeys(self.privateKeys()).get(self.hostname());
        var keystore = KeyFiles.readKeystore(self.settings().keystore().value());
        for (LocalFlock.Member node : nodes) {
            ZMQ.Socket sub = context.createSocket(SocketType.SUB);
            sub.setRcvHWM(100_000);
            sub.setCurveServerKey(ZMQ.Curve.z85Decode(keystore.get(node.hostname())));
            sub.setCurvePublicKey(keys.publicKeyBytes());
            sub.setCurveSecretKey(keys.secretKeyBytes());
            sub.subscribe(ZMQ.SUBSCRIPTION_ALL);
            sub.connect(node.hostname());
            sockets.add(sub);
        }
        thread = new Thread(this::receive, "frame-tap");
        thread.start();
    }

    private void receive() {
        ZMQ.Poller poller = context.createPoller(sockets.size());
        sockets.forEach(s -> poller.register(s, ZMQ.Poller.POLLIN));
        while (running) {
            if (poller.poll(100) <= 0) {
                continue;
            }
            for (int i = 0; i < sockets.size(); i++) {
                for (byte[] frame; (frame = sockets.get(i).recv(ZMQ.DONTWAIT)) != null; ) {
                    int status = (frame[0] - '0') * 100 + (frame[1] - '0') * 10 + (frame[2] - '0');
                    seen.add(new Seen(i, System.nanoTime(), frame.length, status));
                }
            }
        }
        poller.close();
    }

    /** Everything seen so far, in arrival order. */
    List<Seen> seen() {
        return List.copyOf(seen);
    }

    int mark() {
        return seen.size();
    }

    List<Seen> since(int mark) {
        List<Seen> all = seen();
        return all.subList(Math.min(mark, all.size()), all.size());
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.close();
    }
}
