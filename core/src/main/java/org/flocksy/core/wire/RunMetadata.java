package org.flocksy.core.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The payload of 130, 134, 170 and 174: the bundle a run carries, when it starts and at which rate every
 * node sends its file frames. flocksy's layout (see docs/protocol.md): box UID 32 · record count u32 · bundle
 * length u64 · bundle hash 32 · start timepoint u64 ms · frames per second u32. Names and contents travel only
 * inside the bundle, in the 200 frames.
 *
 * @param records change records in the bundle, at least one
 * @param length bytes of the bundle; the 200 frames carry exactly this many
 * @param bundleHash BLAKE2b-256 of the whole bundle, checked before anything is applied
 * @param framesPerSecond the run's rate, chosen by the originator when it sends the metadata (0 before); on the
 *     wire always within {@link #RATE_MIN} and {@link #RATE_MAX}
 */
public record RunMetadata(byte[] boxUid, int records, long length, byte[] bundleHash, long startMs, int framesPerSecond)
        implements Payload {
    /** The slowest rate a run may have: the specification's 200 frames per second, a quarter of it. */
    public static final int RATE_MIN = 50;
    /** The fastest: a slot every 20 µs, beyond what one CURVE connection carries on a fast machine. */
    public static final int RATE_MAX = 50_000;
    /** Bytes of the smallest record (a one-byte path, an empty version vector, no content): bounds the count a length can hold. */
    public static final int RECORD_BYTES_MIN = 70;
    /**
     * The longest bundle, 1 TiB (so the largest file that syncs): a receiver keeps a bit per chunk of a run,
     * 32 MiB at this length, whatever a member declares (8 TiB, an int's worth of chunks, took 256 MiB).
     */
    public static final long LENGTH_MAX = 1L << 40;

    /** Metadata before the originator chose the start and the rate. */
    public RunMetadata(byte[] boxUid, int records, long length, byte[] bundleHash, long startMs) {
        this(boxUid, records, length, bundleHash, startMs, 0);
    }

    public RunMetadata {
        if (framesPerSecond != 0 && (framesPerSecond < RATE_MIN || framesPerSecond > RATE_MAX)) {
            throw new IllegalArgumentException("rate " + framesPerSecond + " frames/s is outside " + RATE_MIN + ".." + RATE_MAX);
        }
        if (boxUid.length != FrameCodec.HASH_BYTES || bundleHash.length != FrameCodec.HASH_BYTES) {
            throw new IllegalArgumentException("box uid and bundle hash are 32 bytes");
        }
        String problem = problem(records, length);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        boxUid = boxUid.clone();
        bundleHash = bundleHash.clone();
    }

    /** Why a record count and length cannot describe a bundle, or {@code null}. */
    static String problem(long records, long length) {
        if (records < 1 || records > Integer.MAX_VALUE) {
            return "record count " + records;
        }
        if (length < records * RECORD_BYTES_MIN || length > LENGTH_MAX) {
            return "bundle length " + length + " for " + records + " records";
        }
        return null;
    }

    /** The metadata as the originator sends it: with the run's start timepoint and rate. */
    public RunMetadata withStart(long startMs, int framesPerSecond) {
        return new RunMetadata(boxUid, records, length, bundleHash, startMs, framesPerSecond);
    }

    /** The time between two file frames of this run. */
    public long slotNanos() {
        return 1_000_000_000L / framesPerSecond;
    }

    @Override
    public byte[] boxUid() {
        return boxUid.clone();
    }

    @Override
    public byte[] bundleHash() {
        return bundleHash.clone();
    }

    /** The run's name in a receiver's loss report ({@link MissingChunks}): the bundle hash's first 8 bytes, never 0. */
    public long reportTag() {
        long tag = ByteBuffer.wrap(bundleHash).getLong();
        return tag == 0 ? 1 : tag;
    }

    /** Data frames the bundle occupies. */
    public int chunkCount() {
        return FrameCodec.chunkCount(length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunMetadata m && Arrays.equals(boxUid, m.boxUid) && records == m.records
                && length == m.length && Arrays.equals(bundleHash, m.bundleHash) && startMs == m.startMs && framesPerSecond == m.framesPerSecond;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(boxUid), records, length, Arrays.hashCode(bundleHash), startMs, framesPerSecond);
    }

    @Override
    public String toString() {
        return "RunMetadata[" + records + " records, " + length + " B, hash "
                + HexFormat.of().formatHex(bundleHash).substring(0, 12) + ", start " + startMs + ", " + framesPerSecond + " frames/s]";
    }
}
