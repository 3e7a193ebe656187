package org.flocksy.core.transport;

import java.util.Set;
import java.util.function.Predicate;
import org.flocksy.core.loop.Failure;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.flocksy.core.crypto.Z85;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The ZAP handler (ZeroMQ RFC 27) of one node's context: admits a CURVE client only if its public key is
 * in the keystore. Without it JeroMQ would admit any client that knows the server's public key.
 */
final class ZapHandler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZapHandler.class);
    static final String ENDPOINT = "inproc://zeromq.zap.01";
    /** Where {@link #close} tells the thread to stop: it waits for requests without waking on a timer. */
    private static final String STOP_ENDPOINT = "inproc://flocksy-zap-stop";

    private final ZContext context;
    private final Predicate<String> admits;
    private final Failure failure;
    private final String nodeName;
    private final Thread thread;
    private final CountDownLatch bound = new CountDownLatch(1);
    private final AtomicLong denied = new AtomicLong();
    private final RefusalLog refusals = new RefusalLog(System::nanoTime, log::warn);
    private volatile boolean running = true;
    private volatile boolean failed;
    private volatile RuntimeException bindFailure;

    ZapHandler(ZContext context, Set<String> admittedZ85, String nodeName, Failure failure) {
        this(context, Set.copyOf(admittedZ85)::contains, nodeName, failure);
    }

    /** @param admits whether a client's public key (Z85) is let in */
    ZapHandler(ZContext context, Predicate<String> admits, String nodeName, Failure failure) {
        this.context = context;
        this.admits = admits;
        this.failure = failure;
        this.nodeName = nodeName;
        this.thread = new Thread(this::run, "flocksy-zap-" + nodeName);
        this.thread.setDaemon(true);
    }

    /** Starts the handler and returns once it is bound, so no connection can slip past it. */
    void start() throws InterruptedException {
        thread.start();
        bound.await();
        if (bindFailure != null) {
            throw bindFailure;
        }
    }

    /** True once the handler died: the publisher must stop, as JeroMQ would now admit anyone. */
    boolean failed() {
        return failed;
    }

    long deniedCount() {
        return denied.get();
    }

    private void run() {
        MDC.put("node", nodeName);
        ZMQ.Socket socket = null;
        ZMQ.Socket stop = null;
        try {
            socket = context.createSocket(SocketType.REP);
            socket.setLinger(0);
            socket.bind(ENDPOINT);
            stop = context.createSocket(SocketType.PAIR);
            stop.bind(STOP_ENDPOINT);
        } catch (RuntimeException | Error e) {
            bindFailure = e instanceof RuntimeException r ? r : new IllegalStateException("the ZAP handler could not start: " + e, e);
            if (socket != null) {
                socket.close();
            }
            if (stop != null) {
                stop.close();
            }
            bound.countDown();
            return;
        }
        bound.countDown();
        try (ZMQ.Poller poller = context.createPoller(2)) {
            poller.register(socket, ZMQ.Poller.POLLIN);
            poller.register(stop, ZMQ.Poller.POLLIN);
            while (running) {
                if (poller.poll(-1) > 0 && poller.pollin(0)) {
                    ZMsg request = ZMsg.recvMsg(socket, ZMQ.DONTWAIT);
                    if (request != null) {
                        reply(request).send(socket);
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            if (running) {
                // JeroMQ admits every client once no handler answers: this node must not publish another frame.
                failed = true;
                failure.report("the ZAP handler", e);
            }
        } finally {
            socket.close();
            stop.close();
        }
    }

    /** Request frames: version, request id, domain, address, identity, mechanism, credentials. */
    private ZMsg reply(ZMsg request) {
        if (request.size() < 6) {
            denied.incrementAndGet();
            request.popString();
            String id = request.popString();
            ZMsg refusal = new ZMsg();
            refusal.add("1.0");
            refusal.add(id == null ? "" : id);
            refusal.add("500");
            refusal.add("malformed ZAP request");
            refusal.add("");
            refusal.add(new byte[0]);
            return refusal;
        }
        String version = request.popString();
        String requestId = request.popString();
        request.popString(); // domain
        String address = request.popString();
        request.popString(); // identity
        String mechanism = request.popString();
        byte[] clientKey = request.size() > 0 ? request.pop().getData() : new byte[0];

        String status = "400";
        String text = "unknown key";
        if ("1.0".equals(version) && "CURVE".equals(mechanism) && clientKey.length == 32) {
            String key = Z85.encodeKey(clientKey);
            if (admits.test(key)) {
                status = "200";
                text = "OK";
            } else {
                denied.incrementAndGet();
                refusals.refused(address, key, "its key " + key + " is not in the keystore");
            }
        } else {
            denied.incrementAndGet();
            refusals.refused(address, "mechanism " + mechanism, "mechanism " + mechanism + " is not CURVE");
        }
        ZMsg reply = new ZMsg();
        reply.add(version == null ? "1.0" : version);
        reply.add(requestId == null ? "" : requestId);
        reply.add(status);
        reply.add(text);
        reply.add("200".equals(status) ? Z85.encodeKey(clientKey) : "");
        reply.add(new byte[0]);
        return reply;
    }

    @Override
    public void close() {
        running = false;
        try (ZMQ.Socket stop = context.createSocket(SocketType.PAIR)) {
            stop.connect(STOP_ENDPOINT);
            stop.send(new byte[0], ZMQ.DONTWAIT);
        } catch (RuntimeException e) {
            // The context is closing already: the thread's poll ends with it.
        }
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
