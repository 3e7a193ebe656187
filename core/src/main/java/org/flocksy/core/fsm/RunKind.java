package org.flocksy.core.fsm;

import org.flocksy.core.wire.Status;

/**
 * The specification's four kinds of run (digest §5.1–§5.4), told apart by the status codes inside the
 * encrypted heartbeats only: every kind has the same bulk phase padded to a size bucket, so an observer
 * cannot tell them apart. A bundle of one change with content is a new file; several changes with content
 * are a new file "with more"; changes without content bytes (create empty, mkdir, chmod, touch, delete)
 * are metadata changes, one or "with more".
 */
public enum RunKind {
    NEW_FILE(Event.LOCAL_NEW_FILE, Event.NEW_FILE_ANNOUNCED, Event.NEW_FILE_METADATA_HEARD, Event.ALL_DATA_RECEIVED,
            State.ANNOUNCING_NEW_FILE, State.SENDING_NEW_FILE_METADATA),
    NEW_FILE_WITH_MORE(Event.LOCAL_NEW_FILES, Event.NEW_FILES_ANNOUNCED, Event.NEW_FILES_METADATA_HEARD, Event.ALL_DATA_RECEIVED,
            State.ANNOUNCING_NEW_FILE_WITH_MORE, State.SENDING_NEW_FILE_METADATA_WITH_MORE),
    METADATA_CHANGE(Event.LOCAL_METADATA_CHANGE, Event.METADATA_CHANGE_ANNOUNCED, Event.METADATA_CHANGE_HEARD,
            Event.ALL_METADATA_RECEIVED,
            State.ANNOUNCING_FILE_METADATA_CHANGE, State.SENDING_FILE_METADATA_CHANGE),
    METADATA_CHANGE_WITH_MORE(Event.LOCAL_METADATA_CHANGES, Event.METADATA_CHANGES_ANNOUNCED, Event.METADATA_CHANGES_HEARD,
            Event.ALL_METADATA_RECEIVED,
            State.ANNOUNCING_FILE_METADATA_CHANGE_WITH_MORE, State.SENDING_FILE_METADATA_CHANGE_WITH_MORE);

    /** The originator has local changes of this kind. */
    public final Event localWork;
    /** A peer announces a run of this kind. */
    public final Event announced;
    /** A peer sends this kind's metadata heartbeat (130, 134, 170, 174). */
    public final Event metadataHeard;
    /** A receiver has the whole bundle and applied it. */
    public final Event received;
    final State announcing;
    final State sendingMetadata;

    RunKind(Event localWork, Event announced, Event metadataHeard, Event received, State announcing, State sendingMetadata) {
        this.localWork = localWork;
        this.announced = announced;
        this.metadataHeard = metadataHeard;
        this.received = received;
        this.announcing = announcing;
        this.sendingMetadata = sendingMetadata;
    }

    public static RunKind of(int changes, boolean hasContent) {
        if (hasContent) {
            return changes == 1 ? NEW_FILE : NEW_FILE_WITH_MORE;
        }
        return changes == 1 ? METADATA_CHANGE : METADATA_CHANGE_WITH_MORE;
    }

    /** The kind whose announcement (120, 124, 160, 164) or metadata (130, 134, 170, 174) is {@code status}, or {@code null}. */
    public static RunKind announcedBy(Status status) {
        for (RunKind k : values()) {
            if (k.announcing.status == status || k.sendingMetadata.status == status) {
                return k;
            }
        }
        return null;
    }
}
