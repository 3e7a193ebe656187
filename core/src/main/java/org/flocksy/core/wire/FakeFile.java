package org.flocksy.core.wire;

/** A 210 frame: cover traffic, all zeros after the header (CURVE encrypts the whole frame). */
public record FakeFile() implements Frame {
    public static final FakeFile INSTANCE = new FakeFile();

    @Override
    public Status status() {
        return Status.FAKE_FILE;
    }
}
