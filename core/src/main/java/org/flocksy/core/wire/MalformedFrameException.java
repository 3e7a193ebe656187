package org.flocksy.core.wire;

/** A frame from the network that is not a valid Flock frame; it is dropped and counted by reason. */
public class MalformedFrameException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a frame was dropped; the counters are kept per reason. */
    public enum Reason { BAD_SIZE, BAD_HEADER, UNKNOWN_CODE, BAD_FIELD }

    private final Reason reason;

    public MalformedFrameException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
