package org.flocksy.app.control;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code node add URI KEY}: a peer becomes a node. */
@Command(name = "node", description = "make a peer a node: its public key into the keystore and a node line into the config (used from the next start)")
final class NodeCommand {
    private final Session session;

    NodeCommand(Session session) {
        this.session = session;
    }

    @Command(name = "add", description = "make a peer a node: its public key into the keystore and a node line into the config")
    int add(@Parameters(paramLabel = "URI") String uri, @Parameters(paramLabel = "PUBLIC-KEY") String key) throws IOException {
        if (!session.confirm("Make " + uri + " with key " + key + " a node (keystore and config)? [y/N] ")) {
            session.out().println("not added");
            return ExitCodes.OK;
        }
        Control.NodeAdded added = session.control().addNode(uri, key);
        return session.answer(added, () -> words(added));
    }

    private static String words(Control.NodeAdded added) {
        List<String> done = new ArrayList<>();
        if (!added.keyChange().equals("unchanged")) {
            done.add((added.keyChange().equals("added") ? "added its key to " : "replaced its key in ") + added.keystore());
        }
        if (added.configLineAdded()) {
            done.add("added 'node = " + added.endpoint() + "' to " + added.configFile());
        }
        return done.isEmpty() ? added.endpoint() + " is already a node with this key"
                : added.endpoint() + ": " + String.join("; ", done) + "; restart flocksy to connect (the peer needs this node's keys too: see 'keys')";
    }
}
