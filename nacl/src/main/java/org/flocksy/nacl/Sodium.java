package org.flocksy.nacl;

import com.goterl.lazysodium.utils.LibraryLoader;
import java.util.List;

/**
 * libsodium's NaCl-compatible functions, bound straight to the library with JNA's direct mapping: the
 * arrays JeroMQ hands over go to C as they are, with no copy of ours in between.
 */
final class Sodium implements Nacl.Box {
    private Sodium() {}

    /** Binds libsodium (the system's if present, else the copy Lazysodium bundles) and initialises it. */
    static Sodium load() {
        new LibraryLoader(List.of(Sodium.class)).loadLibrary(LibraryLoader.Mode.PREFER_SYSTEM, "sodium");
        if (sodium_init() < 0) {
            throw new IllegalStateException("sodium_init failed");
        }
        return new Sodium();
    }

    static native int sodium_init();

    static native int crypto_box_keypair(byte[] pk, byte[] sk);

    static native int crypto_box_beforenm(byte[] k, byte[] pk, byte[] sk);

    static native int crypto_box_afternm(byte[] c, byte[] m, long mlen, byte[] n, byte[] k);

    static native int crypto_box_open_afternm(byte[] m, byte[] c, long clen, byte[] n, byte[] k);

    static native int crypto_box(byte[] c, byte[] m, long mlen, byte[] n, byte[] pk, byte[] sk);

    static native int crypto_box_open(byte[] m, byte[] c, long clen, byte[] n, byte[] pk, byte[] sk);

    static native int crypto_secretbox(byte[] c, byte[] m, long mlen, byte[] n, byte[] k);

    static native int crypto_secretbox_open(byte[] m, byte[] c, long clen, byte[] n, byte[] k);

    @Override
    public String name() {
        return "libsodium";
    }

    @Override
    public int keypair(byte[] publicKey, byte[] secretKey) {
        return crypto_box_keypair(publicKey, secretKey);
    }

    @Override
    public int beforenm(byte[] key, byte[] publicKey, byte[] secretKey) {
        return crypto_box_beforenm(key, publicKey, secretKey);
    }

    @Override
    public int afternm(byte[] box, byte[] plain, long length, byte[] nonce, byte[] key) {
        return crypto_box_afternm(box, plain, length, nonce, key);
    }

    @Override
    public int openAfternm(byte[] plain, byte[] box, long length, byte[] nonce, byte[] key) {
        return crypto_box_open_afternm(plain, box, length, nonce, key);
    }

    @Override
    public int box(byte[] box, byte[] plain, long length, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        return crypto_box(box, plain, length, nonce, publicKey, secretKey);
    }

    @Override
    public int open(byte[] plain, byte[] box, long length, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        return crypto_box_open(plain, box, length, nonce, publicKey, secretKey);
    }

    @Override
    public int secretbox(byte[] box, byte[] plain, long length, byte[] nonce, byte[] key) {
        return crypto_secretbox(box, plain, length, nonce, key);
    }

    @Override
    public int secretboxOpen(byte[] plain, byte[] box, long length, byte[] nonce, byte[] key) {
        return crypto_secretbox_open(plain, box, length, nonce, key);
    }
}
