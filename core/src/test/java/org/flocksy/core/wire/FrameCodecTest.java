package org.flocksy.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flocksy.core.crypto.NodeUid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FrameCodecTest {
    /** Bytes that broke the original's text-stream parsing (digest §11.2, A2/A3): NUL, LF, space, digits. */
    private static final byte[] HOSTILE = {0x00, 0x0A, 0x20, '1', '0', '0', 0x20, 0x0A};

    private static NodeUid uid(int seed) {
        byte[] b = new byte[16];
        Arrays.fill(b, (byte) seed);
        System.arraycopy(HOSTILE, 0, b, 0, HOSTILE.length);
        b[15] = (byte) seed;
        return NodeUid.of(b);
    }

    private static byte[] hash(int seed) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) seed);
        System.arraycopy(HOSTILE, 0, b, 4, HOSTILE.length);
        return b;
    }

    private static Payload samplePayload(Status status) {
        return switch (status.layout) {
            case NODE_LIST -> {
                List<NodeUid> uids = new ArrayList<>();
                for (int i = 0; i < 15; i++) {
                    uids.add(uid(i));
                }
                yield new Payload.NodeList(200, uids);
            }
            case ACKNOWLEDGEMENT -> new Payload.Acknowledgement(uid(7), 0x0A20);
            case TIMEPOINT -> new Payload.Timepoint(0x0A0A_200A_0000_0A0AL);
            case RUN_METADATA -> metadata();
            default -> throw new IllegalArgumentException();
        };
    }

    private static RunMetadata metadata() {
        return new RunMetadata(hash(1), 0x0A20, 0x0A_2030_0A0AL, hash(2), 0x2020_0A0AL, 0x200A);
    }

    @ParameterizedTest
    @EnumSource(Status.class)
    void everyStatusEncodesToItsFixedSizeAndRoundTrips(Status status) throws Exception {
        Frame frame = switch (status.layout) {
            case FILE_DATA -> new FileData(4096L * 10, HOSTILE.length, true, HOSTILE.clone());
            case FAKE_FILE -> FakeFile.INSTANCE;
            default -> new Heartbeat(status, 0x0A0A_0A0AL, samplePayload(status));
        };
        byte[] bytes = FrameCodec.encode(frame);
        assertThat(bytes).hasSize(status.isFileFrame() ? 4117 : 256);
        assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo(status.code + " ");
        assertThat(FrameCodec.decode(bytes)).isEqualTo(frame);
    }

    /** Every frame waiting in the publisher's queue holds its own bytes, fake or not: the heap looks the same whoever originates. */
    @Test
    void everyFakeFrameIsItsOwnArrayLikeADataFrame() {
        byte[] one = FrameCodec.encode(FakeFile.INSTANCE);
        byte[] two = FrameCodec.encode(FakeFile.INSTANCE);
        assertThat(one).isNotSameAs(two).isEqualTo(two).hasSize(FrameCodec.FILE_FRAME_BYTES);
    }

    /** A loss report is a 210 like any fake frame: same code, same size; its fields and bitmap come back as sent. */
    @Test
    void aLossReportIsAFakeFrameThatCarriesItsWindow() throws Exception {
        MissingChunks report = FrameCodec.reportFor(0x0A20_0A0AL, 70_000, 65_536);
        report.setWord(0, 1L | 1L << 63);
        report.setWord(511, 1L << 62);
        byte[] bytes = FrameCodec.encode(report);
        assertThat(bytes).hasSize(FrameCodec.FILE_FRAME_BYTES);
        assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("210 ");
        MissingChunks back = (MissingChunks) FrameCodec.decode(bytes);
        assertThat(back).isEqualTo(report);
        assertThat(back.run()).isEqualTo(0x0A20_0A0AL);
        assertThat(back.latest()).isEqualTo(70_000);
        assertThat(back.base()).isEqualTo(65_536);
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < MissingChunks.WINDOW_CHUNKS; i++) {
            if (back.missing(i)) {
                missing.add(i);
            }
        }
        assertThat(missing).containsExactly(0, 63, MissingChunks.WINDOW_CHUNKS - 2);
    }

    @Test
    void aFakeFrameOfZerosReportsNothingAndAReportWithANegativeIndexIsMalformed() throws Exception {
        assertThat(FrameCodec.decode(FrameCodec.encode(FakeFile.INSTANCE))).isSameAs(FakeFile.INSTANCE);
        byte[] negative = FrameCodec.encode(FrameCodec.reportFor(7, 1, 0));
        negative[FrameCodec.HEADER_BYTES + 8] = (byte) 0x80;
        assertReason(negative, MalformedFrameException.Reason.BAD_FIELD);
        byte[] negativeBase = FrameCodec.encode(FrameCodec.reportFor(7, 1, 0));
        negativeBase[FrameCodec.HEADER_BYTES + 12] = (byte) 0xFF;
        assertReason(negativeBase, MalformedFrameException.Reason.BAD_FIELD);
    }

    @Test
    void moreThanFifteenUidsGoOutInRotatingBatches() throws Exception {
        List<NodeUid> twenty = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            twenty.add(uid(i));
        }
        Payload.NodeList all = Payload.NodeList.of(twenty);
        assertThat(all.batches()).isEqualTo(2);
        assertThat(all.batch(0).uids()).isEqualTo(twenty.subList(0, 15));
        assertThat(all.batch(1).uids()).isEqualTo(twenty.subList(15, 20));
        assertThat(all.batch(2)).isEqualTo(all.batch(0));
        for (int i = 0; i < 2; i++) {
            Heartbeat hb = new Heartbeat(Status.IDLE, 7, all.batch(i));
            Heartbeat decoded = (Heartbeat) FrameCodec.decode(FrameCodec.encode(hb));
            assertThat(decoded).isEqualTo(hb);
            assertThat(((Payload.NodeList) decoded.payload()).count()).isEqualTo(20);
        }
        assertThatThrownBy(() -> FrameCodec.encode(new Heartbeat(Status.IDLE, 7, all))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyNodeListsAndEmptyChunksKeepTheSize() throws Exception {
        byte[] idle = FrameCodec.encode(new Heartbeat(Status.IDLE, 1, Payload.NodeList.of(List.of())));
        assertThat(idle).hasSize(256);
        byte[] empty = FrameCodec.encode(new FileData(0, 0, false, new byte[0]));
        assertThat(empty).hasSize(4117);
        assertThat(FrameCodec.decode(empty)).isEqualTo(new FileData(0, 0, false, new byte[0]));
    }

    @Test
    void chunkCountsFollowTheDigestVectors() {
        long[] sizes = {0, 1, 4095, 4096, 4097, 8192, 1024 * 1024 + 1};
        int[] chunks = {1, 1, 1, 1, 2, 2, 257};
        for (int i = 0; i < sizes.length; i++) {
            assertThat(FrameCodec.chunkCount(sizes[i])).as("chunks of %d bytes", sizes[i]).isEqualTo(chunks[i]);
        }
    }

    @Test
    void malformedFramesAreRejectedWithAReason() {
        assertReason(new byte[255], MalformedFrameException.Reason.BAD_SIZE);
        assertReason(new byte[4116], MalformedFrameException.Reason.BAD_SIZE);
        byte[] hb = FrameCodec.encode(new Heartbeat(Status.IDLE, 1, Payload.NodeList.of(List.of())));
        byte[] badDigit = hb.clone();
        badDigit[1] = 'x';
        assertReason(badDigit, MalformedFrameException.Reason.BAD_HEADER);
        byte[] noSpace = hb.clone();
        noSpace[3] = 0;
        assertReason(noSpace, MalformedFrameException.Reason.BAD_HEADER);
        byte[] unknown = hb.clone();
        unknown[0] = '9';
        assertReason(unknown, MalformedFrameException.Reason.UNKNOWN_CODE);
        byte[] zeroTime = hb.clone();
        Arrays.fill(zeroTime, 4, 12, (byte) 0);
        assertReason(zeroTime, MalformedFrameException.Reason.BAD_FIELD);
        byte[] heartbeatCodeInFileFrame = new byte[4117];
        System.arraycopy(hb, 0, heartbeatCodeInFileFrame, 0, 4);
        assertReason(heartbeatCodeInFileFrame, MalformedFrameException.Reason.BAD_SIZE);

        byte[] data = FrameCodec.encode(new FileData(0, 1, false, new byte[] {7}));
        byte[] oddOffset = data.clone();
        oddOffset[11] = 1;
        assertReason(oddOffset, MalformedFrameException.Reason.BAD_FIELD);
        byte[] bigChunk = data.clone();
        bigChunk[18] = 0x10;
        bigChunk[19] = 0x01;
        assertReason(bigChunk, MalformedFrameException.Reason.BAD_FIELD);
        byte[] badMore = data.clone();
        badMore[20] = 2;
        assertReason(badMore, MalformedFrameException.Reason.BAD_FIELD);
    }

    @Test
    void metadataThatCannotDescribeABundleIsRejected() throws Exception {
        byte[] meta = FrameCodec.encode(new Heartbeat(Status.SENDING_NEW_FILE_METADATA, 1, metadata()));
        int recordsAt = 12 + 32;
        byte[] noRecords = meta.clone();
        Arrays.fill(noRecords, recordsAt, recordsAt + 4, (byte) 0);
        assertReason(noRecords, MalformedFrameException.Reason.BAD_FIELD);
        byte[] tooShort = meta.clone();
        Arrays.fill(tooShort, recordsAt + 4, recordsAt + 12, (byte) 0);
        tooShort[recordsAt + 11] = 52;
        assertReason(tooShort, MalformedFrameException.Reason.BAD_FIELD);
        byte[] negative = meta.clone();
        negative[recordsAt + 4] = (byte) 0x80;
        assertReason(negative, MalformedFrameException.Reason.BAD_FIELD);
        // A member declaring more than 1 TiB would make every receiver keep a bit per chunk of it.
        byte[] huge = meta.clone();
        java.nio.ByteBuffer.wrap(huge).putLong(recordsAt + 4, RunMetadata.LENGTH_MAX + 1);
        assertReason(huge, MalformedFrameException.Reason.BAD_FIELD);
        byte[] largest = meta.clone();
        java.nio.ByteBuffer.wrap(largest).putLong(recordsAt + 4, RunMetadata.LENGTH_MAX);
        assertThat(((RunMetadata) ((Heartbeat) FrameCodec.decode(largest)).payload()).length()).isEqualTo(1L << 40);
        int rateAt = recordsAt + 4 + 8 + 32 + 8;
        for (int rate : new int[] {0, RunMetadata.RATE_MIN - 1, RunMetadata.RATE_MAX + 1, -1}) {
            byte[] badRate = meta.clone();
            java.nio.ByteBuffer.wrap(badRate).putInt(rateAt, rate);
            assertReason(badRate, MalformedFrameException.Reason.BAD_FIELD);
        }
        assertThatThrownBy(() -> FrameCodec.encode(new Heartbeat(Status.SENDING_NEW_FILE_METADATA, 1,
                new RunMetadata(hash(1), 1, 100, hash(2), 5)))).as("metadata without a rate never leaves").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAcknowledgementNamesOneOriginatorAndAPlausibleRate() throws Exception {
        byte[] ack = FrameCodec.encode(new Heartbeat(Status.ACKNOWLEDGING_NEW_FILE, 1, new Payload.Acknowledgement(uid(3), 12_000)));
        assertThat(((Payload.Acknowledgement) ((Heartbeat) FrameCodec.decode(ack)).payload()).framesPerSecondMax()).isEqualTo(12_000);
        byte[] two = ack.clone();
        two[12] = 2;
        assertReason(two, MalformedFrameException.Reason.BAD_FIELD);
        for (int rate : new int[] {0, RunMetadata.RATE_MAX + 1, Integer.MIN_VALUE}) {
            byte[] badRate = ack.clone();
            java.nio.ByteBuffer.wrap(badRate).putInt(12 + 1 + 16, rate);
            assertReason(badRate, MalformedFrameException.Reason.BAD_FIELD);
        }
    }

    private static void assertReason(byte[] bytes, MalformedFrameException.Reason reason) {
        assertThatThrownBy(() -> FrameCodec.decode(bytes))
                .isInstanceOf(MalformedFrameException.class)
                .satisfies(e -> assertThat(((MalformedFrameException) e).reason()).isEqualTo(reason));
    }
}
