package org.flocksy.core.wire;

import java.util.HashMap;
import java.util.Map;

/**
 * The wire status codes of the Flock specification (digest §6.1) and the payload layout each carries.
 * Internal events (112, 300, …) are not here: they never cross the wire.
 */
public enum Status {
    IDLE(100, Layout.NODE_LIST),
    SENDING_NEW_FILE(110, Layout.NODE_LIST),
    SENDING_FAKE_FILE(111, Layout.NODE_LIST),
    SENDING_NEW_FILE_WITH_MORE_ALPHA(114, Layout.NODE_LIST),
    SENDING_FAKE_FILE_WITH_MORE_ALPHA(115, Layout.NODE_LIST),
    SENDING_NEW_FILE_WITH_MORE_BETA(116, Layout.NODE_LIST),
    SENDING_FAKE_FILE_WITH_MORE_BETA(117, Layout.NODE_LIST),
    ANNOUNCING_NEW_FILE(120, Layout.NODE_LIST),
    ACKNOWLEDGING_NEW_FILE(121, Layout.ACKNOWLEDGEMENT),
    ANNOUNCING_NEW_FILE_WITH_MORE(124, Layout.NODE_LIST),
    ACKNOWLEDGING_NEW_FILE_WITH_MORE(125, Layout.ACKNOWLEDGEMENT),
    SENDING_NEW_FILE_METADATA(130, Layout.RUN_METADATA),
    PROMOTING_NEW_FILE_METADATA(131, Layout.NODE_LIST),
    SENDING_NEW_FILE_METADATA_WITH_MORE(134, Layout.RUN_METADATA),
    PROMOTING_NEW_FILE_METADATA_WITH_MORE(135, Layout.NODE_LIST),
    ALL_RECEIVED(140, Layout.NODE_LIST),
    ALL_METADATA_RECEIVED(141, Layout.NODE_LIST),
    ALL_RECEIVED_WITH_MORE_ALPHA(145, Layout.NODE_LIST),
    ALL_RECEIVED_WITH_MORE_BETA(147, Layout.NODE_LIST),
    TRANSFER_FINISHED(150, Layout.NODE_LIST),
    SYNCING_STOP(155, Layout.TIMEPOINT),
    ANNOUNCING_METADATA_CHANGE(160, Layout.NODE_LIST),
    ACKNOWLEDGING_METADATA_CHANGE(161, Layout.ACKNOWLEDGEMENT),
    ANNOUNCING_METADATA_CHANGE_WITH_MORE(164, Layout.NODE_LIST),
    ACKNOWLEDGING_METADATA_CHANGE_WITH_MORE(165, Layout.ACKNOWLEDGEMENT),
    SENDING_METADATA_CHANGE(170, Layout.RUN_METADATA),
    RECEIVING_METADATA_CHANGE(171, Layout.NODE_LIST),
    SENDING_METADATA_CHANGE_WITH_MORE(174, Layout.RUN_METADATA),
    RECEIVING_METADATA_CHANGE_WITH_MORE(175, Layout.NODE_LIST),
    FILE_DATA(200, Layout.FILE_DATA),
    FAKE_FILE(210, Layout.FAKE_FILE),
    ONLY_HEARTBEATS(410, Layout.NODE_LIST);

    /** How the bytes after the header are laid out. */
    public enum Layout { NODE_LIST, ACKNOWLEDGEMENT, RUN_METADATA, TIMEPOINT, FILE_DATA, FAKE_FILE }

    private static final Map<Integer, Status> BY_CODE = new HashMap<>();

    static {
        for (Status s : values()) {
            BY_CODE.put(s.code, s);
        }
    }

    public final int code;
    public final Layout layout;

    Status(int code, Layout layout) {
        this.code = code;
        this.layout = layout;
    }

    /** The status for {@code code}, or {@code null} when the code is not on the wire. */
    public static Status ofCode(int code) {
        return BY_CODE.get(code);
    }

    public boolean isFileFrame() {
        return layout == Layout.FILE_DATA || layout == Layout.FAKE_FILE;
    }
}
