package org.flocksy.nacl;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NaCl operations CurveZMQ needs, in NaCl's zero-padded form: a plaintext starts with
 * {@link #ZERO_BYTES} zero bytes, a box with {@link #BOX_ZERO_BYTES} zero bytes (then the 16-byte MAC). The
 * process uses one implementation, chosen once: libsodium (through the library Lazysodium bundles, or the
 * system's), or jnacl's pure-Java primitives when libsodium cannot load or {@code -Dflocksy.nacl=java} asks
 * for them. Both produce the same bytes; every method returns 0, or -1 when a box does not verify.
 */
public final class Nacl {
    public static final int PUBLIC_KEY_BYTES = 32;
    public static final int SECRET_KEY_BYTES = 32;
    public static final int BEFORENM_BYTES = 32;
    public static final int NONCE_BYTES = 24;
    public static final int ZERO_BYTES = 32;
    public static final int BOX_ZERO_BYTES = 16;
    /** {@code -Dflocksy.nacl=java} forces the pure-Java implementation (for interoperability tests). */
    public static final String PROPERTY = "flocksy.nacl";

    private static final Logger log = LoggerFactory.getLogger(Nacl.class);
    private static final Box IMPLEMENTATION = choose();

    /** One implementation of the operations. */
    interface Box {
        String name();

        int keypair(byte[] publicKey, byte[] secretKey);

        int beforenm(byte[] key, byte[] publicKey, byte[] secretKey);

        int afternm(byte[] box, byte[] plain, long length, byte[] nonce, byte[] key);

        int openAfternm(byte[] plain, byte[] box, long length, byte[] nonce, byte[] key);

        int box(byte[] box, byte[] plain, long length, byte[] nonce, byte[] publicKey, byte[] secretKey);

        int open(byte[] plain, byte[] box, long length, byte[] nonce, byte[] publicKey, byte[] secretKey);

        int secretbox(byte[] box, byte[] plain, long length, byte[] nonce, byte[] key);

        int secretboxOpen(byte[] plain, byte[] box, long length, byte[] nonce, byte[] key);
    }

    private Nacl() {}

    private static Box choose() {
        if ("java".equals(System.getProperty(PROPERTY))) {
            log.info("CURVE crypto: pure Java (jnacl), as -D{}=java asks", PROPERTY);
            return new PureJava();
        }
        try {
            return Sodium.load();
        } catch (RuntimeException | LinkageError e) {
            // The only line about it: every frame would say the same.
            log.warn("CURVE crypto: libsodium did not load ({}); using pure Java (jnacl), about a tenth as fast", e.toString());
            return new PureJava();
        }
    }

    /** The implementation this process uses: {@code libsodium} or {@code pure Java (jnacl)}. */
    public static String implementation() {
        return IMPLEMENTATION.name();
    }

    static Box get() {
        return IMPLEMENTATION;
    }

    public static int keypair(byte[] publicKey, byte[] secretKey) {
        return IMPLEMENTATION.keypair(publicKey, secretKey);
    }

    public static int beforenm(byte[] key, byte[] publicKey, byte[] secretKey) {
        return IMPLEMENTATION.beforenm(key, publicKey, secretKey);
    }

    public static int afternm(byte[] box, byte[] plain, long length, byte[] nonce, byte[] key) {
        return IMPLEMENTATION.afternm(box, plain, length, nonce, key);
    }

    public static int openAfternm(byte[] plain, byte[] box, long length, byte[] nonce, byte[] key) {
        return IMPLEMENTATION.openAfternm(plain, box, length, nonce, key);
    }

    public static int box(byte[] box, byte[] plain, long length, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        return IMPLEMENTATION.box(box, plain, length, nonce, publicKey, secretKey);
    }

    public static int open(byte[] plain, byte[] box, long length, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        return IMPLEMENTATION.open(plain, box, length, nonce, publicKey, secretKey);
    }

    public static int secretbox(byte[] box, byte[] plain, long length, byte[] nonce, byte[] key) {
        return IMPLEMENTATION.secretbox(box, plain, length, nonce, key);
    }

    public static int secretboxOpen(byte[] plain, byte[] box, long length, byte[] nonce, byte[] key) {
        return IMPLEMENTATION.secretboxOpen(plain, box, length, nonce, key);
    }
}
