package org.flocksy.core.transport;

import org.flocksy.core.traffic.Traffic;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Keyring;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Z85;
import org.flocksy.core.loop.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * One node's JeroMQ context: the ZAP handler, the PUB sockets (opened by the scheduler thread) and the
 * receive thread that owns the SUB sockets.
 */
public final class ZmqTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZmqTransport.class);
    /**
     * 25 s of a run at the default rate per subscriber (about 20 MiB): a healthy link never reaches it, and
     * an overloaded one drops instead of queueing heartbeats behind minutes of file frames and filling the
     * heap; the carousel repairs what was dropped.
     */
    static final int HIGH_WATER_MARK_FRAMES = 5_000;
    /** Frames taken from one peer's socket before the next peer's: bounds what one peer can make the others wait for. */
    static final int DRAIN_FRAMES_MAX = 256;
    /** After frames arrived, how long the receive thread lets the next ones gather before it looks again. */
    static final long RECEIVE_TICK_NANOS = 1_000_000L;
    /**
     * A CURVE handshake (with its ZAP request) not done by then is dropped and the SUB connects again. JeroMQ's
     * default is 30 s, and with several I/O threads about one loopback handshake in fifty hangs for good.
     */
    static final int HANDSHAKE_MS = 5_000;
    /** How often the thread looks whether it should stop, when nothing arrives: an idle node wakes 4 times a second. */
    private static final int POLL_MS = 250;
    private static final int RECONNECT_MS = 250;
    private static final int RECONNECT_MAX_MS = 2_000;

    private final Settings settings;
    private final Keyring keyring;
    private final Clock clock;
    private final Traffic traffic;
    private final Failure failure;
    private final ZContext context = new ZContext(ioThreads());
    private final ZapHandler zap;
    private Thread receiver;
    private volatile boolean running;

    @Inject
    public ZmqTransport(Settings settings, Keyring keyring, Clock clock, Traffic traffic, Failure failure) {
        this.settings = settings;
        this.keyring = keyring;
        this.clock = clock;
        this.traffic = traffic;
        this.failure = failure;
        this.context.setLinger(0);
        this.zap = new ZapHandler(context, keyring.admitted(), settings.nodeName(), failure);
    }

    /** Binds the ZAP handler, then starts receiving from every peer. */
    public void start(InboundListener listener) throws InterruptedException {
        zap.start();
        running = true;
        receiver = new Thread(() -> receive(listener), "flocksy-recv-" + settings.nodeName());
        receiver.setDaemon(true);
        receiver.start();
    }

    /**
     * Binds one CURVE-server PUB socket per hostname. Call on the thread that will send.
     *
     * @throws ConfigException when an address cannot be bound, naming the hostname and where it was declared
     */
    public Publisher openPublisher() throws ConfigException {
        List<ZMQ.Socket> sockets = new ArrayList<>();
        for (int i = 0; i < keyring.hosts().size(); i++) {
            Keyring.Host host = keyring.hosts().get(i);
            Declared<String> declared = settings.hostnames().get(i);
            ZMQ.Socket pub = context.createSocket(SocketType.PUB);
            pub.setLinger(0);
            pub.setSndHWM(HIGH_WATER_MARK_FRAMES);
            pub.setAffinity(PUBLISH_AFFINITY);
            pub.setHandshakeIvl(HANDSHAKE_MS);
            pub.setCurveServer(true);
            pub.setCurveSecretKey(host.keys().secretKeyBytes());
            pub.setCurvePublicKey(host.keys().publicKeyBytes());
            pub.setZapDomain("flocksy");
            try {
                pub.bind(host.endpoint());
            } catch (ZMQException e) {
                pub.close();
                sockets.forEach(ZMQ.Socket::close);
                String reason = e.getErrorCode() == ZMQ.Error.EADDRINUSE.getCode()
                        ? BindProbe.reason(host.endpoint()) : e.getMessage();
                throw new ConfigException(declared.error("cannot bind hostname " + host.endpoint() + ": " + reason));
            }
            sockets.add(pub);
        }
        return new Publisher(sockets, zap);
    }

    /**
     * I/O threads per node: CURVE encrypts and decrypts on them, one link on one thread, so with several the
     * links of a busy run spread over the cores.
     */
    static int ioThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The I/O thread of every publisher's links: JeroMQ hands one published message to every subscriber's
     * pipe and CURVE-encrypts it on that pipe's I/O thread, moving the shared buffer's position while it
     * reads it (no lock), so two threads encrypting the same frame at once sent one of them garbage. On one
     * thread a node's encryption stays serial; its decryption runs on the others.
     */
    static final long PUBLISH_AFFINITY = 1L;

    /** The I/O threads of the links this node receives on: all but the publishers' one, where there are others. */
    static long receiveAffinity() {
        int threads = ioThreads();
        return threads == 1 ? PUBLISH_AFFINITY : ((1L << threads) - 1) & ~PUBLISH_AFFINITY;
    }

    public long zapDenied() {
        return zap.deniedCount();
    }

    private void receive(InboundListener listener) {
        MDC.put("node", settings.nodeName());
        List<Keyring.Peer> peers = keyring.peers();
        List<ZMQ.Socket> subs = new ArrayList<>();
        try (ZMQ.Poller poller = context.createPoller(peers.size())) {
            for (Keyring.Peer peer : peers) {
                ZMQ.Socket sub = context.createSocket(SocketType.SUB);
                sub.setLinger(0);
                sub.setRcvHWM(HIGH_WATER_MARK_FRAMES);
                sub.setAffinity(receiveAffinity());
                sub.setHandshakeIvl(HANDSHAKE_MS);
                sub.setReconnectIVL(RECONNECT_MS);
                sub.setReconnectIVLMax(RECONNECT_MAX_MS);
                sub.setCurveServerKey(Z85.decodeKey(peer.publicKey()));
                sub.setCurvePublicKey(keyring.clientKeys().publicKeyBytes());
                sub.setCurveSecretKey(keyring.clientKeys().secretKeyBytes());
                sub.subscribe(ZMQ.SUBSCRIPTION_ALL);
                sub.connect(peer.endpoint());
                subs.add(sub);
                poller.register(sub, ZMQ.Poller.POLLIN);
            }
            while (running) {
                if (poller.poll(POLL_MS) <= 0) {
                    continue;
                }
                boolean received = false;
                for (int i = 0; i < subs.size(); i++) {
                    if (poller.pollin(i)) {
                        received |= drain(i, subs.get(i), peers.get(i).endpoint(), listener);
                    }
                }
                if (received) {
                    // Let the next frames gather: one wake-up then takes many, instead of a thread switch per frame.
                    LockSupport.parkNanos(RECEIVE_TICK_NANOS);
                }
            }
        } catch (RuntimeException | Error e) {
            if (running) {
                // A node that still heartbeats but hears no one would hold every run of its peers.
                failure.report("the receive thread", e);
            }
        } finally {
            subs.forEach(ZMQ.Socket::close);
        }
    }

    /**
     * Takes what waits on one SUB socket (up to {@link #DRAIN_FRAMES_MAX}) and hands it over at once: at a high
     * rate one hand-over per frame would cost the kernel's loop a wake-up per frame.
     */
    private boolean drain(int index, ZMQ.Socket sub, String endpoint, InboundListener listener) {
        List<byte[]> frames = new ArrayList<>();
        for (int n = 0; n < DRAIN_FRAMES_MAX; n++) {
            byte[] frame = sub.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                break;
            }
            traffic.received(endpoint, frame.length);
            if (sub.hasReceiveMore()) {
                // Flock frames are single-part; drain and drop the rest of the message.
                while (sub.hasReceiveMore()) {
                    sub.recv(ZMQ.DONTWAIT);
                }
                traffic.dropped("multipart");
                continue;
            }
            frames.add(frame);
        }
        if (!frames.isEmpty()) {
            listener.onFrames(index, frames, clock.monotonicNanos(), clock.wallMillis());
        }
        return !frames.isEmpty();
    }

    /** Stops receiving; call after the scheduler closed its publisher. */
    @Override
    public void close() {
        running = false;
        if (receiver != null) {
            try {
                receiver.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        zap.close();
        context.close();
    }
}
