package org.flocksy.core.crypto;

import java.util.Objects;
import org.zeromq.ZMQ;

/**
 * A long-term CURVE key pair as the key files hold it: both halves Z85-encoded, 40 characters each.
 * {@link #toString()} never shows the secret.
 */
public record CurveKeyPair(String publicKey, String secretKey) {
    public CurveKeyPair {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(secretKey, "secretKey");
    }

    /** A fresh key pair from the operating system's CSPRNG. */
    public static CurveKeyPair generate() {
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        return new CurveKeyPair(pair.publicKey, pair.secretKey);
    }

    public byte[] publicKeyBytes() {
        return Z85.decodeKey(publicKey);
    }

    public byte[] secretKeyBytes() {
        return Z85.decodeKey(secretKey);
    }

    @Override
    public String toString() {
        return "CurveKeyPair[public=" + publicKey + "]";
    }
}
