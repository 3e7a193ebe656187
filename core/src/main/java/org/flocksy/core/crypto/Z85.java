package org.flocksy.core.crypto;

import org.zeromq.ZMQ;

/** Z85 (ZeroMQ RFC 32) for 32-byte CURVE keys, with the validation JeroMQ's decoder does not do. */
public final class Z85 {
    public static final int KEY_CHARS = 40;
    private static final String ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    private Z85() {}

    /** Why {@code text} is not a Z85 CURVE key, or {@code null} when it is one. */
    public static String problem(String text) {
        if (text == null) {
            return "missing";
        }
        if (text.length() != KEY_CHARS) {
            return "is " + text.length() + " characters, a Z85 key has " + KEY_CHARS;
        }
        for (int i = 0; i < text.length(); i++) {
            if (ALPHABET.indexOf(text.charAt(i)) < 0) {
                return "has '" + text.charAt(i) + "' at position " + (i + 1) + ", which is not a Z85 character";
            }
        }
        // Each 5-character group encodes a 32-bit value; larger ones are not valid Z85.
        for (int group = 0; group < KEY_CHARS; group += 5) {
            long value = 0;
            for (int i = group; i < group + 5; i++) {
                value = value * 85 + ALPHABET.indexOf(text.charAt(i));
            }
            if (value > 0xFFFF_FFFFL) {
                return "is not valid Z85 (group " + (group / 5 + 1) + " overflows)";
            }
        }
        return null;
    }

    public static byte[] decodeKey(String text) {
        String problem = problem(text);
        if (problem != null) {
            throw new IllegalArgumentException("not a Z85 key: " + problem);
        }
        return ZMQ.Curve.z85Decode(text);
    }

    public static String encodeKey(byte[] key) {
        if (key.length != ZMQ.Curve.KEY_SIZE) {
            throw new IllegalArgumentException("a CURVE key has 32 bytes, got " + key.length);
        }
        return ZMQ.Curve.z85Encode(key);
    }
}
