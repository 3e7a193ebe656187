package org.flocksy.app.control;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import org.flocksy.core.fsm.RunProgress;
import picocli.CommandLine.Command;

/** {@code status}: this node, its peers and the run in progress. */
@Command(name = "status", description = "this node, its peers (last heartbeat, clock offset), its state and the run in progress")
final class StatusCommand implements Callable<Integer> {
    private final Session session;

    StatusCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        Control.NodeStatus status = session.control().status();
        return session.answer(status, () -> text(status, session));
    }

    static String text(Control.NodeStatus s, Session session) {
        StringBuilder text = new StringBuilder(String.format("%s %s (%s): %s, %d of %d peer(s) connected, %d run(s) delivered, %d abandoned%n",
                session.bold("node"), s.node(), Words.shortId(s.uid()), s.state(), s.connected(), s.configured(), s.deliveredRuns(), s.abandonedRuns()));
        text.append(String.format("  rate: up to %,d frames/s (%s); CURVE on %s%n", s.rateLimit(), s.rateWhy(), s.crypto()));
        for (Control.PeerStatus p : s.peers()) {
            String heard = p.lastHeartbeatMsAgo() == null ? "never" : p.lastHeartbeatMsAgo() + " ms ago";
            text.append(String.format("  %-28s %-12s last heartbeat %s, clock offset %+d ms%n", p.endpoint(),
                    p.connected() ? session.green("connected") : session.yellow("not connected"), heard, p.clockOffsetMs()));
        }
        RunProgress run = s.run();
        if (run != null) {
            String how = (run.waiting() ? "waiting for its start" : run.chunksDone() + " of " + run.chunks() + " chunks")
                    + (run.framesPerSecond() > 0 ? String.format(", %,d frames/s", run.framesPerSecond()) : "");
            text.append(String.format("  run: %s box '%s' (%d change(s), %s) %s %s: %s%n", run.role(), run.box(), run.records(),
                    Words.size(run.bytes()), run.role().equals("sending") ? "to" : "from", run.peer(), how));
        }
        return text.toString().stripTrailing();
    }
}
