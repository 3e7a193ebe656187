package org.flocksy.core.bundle;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.flocksy.core.crypto.NodeUid;

/**
 * The byte layout of one record, big-endian: kind u8 · path length u8 (1..128) · path (UTF-8) ·
 * mode u16 · mtime u64 ms · size u64 · version vector (count u8 · (node UID 16 · counter u64) each) ·
 * writer UID 16 · content (size bytes) · content hash 32.
 * The hash trails the content so a sender can stream a file into the bundle and hash it on the way.
 */
final class BundleFormat {
    static final int PATH_BYTES_MAX = 128;
    static final int HASH_BYTES = 32;
    /** Bytes of a header without its path. */
    static final int FIXED_HEADER_BYTES = 1 + 1 + 2 + 8 + 8;

    private BundleFormat() {}

    static ByteBuffer header(Change c) {
        byte[] path = c.path().getBytes(StandardCharsets.UTF_8);
        if (path.length == 0 || path.length > PATH_BYTES_MAX) {
            throw new IllegalArgumentException("path of " + path.length + " bytes: " + c.path());
        }
        byte[] version = c.version().toBytes();
        ByteBuffer out = ByteBuffer.allocate(FIXED_HEADER_BYTES + path.length + version.length + NodeUid.BYTES);
        out.put((byte) c.kind().wire).put((byte) path.length).put(path)
                .putShort((short) c.mode()).putLong(c.mtimeMs()).putLong(c.size()).put(version).put(c.writer().toBytes());
        return out.flip();
    }

    static String path(byte[] raw) throws MalformedBundleException {
        for (byte b : raw) {
            if (b == 0) {
                throw new MalformedBundleException("NUL inside a path");
            }
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedBundleException("a path is not UTF-8");
        }
    }
}
