package org.flocksy.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flocksy.core.crypto.CurveKeyPair;

/**
 * The keys a node runs with: its own key pair per hostname, each peer's public key, and the set of
 * keys its ZAP handler admits (every key in the keystore).
 *
 * <p>A node with several hostnames presents the first hostname's key pair when it subscribes to peers.
 */
public record Keyring(List<Host> hosts, List<Peer> peers, Set<String> admitted) {

    /** One of this node's endpoints and its key pair. */
    public record Host(String endpoint, CurveKeyPair keys) {}

    /** A peer's endpoint and its public key (Z85). */
    public record Peer(String endpoint, String publicKey) {}

    public Keyring {
        hosts = List.copyOf(hosts);
        peers = List.copyOf(peers);
        admitted = Set.copyOf(admitted);
    }

    /** The key pair this node uses as a client. */
    public CurveKeyPair clientKeys() {
        return hosts.get(0).keys();
    }

    public static Keyring load(Settings settings) throws ConfigException {
        Path privateFile = settings.privateKeys().value();
        Path keystoreFile = settings.keystore().value();
        Map<String, CurveKeyPair> privateKeys = KeyFiles.readPrivateKeys(privateFile);
        List<Host> hosts = new ArrayList<>();
        for (Declared<String> h : settings.hostnames()) {
            CurveKeyPair pair = privateKeys.get(h.value());
            if (pair == null) {
                throw new ConfigException(h.error("hostname " + h.value() + " has no key pair in " + privateFile
                        + " (create one with --create-private-keys)"));
            }
            hosts.add(new Host(h.value(), pair));
        }
        Map<String, String> keystore = KeyFiles.readKeystore(keystoreFile);
        for (int i = 0; i < hosts.size(); i++) {
            String listed = keystore.get(hosts.get(i).endpoint());
            if (listed != null && !listed.equals(hosts.get(i).keys().publicKey())) {
                throw new ConfigException(settings.hostnames().get(i).error("the keystore " + keystoreFile + " gives hostname "
                        + hosts.get(i).endpoint() + " another public key than its key pair in " + privateFile
                        + "; peers with that keystore would refuse this node"));
            }
        }
        List<Peer> peers = new ArrayList<>();
        for (Declared<String> n : settings.nodes()) {
            String key = keystore.get(n.value());
            if (key == null) {
                throw new ConfigException(n.error("node " + n.value() + " is not in the keystore " + keystoreFile));
            }
            peers.add(new Peer(n.value(), key));
        }
        Set<String> admitted = new LinkedHashSet<>(keystore.values());
        return new Keyring(hosts, peers, admitted);
    }
}
