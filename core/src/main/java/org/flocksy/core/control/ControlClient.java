package org.flocksy.core.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** One connection to a running daemon's control socket (the shell's and {@code flocksy ctl}'s): its {@link Control}. */
public final class ControlClient implements AutoCloseable {
    /** No daemon answers on the socket. */
    public static final class NotRunningException extends IOException {
        public NotRunningException(String message) {
            super(message);
        }
    }

    /** How long a call may take before the client gives up (the daemon's own limit is 10 s on its loop). */
    static final long ANSWER_SECONDS = 30;

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private final Control control;
    /** Closes the connection when an answer takes too long; owned by this client and stopped with it. */
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flocksy-control-watchdog");
        t.setDaemon(true);
        return t;
    });

    private ControlClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
        this.control = (Control) Proxy.newProxyInstance(Control.class.getClassLoader(), new Class<?>[] {Control.class},
                (proxy, method, args) -> method.getDeclaringClass() == Object.class ? method.invoke(this, args) : call(method, args));
    }

    /** Connects, or says in one line that no daemon runs there. */
    public static ControlClient connect(Path socket) throws NotRunningException {
        if (!Files.exists(socket)) {
            throw new NotRunningException("flocksy is not running (no control socket at " + socket + "; start it with 'flocksy')");
        }
        try {
            return new ControlClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        } catch (IOException e) {
            throw new NotRunningException("flocksy is not running (nothing answers on " + socket + ": " + e.getMessage() + ")");
        }
    }

    /** The daemon, call by call over this connection; a dropped connection is an {@link IOException} of the call. */
    public Control control() {
        return control;
    }

    private synchronized Object call(Method method, Object[] args) throws IOException {
        out.write(ControlCalls.request(method, args));
        out.write('\n');
        out.flush();
        // A daemon that is stopped (SIGSTOP) or stuck must not hang the shell: give up on the connection.
        ScheduledFuture<?> timer = watchdog.schedule(this::closeChannel, ANSWER_SECONDS, TimeUnit.SECONDS);
        String line;
        try {
            line = in.readLine();
        } catch (AsynchronousCloseException e) {
            throw new IOException("no answer within " + ANSWER_SECONDS + " s (the daemon is stuck or stopped)");
        } finally {
            timer.cancel(false);
        }
        if (line == null) {
            throw new IOException("the daemon closed the connection (stopped?)");
        }
        return ControlCalls.result(method, line);
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        closeChannel();
    }
}
