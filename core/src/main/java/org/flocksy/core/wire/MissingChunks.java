package org.flocksy.core.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * A 210 frame that carries a receiver's loss report to the originator: which chunks of the run it still
 * misses, in a window of {@link #WINDOW_CHUNKS} chunks from {@code base}, and the chunk it took last, so that
 * the originator can tell a chunk lost on the way from one still on its way. To an observer it is a fake
 * frame like any other (CURVE encrypts the whole frame, and it is as large); a 210 frame of zeros reports
 * nothing. The bitmap is {@code frame[bitsOffset .. bitsOffset + WINDOW_CHUNKS / 8)}, bit {@code i % 8} of
 * byte {@code i / 8} for chunk {@code base + i}: a received report is read where it arrived, never copied.
 *
 * @param run the run it is about: the first 8 bytes of the bundle's hash (never 0)
 * @param latest the chunk index of the last data frame the receiver took, duplicate or not
 * @param base the chunk index of the window's first bit
 */
public record MissingChunks(long run, int latest, int base, byte[] frame, int bitsOffset) implements Frame {
    /** Chunks one report covers: 4 096 bytes of bitmap. */
    public static final int WINDOW_CHUNKS = 4096 * 8;
    /** Reports a receiver sends in a tenth of a second at most, and an originator looks at from one member. */
    public static final int PER_TENTH_MAX = 64;

    public MissingChunks {
        Objects.requireNonNull(frame, "frame");
        if (run == 0 || latest < 0 || base < 0 || bitsOffset < 0 || frame.length - bitsOffset < WINDOW_CHUNKS / 8) {
            throw new IllegalArgumentException("not a loss report: run " + run + ", latest " + latest + ", base " + base);
        }
    }

    /** Whether chunk {@code base + i} is reported missing. */
    public boolean missing(int i) {
        return (frame[bitsOffset + (i >>> 3)] & (1 << (i & 7))) != 0;
    }

    /**
     * Reports chunks {@code base + 64k … base + 64k + 63} as {@code bits} says ({@link java.util.BitSet#toLongArray}'s
     * order: bit {@code j} for chunk {@code base + 64k + j}); for the receiver that fills a fresh report.
     */
    public void setWord(int k, long bits) {
        for (int j = 0; j < Long.BYTES; j++) {
            frame[bitsOffset + k * Long.BYTES + j] = (byte) (bits >>> (8 * j));
        }
    }

    /** The window's bitmap byte {@code b} (chunks {@code base + 8b .. base + 8b + 7}). */
    public int bitmapByte(int b) {
        return frame[bitsOffset + b] & 0xFF;
    }

    @Override
    public Status status() {
        return Status.FAKE_FILE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MissingChunks m && run == m.run && latest == m.latest && base == m.base
                && Arrays.equals(frame, bitsOffset, bitsOffset + WINDOW_CHUNKS / 8, m.frame, m.bitsOffset, m.bitsOffset + WINDOW_CHUNKS / 8);
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, latest, base);
    }

    @Override
    public String toString() {
        return "MissingChunks[run=" + Long.toHexString(run) + " latest=" + latest + " base=" + base + "]";
    }
}
