package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.MissingChunks;
import org.junit.jupiter.api.Test;

/**
 * The originator's order: the first round, then what receivers report lost, else the carousel; a chunk still on
 * its way when a report was made is never asked for again by it.
 */
class CarouselOrderTest {
    private static final long RUN = 0x0A0A_2020L;

    @Test
    void withoutReportsItIsThePlainCarousel() {
        CarouselOrder order = new CarouselOrder(5, RUN);
        assertThat(take(order, 12)).containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1);
    }

    @Test
    void chunksReportedLostBeforeTheLatestComeNextInOrderThenTheCarouselGoesOn() {
        CarouselOrder order = new CarouselOrder(100, RUN);
        take(order, 60);
        // Took 50 last: 10 and 40 went out before it and are lost; 55 went out after it and is on its way.
        assertThat(order.reported(report(RUN, 50, 40, 10, 55))).isEqualTo(2);
        assertThat(take(order, 4)).containsExactly(10, 40, 60, 61);
    }

    @Test
    void aChunkSentAgainIsOnItsWayUntilAChunkSentAfterItArrives() {
        CarouselOrder order = new CarouselOrder(100, RUN);
        take(order, 60);
        order.reported(report(RUN, 50, 10));
        assertThat(take(order, 1)).containsExactly(10);
        // Still the same view from the receiver (it has not seen the resend yet): nothing new.
        assertThat(order.reported(report(RUN, 50, 10))).isZero();
        assertThat(order.reported(report(RUN, 59, 10))).isZero();
        // It took a chunk sent after the resend and still lacks 10: lost again.
        take(order, 5);
        assertThat(order.reported(report(RUN, 62, 10))).isEqualTo(1);
        assertThat(take(order, 2)).containsExactly(10, 65);
    }

    @Test
    void chunksOfABatchNotYetSentAreNotAskedForTwice() {
        CarouselOrder order = new CarouselOrder(100, RUN);
        take(order, 60);
        order.reported(report(RUN, 59, 1, 2, 3));
        assertThat(take(order, 1)).containsExactly(1);
        // 2 and 3 wait in the batch: a report naming them again (from before the batch) adds nothing.
        assertThat(order.reported(report(RUN, 59, 1, 2, 3))).isZero();
        assertThat(take(order, 3)).containsExactly(2, 3, 60);
    }

    @Test
    void chunksNotSentYetAndReportsAboutAnotherRunOrOutOfRangeAskForNothing() {
        CarouselOrder order = new CarouselOrder(100, RUN);
        take(order, 10);
        assertThat(order.reported(report(RUN, 9, 50, 60))).as("never sent").isZero();
        assertThat(order.reported(report(RUN + 1, 9, 3))).as("another run").isZero();
        assertThat(order.reported(report(RUN, 100, 3))).as("latest past the end").isZero();
        assertThat(order.reported(report(RUN, 50, 3))).as("latest never sent").isZero();
        MissingChunks far = FrameCodec.reportFor(RUN, 9, MissingChunks.WINDOW_CHUNKS);
        far.setWord(0, -1L);
        assertThat(order.reported(far)).as("window past the end").isZero();
        assertThat(take(order, 3)).containsExactly(10, 11, 12);
    }

    @Test
    void aReportOfAWholeWindowAsksOnlyForChunksTheRunHas() {
        CarouselOrder order = new CarouselOrder(70, RUN);
        take(order, 70);
        take(order, 1);
        MissingChunks all = FrameCodec.reportFor(RUN, 0, 0);
        for (int k = 0; k < MissingChunks.WINDOW_CHUNKS / 64; k++) {
            all.setWord(k, -1L);
        }
        // Took chunk 0 of the second round last: everything else went out before it.
        assertThat(order.reported(all)).isEqualTo(69);
        assertThat(take(order, 69)).isEqualTo(java.util.stream.IntStream.rangeClosed(1, 69).boxed().toList());
    }

    @Test
    void aMemberThatKeepsAskingCannotHoldThePlainCarouselBack() {
        CarouselOrder order = new CarouselOrder(1_000, RUN);
        take(order, 1_000);
        java.util.Set<Integer> carousel = new java.util.HashSet<>();
        int last = take(order, 1).get(0);
        for (int i = 0; i < 2_000; i++) {
            // Every slot the same ten chunks "missing", as if each had been lost again.
            order.reported(report(RUN, last, 900, 901, 902, 903, 904, 905, 906, 907, 908, 909));
            last = order.next();
            if (last < 900) {
                carousel.add(last);
            }
        }
        assertThat(carousel).as("chunks the carousel went on with").hasSizeGreaterThan(300);
    }

    @Test
    void aReportNamingAChunkOfTheBatchUnderWayAsksForNoneOfItsUnsentChunks() {
        CarouselOrder order = new CarouselOrder(100, RUN);
        take(order, 100);
        order.reported(report(RUN, 99, 10, 20, 30, 40));
        assertThat(take(order, 1)).containsExactly(10);
        // 40 is in the batch but not sent yet: as "latest" it says nothing was sent after it.
        assertThat(order.reported(report(RUN, 40, 10, 20, 30))).isZero();
        assertThat(take(order, 3)).containsExactly(20, 30, 40);
    }

    @Test
    void aRunOfOneChunkSendsItAgainAndAgain() {
        CarouselOrder order = new CarouselOrder(1, RUN);
        assertThat(take(order, 3)).containsExactly(0, 0, 0);
        assertThat(order.reported(report(RUN, 0, 0))).isZero();
    }

    static MissingChunks report(long run, int latest, int... missing) {
        MissingChunks report = FrameCodec.reportFor(run, latest, 0);
        long[] words = new long[MissingChunks.WINDOW_CHUNKS / 64];
        for (int c : missing) {
            words[c / 64] |= 1L << (c % 64);
        }
        for (int k = 0; k < words.length; k++) {
            report.setWord(k, words[k]);
        }
        return report;
    }

    private static List<Integer> take(CarouselOrder order, int n) {
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            taken.add(order.next());
        }
        return taken;
    }
}
