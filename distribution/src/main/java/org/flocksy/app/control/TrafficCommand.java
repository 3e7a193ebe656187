package org.flocksy.app.control;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flocksy.core.control.Control;
import picocli.CommandLine.Command;

/** {@code traffic}: frames and bytes in and out. */
@Command(name = "traffic", description = "frames and bytes sent and received, in total and per peer; the share of fake frames")
final class TrafficCommand implements Callable<Integer> {
    private final Session session;

    TrafficCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        Control.TrafficReport t = session.control().traffic();
        return session.answer(t, () -> words(t));
    }

    private static String words(Control.TrafficReport t) {
        Control.Sent s = t.sent();
        StringBuilder text = new StringBuilder(String.format(
                "sent: %d heartbeats (%d B), %d data frames (%d B), %d fake frames (%d B): %.1f %% of file frames fake%n",
                s.heartbeat().frames(), s.heartbeat().bytes(), s.data().frames(), s.data().bytes(), s.fake().frames(), s.fake().bytes(),
                t.fakeSharePercent()));
        for (Map.Entry<String, Control.PeerTraffic> e : t.peers().entrySet()) {
            Control.PeerTraffic p = e.getValue();
            text.append(String.format("%-28s in %d frames (%d B), out %d frames (%d B; %.1f %% of file frames fake)%n",
                    e.getKey(), p.in().frames(), p.in().bytes(), p.out().frames(), p.out().bytes(), p.fakeSharePercent()));
        }
        return text.append("dropped (malformed or from unknown senders): ").append(t.dropped()).toString();
    }
}
