package org.flocksy.core.fsm;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.Payload;
import org.flocksy.core.wire.Status;

/**
 * What this node's next heartbeat says: set on the event loop, read by the sending thread at each
 * emission. The event loop hears when a closing heartbeat (150, 410) or an announcement (120, 124, 160, 164)
 * actually went out, since the protocol's next step waits for that moment.
 */
final class HeartbeatTemplate {
    /** A status and payload to send; a closing one is sent once before the node is idle for real. */
    record Template(Status status, Payload payload, boolean closing) {}

    /** What the event loop hears of the emissions. */
    interface Listener {
        /** The closing heartbeat {@code sent} went out. */
        void closingSent(Template sent);

        /** The first heartbeat of announcement {@code sent} went out at {@code wallMs}. */
        void announced(Template sent, long wallMs);
    }

    private final AtomicReference<Template> template = new AtomicReference<>(new Template(Status.IDLE, Payload.NodeList.of(List.of()), false));
    private final AtomicBoolean closingReported = new AtomicBoolean();
    private final AtomicBoolean announceReported = new AtomicBoolean();
    private final AtomicLong batch = new AtomicLong();
    private final Loop loop;
    private Listener listener;

    HeartbeatTemplate(Loop loop) {
        this.loop = loop;
    }

    void listen(Listener l) {
        listener = l;
    }

    Template current() {
        return template.get();
    }

    void set(Status status, Payload payload) {
        template.set(new Template(status, payload, false));
    }

    /**
     * Sends {@code status} for one heartbeat, then the listener hears of it. The template goes first, then the
     * flag: a report of an older closing heartbeat is ignored by identity, and at worst this one is reported
     * with the next heartbeat.
     */
    void closing(Status status, Payload payload) {
        template.set(new Template(status, payload, true));
        closingReported.set(false);
    }

    /** The next announcement's first emission is reported. */
    void reportNextAnnouncement() {
        announceReported.set(false);
    }

    /** The heartbeat to emit now; on the sending thread. */
    Heartbeat next(long wallMs) {
        Template t = template.get();
        if (t.closing() && closingReported.compareAndSet(false, true)) {
            loop.post(() -> listener.closingSent(t));
        }
        State sending = State.sending(t.status());
        if (sending != null && sending.phase == State.Phase.ANNOUNCING && announceReported.compareAndSet(false, true)) {
            loop.post(() -> listener.announced(t, wallMs));
        }
        Payload payload = t.payload();
        if (payload instanceof Payload.NodeList list && list.batches() > 1) {
            // More than 15 peers: each heartbeat lists the next batch (digest §3.3).
            payload = list.batch(batch.getAndIncrement());
        }
        return new Heartbeat(t.status(), wallMs, payload);
    }
}
