package com.neilalexander.jnacl.crypto;

import org.flocksy.nacl.Nacl;

/**
 * The class JeroMQ's CURVE mechanism calls for crypto_box (same name and methods as jnacl's), answered by
 * {@link Nacl}: libsodium, or jnacl's pure-Java primitives where it cannot load. flocksy excludes the jnacl
 * artifact and ships this class in its place; the wire is unchanged.
 */
public final class curve25519xsalsa20poly1305 {
    public static final int crypto_secretbox_PUBLICKEYBYTES = Nacl.PUBLIC_KEY_BYTES;
    public static final int crypto_secretbox_SECRETKEYBYTES = Nacl.SECRET_KEY_BYTES;
    public static final int crypto_secretbox_BEFORENMBYTES = Nacl.BEFORENM_BYTES;
    public static final int crypto_secretbox_NONCEBYTES = Nacl.NONCE_BYTES;
    public static final int crypto_secretbox_ZEROBYTES = Nacl.ZERO_BYTES;
    public static final int crypto_secretbox_BOXZEROBYTES = Nacl.BOX_ZERO_BYTES;

    private curve25519xsalsa20poly1305() {}

    public static int crypto_box_keypair(byte[] publicKey, byte[] secretKey) {
        return Nacl.keypair(publicKey, secretKey);
    }

    public static int crypto_box_beforenm(byte[] sharedKey, byte[] publicKey, byte[] secretKey) {
        return Nacl.beforenm(sharedKey, publicKey, secretKey);
    }

    public static int crypto_box_afternm(byte[] box, byte[] plain, long length, byte[] nonce, byte[] sharedKey) {
        return Nacl.afternm(box, plain, length, nonce, sharedKey);
    }

    public static int crypto_box_open_afternm(byte[] plain, byte[] box, long length, byte[] nonce, byte[] sharedKey) {
        return Nacl.openAfternm(plain, box, length, nonce, sharedKey);
    }

    public static int crypto_box(byte[] box, byte[] plain, long length, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        return Nacl.box(box, plain, length, nonce, publicKey, secretKey);
    }

    public static int crypto_box_open(byte[] plain, byte[] box, long length, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        return Nacl.open(plain, box, length, nonce, publicKey, secretKey);
    }
}
