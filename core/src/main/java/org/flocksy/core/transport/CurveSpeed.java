package org.flocksy.core.transport;

import java.time.Duration;
import java.util.Locale;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.nacl.Nacl;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * What one CurveZMQ link carries on this machine, in file frames per second: a PUB and a SUB with fresh keys
 * over loopback TCP, for a fraction of a second. Each end has a context and an I/O thread of its own, as the
 * two nodes of a link do (a node encrypts on its publisher's one I/O thread and decrypts on others): in one
 * shared context JeroMQ put both ends on one I/O thread about half the time, and the same machine measured
 * 50 000 or 110 000 frames/s by that chance. The daemon measures at start and now and then; {@code rate = auto}
 * follows from it.
 */
public final class CurveSpeed {
    /**
     * A handshake not done by then is dropped and the SUB connects again: with several I/O threads JeroMQ 0.6
     * leaves about one loopback CURVE handshake in fifty hanging (connected, accepted, never completed).
     */
    static final int HANDSHAKE_MS = 1_000;
    private static final long CONNECT_NANOS = 10_000_000_000L;
    private CurveSpeed() {}

    /** Prints what one link carries here, measured for the given seconds (default 2): for the benchmark scripts. */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        double frames = measure(Duration.ofMillis((long) (seconds * 1000)));
        System.out.printf(Locale.ROOT, "%.0f frames/s = %.1f MiB/s over one CURVE link (%s)%n", frames,
                frames * FrameCodec.FILE_FRAME_BYTES / 1048576, Nacl.implementation());
    }

    /** Frames per second over one link, measured for about {@code duration} after as long a warm-up (the JIT's). */
    public static double measure(Duration duration) {
        try (ZContext serverSide = new ZContext(1); ZContext clientSide = new ZContext(1)) {
            ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
            ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
            ZMQ.Socket pub = serverSide.createSocket(SocketType.PUB);
            pub.setCurveServer(true);
            pub.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
            pub.setSndHWM(10_000);
            pub.setLinger(0);
            pub.setHandshakeIvl(HANDSHAKE_MS);
            int port = pub.bindToRandomPort("tcp://127.0.0.1");
            ZMQ.Socket sub = clientSide.createSocket(SocketType.SUB);
            sub.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
            sub.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
            sub.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
            sub.setRcvHWM(10_000);
            sub.setLinger(0);
            sub.setHandshakeIvl(HANDSHAKE_MS);
            sub.subscribe(ZMQ.SUBSCRIPTION_ALL);
            sub.connect("tcp://127.0.0.1:" + port);
            byte[] frame = new byte[FrameCodec.FILE_FRAME_BYTES];
            sub.setReceiveTimeOut(20);
            long handshake = System.nanoTime() + CONNECT_NANOS;
            while (sub.recv() == null) {
                if (System.nanoTime() > handshake) {
                    throw new IllegalStateException("a loopback CURVE link did not connect within " + CONNECT_NANOS / 1_000_000_000L + " s");
                }
                pub.send(frame);
            }
            // Keep a window of frames in flight: the sender never runs far ahead of the receiver, so nothing is dropped.
            long warmUntil = System.nanoTime() + duration.toNanos();
            long until = warmUntil + duration.toNanos();
            long received = 0;
            long countedFrom = -1;
            long started = 0;
            int inFlight = 0;
            sub.setReceiveTimeOut(1_000);
            while (true) {
                while (inFlight < 256) {
                    pub.send(frame);
                    inFlight++;
                }
                if (sub.recv() == null) {
                    break;
                }
                inFlight--;
                long now = System.nanoTime();
                if (countedFrom < 0 && now >= warmUntil) {
                    countedFrom = received;
                    started = now;
                }
                received++;
                if (now >= until) {
                    return (received - countedFrom) * 1e9 / (now - started);
                }
            }
            throw new IllegalStateException("a loopback CURVE link stopped carrying frames");
        }
    }
}
