package org.flocksy.nacl;

import java.util.Locale;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * How many MiB/s of 4117-byte frames one JeroMQ CURVE connection carries on this machine (PUB to SUB over
 * loopback TCP), with whichever implementation {@link Nacl} chose. Every frame is encrypted once and decrypted
 * once, so this is the budget a flock shares: a node sends each frame to N−1 peers and receives from N−1.
 */
public final class CurveThroughput {
    private CurveThroughput() {}

    /** MiB/s over {@code frames} frames after a warm-up. */
    public static double measure(int frames) throws InterruptedException {
        try (ZContext context = new ZContext(1)) {
            ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
            ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
            ZMQ.Socket pub = context.createSocket(SocketType.PUB);
            pub.setCurveServer(true);
            pub.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
            pub.setSndHWM(100_000);
            if (Boolean.getBoolean("big")) { pub.setSendBufferSize(256 * 1024); }
            int port = pub.bindToRandomPort("tcp://127.0.0.1");
            ZMQ.Socket sub = context.createSocket(SocketType.SUB);
            sub.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
            sub.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
            sub.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
            sub.setRcvHWM(100_000);
            if (Boolean.getBoolean("big")) { sub.setReceiveBufferSize(256 * 1024); }
            sub.subscribe(new byte[0]);
            sub.connect("tcp://127.0.0.1:" + port);
            byte[] frame = new byte[4117];
            // The subscription has to arrive before anything is kept for the subscriber.
            sub.setReceiveTimeOut(20);
            while (sub.recv() == null) {
                pub.send(frame);
            }
            sub.setReceiveTimeOut(10_000);
            int warmup = frames / 4;
            long started = 0;
            Thread sender = new Thread(() -> {
                for (int i = 0; i < warmup + frames; i++) {
                    pub.send(frame);
                }
            });
            sender.start();
            for (int i = 0; i < warmup + frames; i++) {
                if (i == warmup) {
                    started = System.nanoTime();
                }
                if (sub.recv() == null) {
                    break;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            sender.join();
            return frames * 4117.0 / (1 << 20) / seconds;
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        System.out.printf(Locale.ROOT, "%s: %.1f MiB/s of 4117-byte frames over one CURVE connection%n", Nacl.implementation(), measure(frames));
    }
}
