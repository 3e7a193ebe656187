package org.flocksy.core.fsm;

/** What moves the state machine; described one by one in the model file {@code flock-fsm.json}. */
public enum Event {
    LOCAL_WORK, ANNOUNCE_HEARD, ACKS_COMPLETE, METADATA_HEARD, START_TIMEPOINT, ALL_DATA_RECEIVED, RUN_COMPLETE,
    STOP_HEARD, STOP_TIMEPOINT, DEADLINE, RECEIVERS_LEFT, ORIGINATOR_LEFT, SILENT_PEER
}
