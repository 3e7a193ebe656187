package org.flocksy.core.sync;

import java.util.BitSet;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.wire.FakeFile;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.MissingChunks;

/**
 * A receiver's file frames in a run: fake frames, and in some of them a loss report naming the chunks it
 * still misses and the chunk it took last ({@link MissingChunks}; the originator's {@link CarouselOrder}
 * sends those again next). Every frame is a 210 of the same size whatever it carries, so an observer sees
 * the same traffic as before; the reports only make lost chunks come back sooner.
 *
 * <p>The event loop {@link #publish}es what is missing now and then as it takes chunks; the sending thread
 * sends the latest of it, one window of {@link MissingChunks#WINDOW_CHUNKS} chunks per slot, in a pass every
 * tenth of a second of slots.
 */
final class LossReporter implements Emitter.BulkSource {
    private final long run;
    private final int chunks;
    private final int slotsPerPass;
    private volatile Missing missing;

    /** Sending thread only: the pass under way, its next window, and the slot count. */
    private Missing pass;
    private int window;
    private long slot;
    private long nextPassAt;

    /** What is missing: {@link BitSet#toLongArray} of the chunks, and the last chunk taken. */
    private record Missing(long[] words, int latest) {}

    LossReporter(long run, int chunks, int framesPerSecond) {
        this.run = run;
        this.chunks = chunks;
        this.slotsPerPass = Math.max(1, framesPerSecond / 10);
    }

    /** On the loop: the chunks in {@code [0, limit)} not in {@code received} are missing; {@code latest} was taken last. */
    void publish(BitSet received, int limit, int latest) {
        BitSet lost = new BitSet(limit);
        lost.set(0, limit);
        lost.andNot(received);
        missing = lost.isEmpty() ? null : new Missing(lost.toLongArray(), latest);
    }

    /** On the loop: nothing is missing (any more). */
    void clear() {
        missing = null;
    }

    @Override
    public Frame next() {
        slot++;
        if (pass == null) {
            if (slot < nextPassAt || missing == null) {
                return FakeFile.INSTANCE;
            }
            pass = missing;
            window = 0;
            nextPassAt = slot + slotsPerPass;
        }
        while ((long) window * MissingChunks.WINDOW_CHUNKS < chunks) {
            MissingChunks report = report(pass, window++);
            if (report != null) {
                return report;
            }
        }
        pass = null;
        return FakeFile.INSTANCE;
    }

    /** Window {@code w} of what is missing as a report, or {@code null} when nothing in it is. */
    private MissingChunks report(Missing m, int w) {
        int perWindow = MissingChunks.WINDOW_CHUNKS / Long.SIZE;
        int first = w * perWindow;
        int last = Math.min(m.words().length, first + perWindow);
        MissingChunks report = null;
        for (int k = first; k < last; k++) {
            if (m.words()[k] != 0) {
                if (report == null) {
                    report = FrameCodec.reportFor(run, m.latest(), w * MissingChunks.WINDOW_CHUNKS);
                }
                report.setWord(k - first, m.words()[k]);
            }
        }
        return report;
    }
}
