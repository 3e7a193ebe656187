package org.flocksy.core.sync;

import java.util.BitSet;
import org.flocksy.core.wire.MissingChunks;

/**
 * Which chunk of a run the originator sends next: 0 … n−1 first, then, as soon as receivers report chunks
 * missing ({@link MissingChunks}), those, else the plain carousel goes on where it was. Without reports (from a
 * node that sends none, or lost on the way) it is the plain carousel; with them a chunk lost on the way
 * comes again within a few tenths of a second, not a whole round later, and a run that lost a fifth of its
 * frames ends after about 1.25 rounds instead of the many rounds a blind carousel needs until the last
 * of its chunks happens to get through to every receiver.
 *
 * <p>Chunks go out in passes, each in ascending order: the first round, each batch of reported chunks, each
 * stretch of the plain carousel. The pass a chunk last went out in is kept, and a report names the last
 * chunk its receiver took: a missing chunk that went out before that one was lost on the way and is sent
 * again; one that went out after it (or waits in the read-ahead, or in the batch under way) is still on its
 * way and is not. No clock, no delay estimate: a chunk is sent again once it is known lost.
 *
 * <p>The plain carousel keeps a share of the slots while batches go out ({@link #CAROUSEL_SHARE}): a receiver
 * whose reports do not arrive, or a member that keeps asking for chunks, must not hold back the others'
 * repair.
 *
 * <p>{@link #next} runs on the read-ahead thread (or the sending thread), {@link #reported} on the receive
 * thread; both under one lock, held for at most one report's window.
 */
final class CarouselOrder {
    /** Bundles of more chunks (16 GiB) are repaired by the plain carousel alone: four bytes a chunk is the cost. */
    static final int REPORTED_CHUNKS_MAX = 1 << 22;
    /** After a batch of n reported chunks, n ÷ this many (at least one) come from the plain carousel. */
    static final int CAROUSEL_SHARE = 4;

    private final int chunks;
    private final long run;
    /** The pass each chunk last went out in; 0 before its first. {@code null} for a bundle over {@link #REPORTED_CHUNKS_MAX}. */
    private final int[] passOf;
    private BitSet wanted = new BitSet();
    private int pass = 1;
    private boolean passUsed;
    /** The reported chunks being sent now, in ascending order, or {@code null} in a stretch of the plain carousel. */
    private BitSet batch;
    private int batchCursor;
    private int carousel;
    /** Chunks the plain carousel sends before the next batch starts. */
    private int carouselOwed;

    CarouselOrder(int chunks, long run) {
        this.chunks = chunks;
        this.run = run;
        this.passOf = chunks <= REPORTED_CHUNKS_MAX ? new int[chunks] : null;
    }

    /** The index of the chunk to send next. */
    synchronized int next() {
        if (batch != null) {
            int c = batch.nextSetBit(batchCursor);
            if (c >= 0) {
                batchCursor = c + 1;
                return sent(c);
            }
            batch = null;
            newPass();
        }
        if (carouselOwed == 0 && !wanted.isEmpty()) {
            newPass();
            batch = wanted;
            wanted = new BitSet();
            carouselOwed = Math.max(1, batch.cardinality() / CAROUSEL_SHARE);
            int c = batch.nextSetBit(0);
            batchCursor = c + 1;
            return sent(c);
        }
        carouselOwed = Math.max(0, carouselOwed - 1);
        int c = carousel;
        carousel = c + 1 == chunks ? 0 : c + 1;
        sent(c);
        if (carousel == 0) {
            newPass();
        }
        return c;
    }

    private int sent(int c) {
        if (passOf != null) {
            passOf[c] = pass;
        }
        passUsed = true;
        return c;
    }

    private void newPass() {
        if (passUsed) {
            pass++;
        }
        passUsed = false;
    }

    /**
     * A receiver's report: the chunks in its window that went out before the one it took last are sent again
     * next. Reports about another run, or naming chunks this run does not have, change nothing.
     *
     * @return how many chunks it added to what is sent next
     */
    synchronized int reported(MissingChunks report) {
        if (report.run() != run || passOf == null || report.latest() >= chunks || report.base() >= chunks) {
            return 0;
        }
        int latest = report.latest();
        int horizon = passOf[latest];
        if (horizon == 0) {
            return 0;
        }
        int end = Math.min(MissingChunks.WINDOW_CHUNKS, chunks - report.base());
        int added = 0;
        for (int b = 0, bytes = (end + 7) / 8; b < bytes; b++) {
            int bits = report.bitmapByte(b);
            while (bits != 0) {
                int i = b * 8 + Integer.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (i >= end) {
                    break;
                }
                int c = report.base() + i;
                int p = passOf[c];
                if (p != 0 && (p < horizon || (p == horizon && c < latest)) && !wanted.get(c) && !stillInBatch(c)) {
                    wanted.set(c);
                    added++;
                }
            }
        }
        return added;
    }

    /** Whether {@code c} is in the batch under way and not sent yet. */
    private boolean stillInBatch(int c) {
        return batch != null && c >= batchCursor && batch.get(c);
    }
}
