package org.flocksy.core.wire;

import java.util.Objects;

/**
 * A 256-byte heartbeat: status, the sender's wall-clock time in epoch milliseconds, and a payload
 * whose type the status decides.
 */
public record Heartbeat(Status status, long timestampMs, Payload payload) implements Frame {
    public Heartbeat {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(payload, "payload");
        if (status.isFileFrame()) {
            throw new IllegalArgumentException(status + " is a file frame, not a heartbeat");
        }
    }
}
