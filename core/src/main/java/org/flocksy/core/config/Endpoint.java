package org.flocksy.core.config;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Node addresses as the seed writes them: {@code tcp://host:port} (or bare {@code host:port}) and {@code ipc:///path}. */
public final class Endpoint {
    private static final Pattern TCP = Pattern.compile("(?:tcp://)?(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.*-]+):([0-9]{1,5})");
    private static final Pattern IPC = Pattern.compile("ipc://(.+)");
    private static final Pattern IPV4 = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");

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

    /**
     * Whether a node at {@code endpoint} runs on this machine and shares its cores: {@code ipc://}, {@code localhost},
     * {@code [::1]}, or an IPv4 address of this machine (loopback or one of its interfaces). Names and other IPv6
     * addresses are taken to be elsewhere: nothing here may ask a resolver, which could hold up the start.
     */
    public static boolean onThisMachine(String endpoint) {
        String t = normalize(endpoint);
        if (t.startsWith("ipc://")) {
            return true;
        }
        Matcher tcp = TCP.matcher(t);
        if (!tcp.matches()) {
            return false;
        }
        String host = tcp.group(1);
        if (host.equalsIgnoreCase("localhost") || host.equals("[::1]") || host.equals("[0:0:0:0:0:0:0:1]")) {
            return true;
        }
        Matcher v4 = IPV4.matcher(host);
        if (!v4.matches()) {
            return false;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int part = Integer.parseInt(v4.group(i + 1));
            if (part > 255) {
                return false;
            }
            bytes[i] = (byte) part;
        }
        try {
            InetAddress address = InetAddress.getByAddress(bytes);
            return address.isLoopbackAddress() || address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }
}
