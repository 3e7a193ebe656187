package org.flocksy.core.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Node addresses as the seed writes them: {@code tcp://host:port} (or bare {@code host:port}) and {@code ipc:///path}. */
public final class Endpoint {
    private static final Pattern TCP = Pattern.compile("(?:tcp://)?(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.*-]+):([0-9]{1,5})");
    private static final Pattern IPC = Pattern.compile("ipc://(.+)");

    private Endpoint() {}

    /**
     * The canonical form of {@code text}: bare {@code host:port} gains {@code tcp://}, as in the seed.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static String normalize(String text) {
        String t = text.trim();
        Matcher tcp = TCP.matcher(t);
        if (tcp.matches()) {
            int port = Integer.parseInt(tcp.group(2));
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " out of range in '" + text + "'");
            }
            return "tcp://" + tcp.group(1) + ":" + port;
        }
        if (IPC.matcher(t).matches()) {
            return t;
        }
        throw new IllegalArgumentException(
                "'" + text + "' is not an endpoint (expected tcp://host:port or ipc:///path)");
    }
}
