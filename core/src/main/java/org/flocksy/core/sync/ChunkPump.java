package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a run's content ahead of the scheduler, in a carousel: chunk 0..n-1, then again from 0, until
 * closed. The scheduler takes a chunk without waiting; when none is ready it sends a fake frame instead,
 * so the disk never moves an emission. Repeating the carousel is also the loss repair: a receiver that
 * missed a chunk gets it on the next round.
 *
 * <p>What is read ahead waits off the heap, in one native slab: 256 frames held on the heap were a
 * megabyte only the originator's collector copied at every young collection, and its longer pauses showed
 * in the gaps between its packets. A frame is made when the scheduler takes its chunk, as a fake one is.
 */
final class ChunkPump implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChunkPump.class);
    static final int BUFFERED_CHUNKS = 256;

    private final Path content;
    private final long size;
    private final int chunks;
    private final BlockingQueue<Chunk> ready = new ArrayBlockingQueue<>(BUFFERED_CHUNKS);
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERED_CHUNKS);
    private final Thread thread;
    private volatile boolean running = true;

    private final ReadAhead mode;
    private volatile FileChannel inline;
    private int nextInline;

    ChunkPump(Path content, long size, int chunks, String threadName, ReadAhead mode) {
        this.content = content;
        this.size = size;
        this.chunks = chunks;
        this.mode = mode;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        if (mode == ReadAhead.THREAD) {
            ByteBuffer slab = ByteBuffer.allocateDirect(BUFFERED_CHUNKS * FrameCodec.CHUNK_BYTES);
            for (int i = 0; i < BUFFERED_CHUNKS; i++) {
                free.add(slab.slice(i * FrameCodec.CHUNK_BYTES, FrameCodec.CHUNK_BYTES));
            }
            this.thread.start();
        }
    }

    /** The next chunk if one is ready, else {@code null}. */
    FileData poll() {
        if (mode != ReadAhead.THREAD) {
            return readInline();
        }
        Chunk chunk = ready.poll();
        if (chunk == null) {
            return null;
        }
        FileData frame = FrameCodec.frameFor(chunk.offset(), chunk.length(), chunk.more());
        chunk.buffer().get(0, frame.data(), frame.dataOffset(), chunk.length());
        free.add(chunk.buffer());
        return frame;
    }

    /** A chunk read ahead into one of the slab's buffers. */
    private record Chunk(ByteBuffer buffer, long offset, int length, boolean more) {}

    private FileData readInline() {
        int index = nextInline;
        nextInline = (nextInline + 1) % chunks;
        try {
            if (inline == null) {
                inline = FileChannel.open(content, StandardOpenOption.READ);
            }
            return read(inline, index);
        } catch (IOException e) {
            log.error("cannot read run bundle {}: {}", content, e.toString());
            return null;
        }
    }

    /** Chunk {@code i}, read straight into the frame that carries it. */
    private FileData read(FileChannel channel, int i) throws IOException {
        long offset = (long) i * FrameCodec.CHUNK_BYTES;
        int length = (int) Math.min(FrameCodec.CHUNK_BYTES, size - offset);
        FileData frame = FrameCodec.frameFor(offset, length, i < chunks - 1);
        ByteBuffer buffer = ByteBuffer.wrap(frame.data(), frame.dataOffset(), length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position() - frame.dataOffset()) < 0) {
                throw new IOException("bundle shorter than announced");
            }
        }
        return frame;
    }

    private void run() {
        try (FileChannel channel = FileChannel.open(content, StandardOpenOption.READ)) {
            while (running) {
                for (int i = 0; i < chunks && running; i++) {
                    ByteBuffer buffer = freeBuffer();
                    if (buffer == null) {
                        return;
                    }
                    long offset = (long) i * FrameCodec.CHUNK_BYTES;
                    int length = (int) Math.min(FrameCodec.CHUNK_BYTES, size - offset);
                    buffer.clear().limit(length);
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer, offset + buffer.position()) < 0) {
                            throw new IOException("bundle shorter than announced");
                        }
                    }
                    // Never full: it holds at most as many chunks as there are buffers.
                    ready.add(new Chunk(buffer, offset, length, i < chunks - 1));
                }
            }
        } catch (IOException e) {
            if (running) {
                log.error("cannot read run bundle {}: {}; the run will send fake frames only and time out", content, e.toString());
            }
        }
    }

    /** A buffer the scheduler has emptied, waiting for one while running; {@code null} once closed. */
    private ByteBuffer freeBuffer() {
        try {
            while (running) {
                ByteBuffer buffer = free.poll(100, TimeUnit.MILLISECONDS);
                if (buffer != null) {
                    return buffer;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    @Override
    public void close() {
        running = false;
        if (inline != null) {
            try {
                inline.close();
            } catch (IOException e) {
                // Nothing to recover: the bundle is deleted next.
            }
        }
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
