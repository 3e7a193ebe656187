package org.flocksy.app.control;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;

/** {@code nodes}: the peers and their keys. */
@Command(name = "nodes", description = "the peers this node syncs with, and whether they are connected")
final class NodesCommand implements Callable<Integer> {
    private final Session session;

    NodesCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        List<Control.PeerInfo> peers = session.control().nodes();
        session.learned();
        return session.answer(peers, () -> peers.isEmpty() ? "no peers (make one with 'node add URI KEY')" : Words.lines(peers.stream()
                .map(p -> String.format("%-28s %s  %-13s key %s", p.endpoint(), Words.shortId(p.uid()), p.connected() ? "connected" : "not connected",
                        p.publicKey())).toList()));
    }
}
