package org.flocksy.core.sync;

import java.util.Arrays;
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
 * sends the latest of it, one window of {@link MissingChunks#WINDOW_CHUNKS} chunks per slot, in a pass of at
 * most {@link MissingChunks#PER_TENTH_MAX} every tenth of a second of slots, each pass going on from the window after the
 * last one sent. A bundle of more
 * than {@link CarouselOrder#REPORTED_CHUNKS_MAX} chunks is not reported on: its originator does not look.
 */
final class LossReporter implements Emitter.BulkSource {
    private final long run;
    private final int chunks;
    private final int slotsPerPass;
    private volatile Missing missing;

    /** Sending thread only: the pass under way, how many of its windows are sent, the slot count. */
    private Missing pass;
    private int sentInPass;
    private int passStart;
    private int nextWindow;
    private long slot;
    private long nextPassAt;

    /** What is missing: {@link BitSet#toLongArray} of the chunks, the windows with a chunk in them, the last chunk taken. */
    private record Missing(long[] words, int[] windows, int latest) {}

    LossReporter(long run, int chunks, int framesPerSecond) {
        this.run = run;
        this.chunks = chunks;
        this.slotsPerPass = Math.max(1, framesPerSecond / 10);
    }

    /** Whether this run's losses are reported at all. */
    boolean reports() {
        return chunks <= CarouselOrder.REPORTED_CHUNKS_MAX;
    }

    /** On the loop: the chunks in {@code [0, limit)} not in {@code received} are missing; {@code latest} was taken last. */
    void publish(BitSet received, int limit, int latest) {
        if (!reports()) {
            return;
        }
        BitSet lost = new BitSet(limit);
        lost.set(0, limit);
        lost.andNot(received);
        if (lost.isEmpty()) {
            missing = null;
            return;
        }
        long[] words = lost.toLongArray();
        int perWindow = MissingChunks.WINDOW_CHUNKS / Long.SIZE;
        int[] windows = new int[(words.length + perWindow - 1) / perWindow];
        int n = 0;
        for (int c = lost.nextSetBit(0); c >= 0; c = lost.nextSetBit((windows[n - 1] + 1) * MissingChunks.WINDOW_CHUNKS)) {
            windows[n++] = c / MissingChunks.WINDOW_CHUNKS;
        }
        missing = new Missing(words, Arrays.copyOf(windows, n), latest);
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
            sentInPass = 0;
            nextPassAt = slot + slotsPerPass;
            // Go on from the window after the last one sent: with more windows than a pass holds, each gets its turn.
            int[] windows = pass.windows();
            passStart = 0;
            while (passStart < windows.length && windows[passStart] < nextWindow) {
                passStart++;
            }
        }
        int[] windows = pass.windows();
        if (sentInPass == Math.min(windows.length, MissingChunks.PER_TENTH_MAX)) {
            pass = null;
            return FakeFile.INSTANCE;
        }
        int w = windows[(passStart + sentInPass++) % windows.length];
        nextWindow = w + 1;
        return report(pass, w);
    }

    /** Window {@code w} of what is missing as a report. */
    private MissingChunks report(Missing m, int w) {
        int perWindow = MissingChunks.WINDOW_CHUNKS / Long.SIZE;
        int first = w * perWindow;
        int last = Math.min(m.words().length, first + perWindow);
        MissingChunks report = FrameCodec.reportFor(run, m.latest(), w * MissingChunks.WINDOW_CHUNKS);
        for (int k = first; k < last; k++) {
            if (m.words()[k] != 0) {
                report.setWord(k - first, m.words()[k]);
            }
        }
        return report;
    }
}
