package org.flocksy.core.wire;

import static org.flocksy.core.wire.MalformedFrameException.Reason.BAD_FIELD;
import static org.flocksy.core.wire.MalformedFrameException.Reason.BAD_HEADER;
import static org.flocksy.core.wire.MalformedFrameException.Reason.BAD_SIZE;
import static org.flocksy.core.wire.MalformedFrameException.Reason.UNKNOWN_CODE;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.core.crypto.NodeUid;

/**
 * Encodes and decodes Flock frames. Every heartbeat is exactly {@link #HEARTBEAT_BYTES}, every file frame
 * exactly {@link #FILE_FRAME_BYTES}, whatever the payload; padding is zeros. Decoding checks every length
 * and field before use and never trusts the peer.
 */
public final class FrameCodec {
    public static final int HEARTBEAT_BYTES = 256;
    public static final int FILE_FRAME_BYTES = 4117;
    public static final int CHUNK_BYTES = 4096;
    public static final int HEADER_BYTES = 4;
    public static final int HASH_BYTES = 32;
    /** UIDs per heartbeat; larger flocks rotate batches of this size. */
    public static final int NODE_UIDS_MAX = 15;
    /** Where a 200 frame's content starts: header, offset u64, size u64, more u8. */
    public static final int DATA_OFFSET = HEADER_BYTES + 8 + 8 + 1;
    /** Where a loss report's bitmap starts in a 210 frame: header, run u64, latest u32, base u32; one zero byte pads its end. */
    public static final int REPORT_BITS_OFFSET = HEADER_BYTES + 8 + 4 + 4;
    /** A fake 210 frame's bytes, encoded once; each one sent is a copy of its own (see {@link #encode}). */
    private static final byte[] FAKE_FRAME = header(ByteBuffer.allocate(FILE_FRAME_BYTES), Status.FAKE_FILE).array();

    private FrameCodec() {}

    /** The 200 frames {@code bytes} of content occupy: nothing still takes one (size 0, more 0). */
    public static int chunkCount(long bytes) {
        return (int) Math.max(1, (bytes + CHUNK_BYTES - 1) / CHUNK_BYTES);
    }

    /**
     * The frame's bytes, a fresh array each time, a fake frame's too: a frame waits in the publisher's queue
     * until it is encrypted and written, and one array shared by every fake frame cost a receiver's heap
     * nothing while the originator's queued data frames filled its own. Its collector then paused it for 50-115
     * ms in the middle of its runs and the gaps between its packets named it (the roughest in 21 of 30 runs).
     */
    public static byte[] encode(Frame frame) {
        if (frame instanceof Heartbeat h) {
            return encodeHeartbeat(h);
        }
        if (frame instanceof FileData d) {
            return encodeFileData(d);
        }
        if (frame instanceof MissingChunks m) {
            return encodeReport(m);
        }
        return FAKE_FRAME.clone();
    }

    /**
     * An empty 200 frame for the chunk at {@code offset}, header and fields written: the content is read into
     * {@code data()} at {@code dataOffset()}, and encoding it then costs no copy.
     */
    public static FileData frameFor(long offset, int size, boolean more) {
        byte[] frame = new byte[FILE_FRAME_BYTES];
        ByteBuffer out = header(ByteBuffer.wrap(frame), Status.FILE_DATA);
        out.putLong(offset).putLong(size).put((byte) (more ? 1 : 0));
        return new FileData(offset, size, more, frame, DATA_OFFSET);
    }

    /** An empty loss report (no chunk marked yet) in a frame of its own, fields written; see {@link MissingChunks}. */
    public static MissingChunks reportFor(long run, int latest, int base) {
        byte[] frame = new byte[FILE_FRAME_BYTES];
        header(ByteBuffer.wrap(frame), Status.FAKE_FILE).putLong(run).putInt(latest).putInt(base);
        return new MissingChunks(run, latest, base, frame, REPORT_BITS_OFFSET);
    }

    public static Frame decode(byte[] bytes) throws MalformedFrameException {
        if (bytes.length != HEARTBEAT_BYTES && bytes.length != FILE_FRAME_BYTES) {
            throw new MalformedFrameException(BAD_SIZE, "frame of " + bytes.length + " bytes");
        }
        Status status = status(bytes);
        boolean fileSized = bytes.length == FILE_FRAME_BYTES;
        if (status.isFileFrame() != fileSized) {
            throw new MalformedFrameException(BAD_SIZE, status.code + " in a frame of " + bytes.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).position(HEADER_BYTES);
        return switch (status.layout) {
            case FAKE_FILE -> decodeFake(in);
            case FILE_DATA -> decodeFileData(in);
            default -> decodeHeartbeat(status, in);
        };
    }

    private static Status status(byte[] b) throws MalformedFrameException {
        for (int i = 0; i < 3; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw new MalformedFrameException(BAD_HEADER, "status is not three ASCII digits");
            }
        }
        if (b[3] != ' ') {
            throw new MalformedFrameException(BAD_HEADER, "no space after the status");
        }
        int code = (b[0] - '0') * 100 + (b[1] - '0') * 10 + (b[2] - '0');
        Status status = Status.ofCode(code);
        if (status == null) {
            throw new MalformedFrameException(UNKNOWN_CODE, "unknown status " + code);
        }
        return status;
    }

    private static ByteBuffer header(ByteBuffer out, Status status) {
        int c = status.code;
        out.put((byte) ('0' + c / 100)).put((byte) ('0' + c / 10 % 10)).put((byte) ('0' + c % 10)).put((byte) ' ');
        return out;
    }

    private static byte[] encodeHeartbeat(Heartbeat h) {
        ByteBuffer out = header(ByteBuffer.allocate(HEARTBEAT_BYTES), h.status());
        out.putLong(h.timestampMs());
        checkLayout(h.status(), h.payload());
        if (h.payload() instanceof Payload.NodeList n) {
            if (n.uids().size() > NODE_UIDS_MAX) {
                throw new IllegalArgumentException("at most " + NODE_UIDS_MAX + " uids per heartbeat: send batches");
            }
            out.put((byte) n.count());
            n.uids().forEach(u -> out.put(u.toBytes()));
        } else if (h.payload() instanceof Payload.Acknowledgement a) {
            out.put((byte) 1).put(a.originator().toBytes()).putInt(a.framesPerSecondMax());
        } else if (h.payload() instanceof Payload.Timepoint t) {
            out.putLong(t.epochMs());
        } else if (h.payload() instanceof RunMetadata m) {
            putMetadata(out, m);
        }
        return out.array();
    }

    private static void checkLayout(Status status, Payload payload) {
        boolean fits = switch (status.layout) {
            case NODE_LIST -> payload instanceof Payload.NodeList;
            case ACKNOWLEDGEMENT -> payload instanceof Payload.Acknowledgement;
            case TIMEPOINT -> payload instanceof Payload.Timepoint;
            case RUN_METADATA -> payload instanceof RunMetadata;
            default -> false;
        };
        if (!fits) {
            throw new IllegalArgumentException(status + " cannot carry " + payload.getClass().getSimpleName());
        }
    }

    private static void putMetadata(ByteBuffer out, RunMetadata m) {
        if (m.framesPerSecond() == 0) {
            throw new IllegalArgumentException("metadata without a rate cannot be sent");
        }
        out.put(m.boxUid()).putInt(m.records()).putLong(m.length()).put(m.bundleHash()).putLong(m.startMs()).putInt(m.framesPerSecond());
    }

    private static Heartbeat decodeHeartbeat(Status status, ByteBuffer in) throws MalformedFrameException {
        long timestamp = in.getLong();
        if (timestamp <= 0) {
            throw new MalformedFrameException(BAD_FIELD, "timestamp " + timestamp);
        }
        Payload payload = switch (status.layout) {
            case NODE_LIST -> nodeList(in);
            case ACKNOWLEDGEMENT -> acknowledgement(in);
            case TIMEPOINT -> new Payload.Timepoint(in.getLong());
            case RUN_METADATA -> metadata(in);
            default -> throw new IllegalStateException("not a heartbeat layout: " + status.layout);
        };
        return new Heartbeat(status, timestamp, payload);
    }

    /**
     * The UIDs after a node-count. The wire does not say how many a heartbeat holds when the count is over
     * 15 and the list rotates: the last batch is shorter, and its unused slots are zeros, which no BLAKE2b
     * output is in practice.
     */
    private static Payload.NodeList nodeList(ByteBuffer in) {
        int count = Byte.toUnsignedInt(in.get());
        int listed = Math.min(count, NODE_UIDS_MAX);
        List<NodeUid> uids = new ArrayList<>(listed);
        byte[] uid = new byte[NodeUid.BYTES];
        for (int i = 0; i < listed; i++) {
            in.get(uid);
            if (count > NODE_UIDS_MAX && isZero(uid)) {
                break;
            }
            uids.add(NodeUid.of(uid));
        }
        return new Payload.NodeList(count, uids);
    }

    /** One originator's UID and the acknowledging node's rate limit. */
    private static Payload.Acknowledgement acknowledgement(ByteBuffer in) throws MalformedFrameException {
        int count = Byte.toUnsignedInt(in.get());
        if (count != 1) {
            throw new MalformedFrameException(BAD_FIELD, "an acknowledgement names " + count + " originators");
        }
        byte[] uid = new byte[NodeUid.BYTES];
        in.get(uid);
        int rate = in.getInt();
        if (rate < RunMetadata.RATE_MIN || rate > RunMetadata.RATE_MAX) {
            throw new MalformedFrameException(BAD_FIELD, "rate limit " + Integer.toUnsignedLong(rate) + " frames/s");
        }
        return new Payload.Acknowledgement(NodeUid.of(uid), rate);
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static RunMetadata metadata(ByteBuffer in) throws MalformedFrameException {
        byte[] box = new byte[HASH_BYTES];
        in.get(box);
        long records = Integer.toUnsignedLong(in.getInt());
        long length = in.getLong();
        String problem = RunMetadata.problem(records, length);
        if (problem != null) {
            throw new MalformedFrameException(BAD_FIELD, problem);
        }
        byte[] hash = new byte[HASH_BYTES];
        in.get(hash);
        long start = in.getLong();
        int rate = in.getInt();
        if (rate < RunMetadata.RATE_MIN || rate > RunMetadata.RATE_MAX) {
            throw new MalformedFrameException(BAD_FIELD, "rate " + Integer.toUnsignedLong(rate) + " frames/s");
        }
        return new RunMetadata(box, (int) records, length, hash, start, rate);
    }

    private static byte[] encodeFileData(FileData d) {
        if (d.data().length == FILE_FRAME_BYTES && d.dataOffset() == DATA_OFFSET) {
            // Already a frame around its content (frameFor, or a received frame): (re)write the fields in place.
            ByteBuffer out = header(ByteBuffer.wrap(d.data()), Status.FILE_DATA);
            out.putLong(d.offset()).putLong(d.size()).put((byte) (d.more() ? 1 : 0));
            return d.data();
        }
        ByteBuffer out = header(ByteBuffer.allocate(FILE_FRAME_BYTES), Status.FILE_DATA);
        out.putLong(d.offset()).putLong(d.size()).put((byte) (d.more() ? 1 : 0)).put(d.data(), d.dataOffset(), d.size());
        return out.array();
    }

    private static byte[] encodeReport(MissingChunks m) {
        if (m.frame().length != FILE_FRAME_BYTES || m.bitsOffset() != REPORT_BITS_OFFSET) {
            throw new IllegalArgumentException("a loss report is encoded in the frame reportFor made");
        }
        header(ByteBuffer.wrap(m.frame()), Status.FAKE_FILE).putLong(m.run()).putInt(m.latest()).putInt(m.base());
        return m.frame();
    }

    /** Zeros (a node with nothing to report, or an older one) are cover traffic; anything else is a loss report. */
    private static Frame decodeFake(ByteBuffer in) throws MalformedFrameException {
        long run = in.getLong();
        if (run == 0) {
            return FakeFile.INSTANCE;
        }
        int latest = in.getInt();
        int base = in.getInt();
        if (latest < 0 || base < 0) {
            throw new MalformedFrameException(BAD_FIELD, "loss report with latest chunk " + Integer.toUnsignedLong(latest) + ", window at "
                    + Integer.toUnsignedLong(base));
        }
        return new MissingChunks(run, latest, base, in.array(), REPORT_BITS_OFFSET);
    }

    private static FileData decodeFileData(ByteBuffer in) throws MalformedFrameException {
        long offset = in.getLong();
        long size = in.getLong();
        int more = Byte.toUnsignedInt(in.get());
        if (offset < 0 || offset % CHUNK_BYTES != 0) {
            throw new MalformedFrameException(BAD_FIELD, "offset " + offset);
        }
        if (size < 0 || size > CHUNK_BYTES) {
            throw new MalformedFrameException(BAD_FIELD, "chunk size " + size);
        }
        if (more > 1) {
            throw new MalformedFrameException(BAD_FIELD, "more flag " + more);
        }
        // The content stays where it arrived, in the frame's own array.
        return new FileData(offset, (int) size, more == 1, in.array(), in.position());
    }
}
