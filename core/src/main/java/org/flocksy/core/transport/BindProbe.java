package org.flocksy.core.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Locale;

/**
 * JeroMQ reports every failed TCP bind as "address in use". Binding a plain socket to the same address
 * finds the real reason: in use, not an address of this host, or a privileged port.
 */
final class BindProbe {
    private BindProbe() {}

    static String reason(String endpoint) {
        if (!endpoint.startsWith("tcp://")) {
            return "cannot bind";
        }
        String hostPort = endpoint.substring("tcp://".length());
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(host.equals("*") ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
            return "address already in use";
        } catch (IOException e) {
            String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("in use")) {
                return "address already in use";
            }
            if (message.contains("assign") || message.contains("unresolved")) {
                return "not an address of this host";
            }
            if (message.contains("permission")) {
                return "permission denied (ports below 1024 need privileges)";
            }
            return e.getMessage();
        }
    }
}
