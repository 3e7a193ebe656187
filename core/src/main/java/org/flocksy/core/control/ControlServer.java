package org.flocksy.core.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control endpoint: a Unix-domain socket in a folder only its user can enter (0700), itself
 * 0600, answering {@link Control} calls ({@link ControlCalls} says how they travel). One thread accepts, one
 * serves each connection; calls that touch the kernel run on its loop.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    /** A request longer than this is not a command line. */
    static final int REQUEST_BYTES_MAX = 64 * 1024;

    private final Path socket;
    private final ServerSocketChannel server;
    private final Control control;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path socket, ServerSocketChannel server, Control control) {
        this.socket = socket;
        this.server = server;
        this.control = control;
        this.acceptor = new Thread(this::accept, "flocksy-control");
        acceptor.setDaemon(true);
    }

    /** Where the control socket is unless the command line says otherwise: {@code ~/.flocksy.d/control.sock}. */
    public static Path defaultPath(Path home) {
        return home.resolve(".flocksy.d").resolve("control.sock");
    }

    /**
     * Makes sure the socket can be opened privately and that no other flocksy answers on it: called before
     * the daemon touches any box, so a second daemon stops before opening their indexes.
     *
     * @throws IOException if another flocksy answers on it, or it cannot be made private
     */
    public static void preflight(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } else if (!PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)).endsWith("------")) {
            // Another user could reach the socket (or swap it) through a folder open to them.
            throw new IOException("the folder " + dir + " of the control socket is open to other users (chmod 700 it, or use --control)");
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (answers(socket)) {
                throw new IOException("another flocksy is running: its control socket " + socket + " answers");
            }
            if (Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)
                    || Files.isSymbolicLink(socket)) {
                throw new IOException(socket + " exists and is not a socket; choose another --control path");
            }
            // A socket left by a daemon that was killed: nobody listens on it.
            Files.delete(socket);
        }
    }

    /**
     * Opens the socket and starts answering.
     *
     * @throws IOException if another flocksy answers on it already, or it cannot be made private
     */
    public static ControlServer start(Path socket, Control control) throws IOException {
        preflight(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        ControlServer started = new ControlServer(socket, server, control);
        started.acceptor.start();
        log.info("control socket at {}", socket);
        return started;
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    public Path socket() {
        return socket;
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                clients.add(client);
                Thread serving = new Thread(() -> serve(client), "flocksy-control-" + connections.incrementAndGet());
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("control socket {}: {}", socket, e.toString());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
             OutputStream out = Channels.newOutputStream(client)) {
            for (String line; (line = readLine(in)) != null; ) {
                out.write(ControlCalls.answer(control, line));
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            // The client went away: nothing to answer.
        } finally {
            clients.remove(client);
        }
    }

    /** A line of at most {@link #REQUEST_BYTES_MAX} characters, or {@code null} at the end. */
    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return line.toString();
            }
            if (line.length() >= REQUEST_BYTES_MAX) {
                throw new IOException("request longer than " + REQUEST_BYTES_MAX + " bytes");
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : line.toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // Closing: nothing more to serve.
        }
        clients.forEach(c -> {
            try {
                c.close();
            } catch (IOException e) {
                // Already gone.
            }
        });
        try {
            acceptor.join(5_000);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.warn("cannot remove the control socket {}: {}", socket, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
