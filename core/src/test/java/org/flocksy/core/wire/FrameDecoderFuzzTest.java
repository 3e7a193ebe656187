package org.flocksy.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.flocksy.core.crypto.NodeUid;

/**
 * Hostile input for the decoder: one million frames, random ones of any size and valid ones with a few
 * bytes changed, drawn from seeds jqwik chooses (and reports, should one fail). Every input either
 * decodes to a frame that re-encodes to the same size, or is rejected with {@link MalformedFrameException}.
 */
public class FrameDecoderFuzzTest {
    static final int FRAMES_PER_SEED = 10_000;

    @Property(tries = 100, seed = "20261125") // pinned: CI must be reproducible; change the seed to explore
    void aMillionHostileFramesNeverEscapeAsAnythingButMalformedFrame(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < FRAMES_PER_SEED; i++) {
            byte[] bytes = hostileFrame(random);
            try {
                Frame frame = FrameCodec.decode(bytes);
                assertThat(FrameCodec.encode(frame)).hasSize(bytes.length);
            } catch (MalformedFrameException expected) {
                assertThat(expected.reason()).isNotNull();
            }
        }
    }

    /** Half random bytes (of plausible and implausible sizes, often behind a valid header), half mutated valid frames. */
    public static byte[] hostileFrame(SplittableRandom random) {
        if (random.nextBoolean()) {
            int[] sizes = {0, 1, 4, 12, 255, 256, 257, 4116, 4117, 4118, random.nextInt(5000)};
            byte[] b = new byte[sizes[random.nextInt(sizes.length)]];
            random.nextBytes(b);
            if (b.length >= 4 && random.nextBoolean()) {
                Status s = Status.values()[random.nextInt(Status.values().length)];
                b[0] = (byte) ('0' + s.code / 100);
                b[1] = (byte) ('0' + s.code / 10 % 10);
                b[2] = (byte) ('0' + s.code % 10);
                b[3] = ' ';
            }
            return b;
        }
        byte[] frame = FrameCodec.encode(VALID.get(random.nextInt(VALID.size()))).clone();
        int edits = 1 + random.nextInt(6);
        for (int e = 0; e < edits; e++) {
            // Most edits hit the header and the fields, where the decoder has decisions to make.
            int at = random.nextInt(4) == 0 ? random.nextInt(frame.length) : random.nextInt(Math.min(frame.length, 256));
            frame[at] = (byte) random.nextInt(256);
        }
        return frame;
    }

    private static final List<Frame> VALID = validFrames();

    private static List<Frame> validFrames() {
        NodeUid uid = NodeUid.of(new byte[16]);
        byte[] hash = new byte[32];
        return List.of(
                new Heartbeat(Status.IDLE, 1_767_225_600_000L, Payload.NodeList.of(List.of(uid, uid))),
                new Heartbeat(Status.ANNOUNCING_NEW_FILE, 1_767_225_600_000L, Payload.NodeList.of(List.of(uid))),
                new Heartbeat(Status.ACKNOWLEDGING_NEW_FILE, 1_767_225_600_000L, new Payload.Acknowledgement(uid, 2_000)),
                new Heartbeat(Status.ALL_RECEIVED, 1_767_225_600_000L, Payload.NodeList.of(List.of(uid))),
                new Heartbeat(Status.SYNCING_STOP, 1_767_225_600_000L, new Payload.Timepoint(1_767_225_605_000L)),
                new Heartbeat(Status.SENDING_NEW_FILE_METADATA, 1_767_225_600_000L, new RunMetadata(hash, 3, 10_000,
                        hash, 1_767_225_604_000L, 400)),
                new FileData(8192, 100, true, new byte[100]),
                new FileData(0, 0, false, new byte[0]),
                FakeFile.INSTANCE);
    }
}
