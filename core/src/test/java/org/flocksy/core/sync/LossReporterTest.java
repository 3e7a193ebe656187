package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.flocksy.core.wire.FakeFile;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.MissingChunks;
import org.junit.jupiter.api.Test;

/** A receiver's file frames: fake ones, and a pass of loss reports a tenth of a second, one window each, only where chunks are missing. */
class LossReporterTest {

    @Test
    void nothingMissingMeansFakeFramesOnly() {
        LossReporter reporter = new LossReporter(9, 100_000, 1_000);
        assertThat(take(reporter, 300)).allMatch(f -> f == FakeFile.INSTANCE);
        BitSet all = new BitSet();
        all.set(0, 500);
        reporter.publish(all, 500, 499);
        assertThat(take(reporter, 300)).allMatch(f -> f == FakeFile.INSTANCE);
    }

    @Test
    void aPassSendsOneReportPerWindowWithMissingChunksThenWaitsATenthOfASecondOfSlots() throws Exception {
        LossReporter reporter = new LossReporter(9, 100_000, 1_000);
        BitSet received = new BitSet();
        received.set(0, 90_000);
        received.clear(3);
        received.clear(80_000);
        reporter.publish(received, 90_000, 89_999);
        List<Frame> frames = take(reporter, 250);
        List<MissingChunks> reports = frames.stream().filter(f -> f instanceof MissingChunks).map(f -> (MissingChunks) f).toList();
        // Windows 0 and 2 hold a missing chunk, window 1 none: two reports a pass, a pass every 100 slots.
        assertThat(reports).hasSize(6);
        MissingChunks first = (MissingChunks) FrameCodec.decode(FrameCodec.encode(reports.get(0)));
        assertThat(first.run()).isEqualTo(9);
        assertThat(first.latest()).isEqualTo(89_999);
        assertThat(first.base()).isZero();
        assertThat(missing(first)).containsExactly(3);
        MissingChunks second = reports.get(1);
        assertThat(second.base()).isEqualTo(2 * MissingChunks.WINDOW_CHUNKS);
        assertThat(missing(second)).containsExactly(80_000 - 2 * MissingChunks.WINDOW_CHUNKS);
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) instanceof MissingChunks) {
                at.add(i);
            }
        }
        assertThat(at).containsExactly(0, 1, 100, 101, 200, 201);
        reporter.clear();
        assertThat(take(reporter, 300)).allMatch(f -> f == FakeFile.INSTANCE);
    }

    private static List<Integer> missing(MissingChunks report) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < MissingChunks.WINDOW_CHUNKS; i++) {
            if (report.missing(i)) {
                missing.add(i);
            }
        }
        return missing;
    }

    private static List<Frame> take(LossReporter reporter, int n) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            frames.add(reporter.next());
        }
        return frames;
    }
}
