package org.flocksy.core.crypto;

import com.goterl.lazysodium.SodiumJava;
import com.goterl.lazysodium.utils.LibraryLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * BLAKE2b from libsodium. One instance per process: JNA binds the library once per JVM, so the
 * application creates this once and hands it to every node it runs.
 */
public final class Blake2b {
    /** Content hashes and box UIDs. */
    public static final int HASH_BYTES = 32;
    /** Node UIDs, as the Flock specification's 16-byte node id. */
    public static final int NODE_UID_BYTES = 16;
    private static final int STREAM_BUFFER_BYTES = 64 * 1024;
    /** Files up to this size are read whole and hashed in one call. */
    private static final long WHOLE_FILE_BYTES_MAX = 1024 * 1024;

    private final SodiumJava sodium;

    private Blake2b(SodiumJava sodium) {
        this.sodium = sodium;
    }

    /** Loads the system libsodium where present, else the copy bundled in Lazysodium. */
    public static Blake2b load() {
        Blake2b blake2b = new Blake2b(new SodiumJava(LibraryLoader.Mode.PREFER_SYSTEM));
        SodiumBuffers.bind();
        return blake2b;
    }

    /** A buffer for {@link #hash256(Path, long, ByteBuffer)}: one per thread that hashes files, used again and again. */
    public static ByteBuffer fileBuffer() {
        return ByteBuffer.allocateDirect((int) WHOLE_FILE_BYTES_MAX);
    }

    public byte[] hash(byte[] input, int outputBytes) {
        byte[] out = new byte[outputBytes];
        check(sodium.crypto_generichash(out, outputBytes, input, input.length, null, 0), "crypto_generichash");
        return out;
    }

    public byte[] hash256(byte[] input) {
        return hash(input, HASH_BYTES);
    }

    /** BLAKE2b-256 of {@code file}: read whole up to 1 MiB, streamed beyond (never held in memory whole). */
    public byte[] hash256(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= WHOLE_FILE_BYTES_MAX) {
                // Most files of a folder are small: read at once, one call into libsodium.
                byte[] all = new byte[(int) size];
                ByteBuffer buffer = ByteBuffer.wrap(all);
                while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                    // until full or at the end
                }
                if (channel.read(ByteBuffer.allocate(1)) < 0) {
                    return buffer.hasRemaining() ? hash256(Arrays.copyOf(all, buffer.position())) : hash256(all);
                }
                // It grew while read: hash it as a stream, from the start.
                channel.position(0);
            }
            return hash256(Channels.newInputStream(channel));
        }
    }

    /**
     * BLAKE2b-256 of {@code file}'s first {@code size} bytes (all of them if it is shorter), read into
     * {@code buffer} (from {@link #fileBuffer()}) and hashed there: no copy on the heap, no read past
     * {@code size}. For a scan that knows each file's size: the caller checks afterwards that the file still
     * has the size and time it stamped, so a file that changed meanwhile is never recorded with this hash.
     */
    public byte[] hash256(Path file, long size, ByteBuffer buffer) throws IOException {
        byte[] out = new byte[HASH_BYTES];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (size <= buffer.capacity()) {
                int length = fill(channel, buffer, (int) size);
                check(SodiumBuffers.crypto_generichash(out, HASH_BYTES, buffer, length, null, 0), "crypto_generichash");
                return out;
            }
            Hasher hasher = newHasher();
            for (long left = size; left > 0; ) {
                int length = fill(channel, buffer, (int) Math.min(left, buffer.capacity()));
                if (length == 0) {
                    break;
                }
                check(SodiumBuffers.crypto_generichash_update(hasher.state, buffer, length), "crypto_generichash_update");
                left -= length;
            }
            return hasher.finish();
        }
    }

    /** Reads up to {@code length} bytes to the start of {@code buffer} (fewer at the end of the file); the count read. */
    private static int fill(FileChannel channel, ByteBuffer buffer, int length) throws IOException {
        buffer.clear().limit(length);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            // until full or at the end
        }
        // JNA passes the buffer's start: position 0 for the call.
        int read = buffer.position();
        buffer.flip();
        return read;
    }

    public byte[] hash256(InputStream in) throws IOException {
        Hasher hasher = newHasher();
        byte[] buffer = new byte[STREAM_BUFFER_BYTES];
        for (int n; (n = in.read(buffer)) > 0; ) {
            hasher.update(buffer, n);
        }
        return hasher.finish();
    }

    /** An incremental BLAKE2b-256; not thread-safe. */
    public Hasher newHasher() {
        return new Hasher();
    }

    /** Incremental hashing, e.g. while copying a file. */
    public final class Hasher {
        private final byte[] state = new byte[sodium.crypto_generichash_statebytes()];
        private byte[] chunk = new byte[0];

        private Hasher() {
            check(sodium.crypto_generichash_init(state, null, 0, HASH_BYTES), "crypto_generichash_init");
        }

        private Hasher(byte[] state) {
            System.arraycopy(state, 0, this.state, 0, state.length);
        }

        public void update(byte[] data, int length) {
            update(data, 0, length);
        }

        public void update(byte[] data, int offset, int length) {
            byte[] input = data;
            if (offset != 0 || length != data.length) {
                if (chunk.length != length) {
                    chunk = new byte[length];
                }
                System.arraycopy(data, offset, chunk, 0, length);
                input = chunk;
            }
            check(sodium.crypto_generichash_update(state, input, length), "crypto_generichash_update");
        }

        /** An independent hasher that has seen what this one has: a point to go back to. */
        public Hasher copy() {
            return new Hasher(state);
        }

        public byte[] finish() {
            byte[] out = new byte[HASH_BYTES];
            check(sodium.crypto_generichash_final(state, out, HASH_BYTES), "crypto_generichash_final");
            return out;
        }
    }

    private static void check(int rc, String call) {
        if (rc != 0) {
            throw new IllegalStateException("libsodium " + call + " failed with " + rc);
        }
    }
}
