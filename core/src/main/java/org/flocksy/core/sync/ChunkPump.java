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
 * Reads a run's content ahead of the scheduler, in the carousel's order ({@link CarouselOrder}: chunk 0..n-1,
 * then what receivers report missing, else again from 0), until closed. The scheduler takes a chunk without
 * waiting; when none is ready it sends a fake frame instead, so the disk never moves an emission.
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
    private final CarouselOrder order;
    private final BlockingQueue<Chunk> ready = new ArrayBlockingQueue<>(BUFFERED_CHUNKS);
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERED_CHUNKS);
    private final Thread thread;
    private volatile boolean running = true;

    private final ReadAhead mode;
    private volatile FileChannel inline;

    ChunkPump(Path content, long size, int chunks, CarouselOrder order, String threadName, ReadAhead mode) {
        this.content = content;
        this.size = size;
        this.chunks = chunks;
        this.order = order;
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
        int i = chunk.index();
        FileData frame = FrameCodec.frameFor(offset(i), length(i), i < chunks - 1);
        chunk.buffer().get(0, frame.data(), frame.dataOffset(), length(i));
        free.add(chunk.buffer());
        return frame;
    }

    /** Chunk {@code index}, read ahead into one of the slab's buffers. */
    private record Chunk(ByteBuffer buffer, int index) {}

    private FileData readInline() {
        int index = order.next();
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
        FileData frame = FrameCodec.frameFor(offset(i), length(i), i < chunks - 1);
        readFully(channel, i, ByteBuffer.wrap(frame.data(), frame.dataOffset(), length(i)).slice());
        return frame;
    }

    private static long offset(int i) {
        return (long) i * FrameCodec.CHUNK_BYTES;
    }

    private int length(int i) {
        return (int) Math.min(FrameCodec.CHUNK_BYTES, size - offset(i));
    }

    /** Fills {@code into} (from its position 0 to its limit) with chunk {@code i}'s bytes. */
    private static void readFully(FileChannel channel, int i, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into, offset(i) + into.position()) < 0) {
                throw new IOException("bundle shorter than announced");
            }
        }
    }

    private void run() {
        try (FileChannel channel = FileChannel.open(content, StandardOpenOption.READ)) {
            while (running) {
                ByteBuffer buffer = freeBuffer();
                if (buffer == null) {
                    return;
                }
                int i = order.next();
                readFully(channel, i, buffer.clear().limit(length(i)));
                // Never full: it holds at most as many chunks as there are buffers.
                ready.add(new Chunk(buffer, i));
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
