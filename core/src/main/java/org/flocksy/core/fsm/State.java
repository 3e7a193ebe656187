package org.flocksy.core.fsm;

import org.flocksy.core.wire.Status;

/**
 * The states a node passes through in a single-file run, named as in the specification's FSM, with the
 * heartbeat status each one sends.
 */
public enum State {
    READY(Status.IDLE, Role.NONE),
    ANNOUNCING_NEW_FILE(Status.ANNOUNCING_NEW_FILE, Role.ORIGINATOR),
    SENDING_NEW_FILE_METADATA(Status.SENDING_NEW_FILE_METADATA, Role.ORIGINATOR),
    SENDING_NEW_FILE(Status.SENDING_NEW_FILE, Role.ORIGINATOR),
    ACKNOWLEDGING_NEW_FILE(Status.ACKNOWLEDGING_NEW_FILE, Role.RECEIVER),
    PROMOTING_NEW_FILE_METADATA(Status.PROMOTING_NEW_FILE_METADATA, Role.RECEIVER),
    SENDING_FAKE_FILE(Status.SENDING_FAKE_FILE, Role.RECEIVER),
    BROADCASTING_ALL_RECEIVED(Status.ALL_RECEIVED, Role.RECEIVER),
    /** Both roles: the run's frames end at the stop timepoint. */
    SYNCING_STOP(Status.SYNCING_STOP, Role.NONE);

    /** Which side of a run a state belongs to. */
    public enum Role { NONE, ORIGINATOR, RECEIVER }

    public final Status status;
    public final Role role;

    State(Status status, Role role) {
        this.status = status;
        this.role = role;
    }
}
