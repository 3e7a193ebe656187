package com.neilalexander.jnacl.crypto;

import org.flocksy.nacl.Nacl;

/**
 * The class JeroMQ's CURVE mechanism calls for crypto_secretbox (same name and methods as jnacl's),
 * answered by {@link Nacl}.
 */
public final class xsalsa20poly1305 {
    private xsalsa20poly1305() {}

    public static int crypto_secretbox(byte[] box, byte[] plain, long length, byte[] nonce, byte[] key) {
        return Nacl.secretbox(box, plain, length, nonce, key);
    }

    public static int crypto_secretbox_open(byte[] plain, byte[] box, long length, byte[] nonce, byte[] key) {
        return Nacl.secretboxOpen(plain, box, length, nonce, key);
    }
}
