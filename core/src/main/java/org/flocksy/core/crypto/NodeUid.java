package org.flocksy.core.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/** A node's 16-byte identity on the wire: BLAKE2b-128 of its raw 32-byte CURVE public key. */
public final class NodeUid implements Comparable<NodeUid> {
    public static final int BYTES = Blake2b.NODE_UID_BYTES;
    private final byte[] bytes;

    private NodeUid(byte[] bytes) {
        this.bytes = bytes;
    }

    public static NodeUid of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("node uid must be " + BYTES + " bytes, got " + bytes.length);
        }
        return new NodeUid(bytes.clone());
    }

    public static NodeUid ofPublicKey(Blake2b blake2b, byte[] publicKey) {
        return new NodeUid(blake2b.hash(publicKey, BYTES));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The first 7 hex digits, enough to tell the nodes of a flock apart in logs and file names. */
    public String shortId() {
        return toString().substring(0, 7);
    }

    @Override
    public int compareTo(NodeUid other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeUid other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
