package org.flocksy.core.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One connection to a running daemon's control socket (the shell's and {@code flocksy ctl}'s). */
public final class ControlClient implements AutoCloseable {
    /** No daemon answers on the socket. */
    public static final class NotRunningException extends IOException {
        public NotRunningException(String message) {
            super(message);
        }
    }

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private final ObjectMapper json = new ObjectMapper();

    private ControlClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
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

    /**
     * Runs one command in the daemon.
     *
     * @return the reply; its data is a {@link JsonNode}
     * @throws IOException if the connection dropped (the daemon stopped)
     */
    public Reply call(List<String> words) throws IOException {
        out.write(json.writeValueAsBytes(Map.of("words", words)));
        out.write('\n');
        out.flush();
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the daemon closed the connection (stopped?)");
        }
        JsonNode reply = json.readTree(line);
        return new Reply(reply.path("ok").asBoolean(false), reply.path("text").asText(""), reply.get("data"));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Already closed.
        }
    }
}
