package org.flocksy.core.fsm;

import org.flocksy.core.wire.Status;

/**
 * The states of the specification's FSM (digest §7.1) that flocksy enters, with the heartbeat status each
 * one sends and the phase of a run it belongs to. The "beta" states of multi-file runs are not here: a run
 * carries all its files in one bundle, so there is no second file to alternate to (docs/protocol.md).
 */
public enum State {
    READY(Status.IDLE, Phase.IDLE),

    ANNOUNCING_NEW_FILE(Status.ANNOUNCING_NEW_FILE, Phase.ANNOUNCING),
    ANNOUNCING_NEW_FILE_WITH_MORE(Status.ANNOUNCING_NEW_FILE_WITH_MORE, Phase.ANNOUNCING),
    ANNOUNCING_FILE_METADATA_CHANGE(Status.ANNOUNCING_METADATA_CHANGE, Phase.ANNOUNCING),
    ANNOUNCING_FILE_METADATA_CHANGE_WITH_MORE(Status.ANNOUNCING_METADATA_CHANGE_WITH_MORE, Phase.ANNOUNCING),

    SENDING_NEW_FILE_METADATA(Status.SENDING_NEW_FILE_METADATA, Phase.SENDING_METADATA),
    SENDING_NEW_FILE_METADATA_WITH_MORE(Status.SENDING_NEW_FILE_METADATA_WITH_MORE, Phase.SENDING_METADATA),
    SENDING_FILE_METADATA_CHANGE(Status.SENDING_METADATA_CHANGE, Phase.SENDING_METADATA),
    SENDING_FILE_METADATA_CHANGE_WITH_MORE(Status.SENDING_METADATA_CHANGE_WITH_MORE, Phase.SENDING_METADATA),

    SENDING_NEW_FILE(Status.SENDING_NEW_FILE, Phase.SENDING),
    SENDING_NEW_FILE_WITH_MORE_ALPHA(Status.SENDING_NEW_FILE_WITH_MORE_ALPHA, Phase.SENDING),

    ACKNOWLEDGING_NEW_FILE(Status.ACKNOWLEDGING_NEW_FILE, Phase.ACKNOWLEDGING),
    ACKNOWLEDGING_NEW_FILE_WITH_MORE(Status.ACKNOWLEDGING_NEW_FILE_WITH_MORE, Phase.ACKNOWLEDGING),
    ACKNOWLEDGING_FILE_METADATA_CHANGE(Status.ACKNOWLEDGING_METADATA_CHANGE, Phase.ACKNOWLEDGING),
    ACKNOWLEDGING_FILE_METADATA_CHANGE_WITH_MORE(Status.ACKNOWLEDGING_METADATA_CHANGE_WITH_MORE, Phase.ACKNOWLEDGING),

    PROMOTING_NEW_FILE_METADATA(Status.PROMOTING_NEW_FILE_METADATA, Phase.PROMOTING),
    PROMOTING_NEW_FILE_METADATA_WITH_MORE(Status.PROMOTING_NEW_FILE_METADATA_WITH_MORE, Phase.PROMOTING),
    RECEIVING_FILE_METADATA_CHANGE(Status.RECEIVING_METADATA_CHANGE, Phase.PROMOTING),
    RECEIVING_FILE_METADATA_CHANGE_WITH_MORE(Status.RECEIVING_METADATA_CHANGE_WITH_MORE, Phase.PROMOTING),

    SENDING_FAKE_FILE(Status.SENDING_FAKE_FILE, Phase.SENDING_FAKE),
    SENDING_FAKE_FILE_WITH_MORE_ALPHA(Status.SENDING_FAKE_FILE_WITH_MORE_ALPHA, Phase.SENDING_FAKE),

    BROADCASTING_ALL_RECEIVED(Status.ALL_RECEIVED, Phase.ALL_RECEIVED),
    BROADCASTING_ALL_RECEIVED_WITH_MORE_ALPHA(Status.ALL_RECEIVED_WITH_MORE_ALPHA, Phase.ALL_RECEIVED),
    BROADCASTING_ALL_METADATA_RECEIVED(Status.ALL_METADATA_RECEIVED, Phase.ALL_RECEIVED),

    /** Both roles: the run's frames end at the stop timepoint. */
    SYNCING_STOP(Status.SYNCING_STOP, Phase.STOPPING);

    /** Which side of a run a state belongs to. */
    public enum Role { NONE, ORIGINATOR, RECEIVER }

    /** Where in a run a state lies, whatever the kind of run. */
    public enum Phase {
        IDLE(Role.NONE), ANNOUNCING(Role.ORIGINATOR), SENDING_METADATA(Role.ORIGINATOR), SENDING(Role.ORIGINATOR),
        ACKNOWLEDGING(Role.RECEIVER), PROMOTING(Role.RECEIVER), SENDING_FAKE(Role.RECEIVER), ALL_RECEIVED(Role.RECEIVER),
        STOPPING(Role.NONE);

        public final Role role;

        Phase(Role role) {
            this.role = role;
        }
    }

    public final Status status;
    public final Phase phase;
    public final Role role;

    State(Status status, Phase phase) {
        this.status = status;
        this.phase = phase;
        this.role = phase.role;
    }

    /** The state that sends {@code status}, or {@code null}. */
    public static State sending(Status status) {
        for (State s : values()) {
            if (s.status == status) {
                return s;
            }
        }
        return null;
    }
}
