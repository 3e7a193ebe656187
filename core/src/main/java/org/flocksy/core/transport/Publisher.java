package org.flocksy.core.transport;

import java.util.List;
import org.zeromq.ZMQ;

/**
 * The PUB sockets of one node, one per hostname. Owned by the thread that opened them: JeroMQ sockets
 * are not thread-safe, so only the scheduler thread sends and closes.
 */
public final class Publisher implements AutoCloseable {
    private final List<ZMQ.Socket> sockets;
    private final ZapHandler zap;

    Publisher(List<ZMQ.Socket> sockets, ZapHandler zap) {
        this.sockets = List.copyOf(sockets);
        this.zap = zap;
    }

    /**
     * Publishes one single-part message on every hostname; never blocks (PUB drops at its high-water mark).
     *
     * @throws IllegalStateException once the ZAP handler failed: without it JeroMQ admits any client
     */
    public void send(byte[] frame) {
        if (zap.failed()) {
            throw new IllegalStateException("the ZAP handler failed; refusing to publish");
        }
        for (ZMQ.Socket socket : sockets) {
            socket.send(frame, ZMQ.DONTWAIT);
        }
    }

    @Override
    public void close() {
        sockets.forEach(ZMQ.Socket::close);
    }
}
