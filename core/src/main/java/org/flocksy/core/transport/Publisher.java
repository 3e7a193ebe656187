package org.flocksy.core.transport;

import java.util.List;
import org.zeromq.ZMQ;

/**
 * The PUB sockets of one node, one per hostname. Owned by the thread that opened them: JeroMQ sockets
 * are not thread-safe, so only the scheduler thread sends and closes.
 */
public final class Publisher implements AutoCloseable {
    private final List<ZMQ.Socket> sockets;

    Publisher(List<ZMQ.Socket> sockets) {
        this.sockets = List.copyOf(sockets);
    }

    /** Publishes one single-part message on every hostname; never blocks (PUB drops at its high-water mark). */
    public void send(byte[] frame) {
        for (ZMQ.Socket socket : sockets) {
            socket.send(frame, ZMQ.DONTWAIT);
        }
    }

    @Override
    public void close() {
        sockets.forEach(ZMQ.Socket::close);
    }
}
