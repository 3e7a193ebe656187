package org.flocksy.core.wire;

/** One Flock frame: a heartbeat or a file frame. */
public sealed interface Frame permits Heartbeat, FileData, FakeFile, MissingChunks {
    Status status();
}
