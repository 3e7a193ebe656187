package org.flocksy.core.crypto;

import com.goterl.lazysodium.utils.LibraryLoader;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The few libsodium hashing calls bound with JNA's direct mapping on a direct {@link ByteBuffer}: bytes a
 * file channel read into native memory go to C where they are, not through a heap array and a copy.
 * Bound once, by {@link Blake2b#load()}.
 */
final class SodiumBuffers {
    private static volatile boolean bound;

    private SodiumBuffers() {}

    static synchronized void bind() {
        if (!bound) {
            new LibraryLoader(List.of(SodiumBuffers.class)).loadLibrary(LibraryLoader.Mode.PREFER_SYSTEM, "sodium");
            bound = true;
        }
    }

    static native int crypto_generichash(byte[] out, long outlen, ByteBuffer in, long inlen, byte[] key, long keylen);

    static native int crypto_generichash_update(byte[] state, ByteBuffer in, long inlen);
}
