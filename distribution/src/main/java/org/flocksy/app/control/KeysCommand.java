package org.flocksy.app.control;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;

/** {@code keys}: this node's public keys. */
@Command(name = "keys", description = "this node's public keys, to give to the other nodes")
final class KeysCommand implements Callable<Integer> {
    private final Session session;

    KeysCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        List<Control.HostKey> keys = session.control().keys();
        return session.answer(keys, () -> Words.lines(keys.stream().map(k -> k.endpoint() + "  " + k.publicKey()).toList()));
    }
}
