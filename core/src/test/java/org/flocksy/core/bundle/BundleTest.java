package org.flocksy.core.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.version.VersionVector;
import org.flocksy.core.wire.RunMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle stream: what the writer puts in, the reader gets out, and what a hostile sender cannot slip past. */
class BundleTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    /** Bytes that broke the original's text parsing (digest §11.2): NUL, LF, space, digits. */
    private static final byte[] HOSTILE = {0x00, 0x0A, 0x20, '1', '0', '0', 0x20, 0x0A};

    private static final NodeUid WRITER = NodeUid.of(new byte[] {0, 0x0A, 0x20, '1', '0', '0', 0x20, 0x0A, 0, 0, 0, 0, 0, 0, 0, 9});
    private static final VersionVector V = VersionVector.EMPTY.bump(WRITER).bump(WRITER).bump(NodeUid.of(new byte[16]));

    @TempDir
    Path dir;

    private List<BundleReader.Entry> readAll(Path file, int records) throws Exception {
        List<BundleReader.Entry> entries = new ArrayList<>();
        try (BundleReader reader = new BundleReader(file, records)) {
            for (BundleReader.Entry e; (e = reader.next()) != null; ) {
                entries.add(e);
            }
        }
        return entries;
    }

    @Test
    void everyKindRoundTripsWithHostileBytesInEveryField() throws Exception {
        Path source = Files.write(dir.resolve("src"), HOSTILE);
        String longest = "d/".repeat(63) + "ü";
        assertThat(longest.getBytes(StandardCharsets.UTF_8)).hasSize(128);
        Path file = dir.resolve("b");
        Change written;
        try (BundleWriter w = new BundleWriter(file, BLAKE2B)) {
            w.add(Change.directory("dir with space", 0x0A20, V, WRITER));
            written = w.addFile("dir with space/ünïcode\n.txt", 0x0920, 0x0A0A_2030_0A0AL, HOSTILE.length, source, V, WRITER);
            w.add(new Change(Change.Kind.ATTRIBUTES, longest, 0644, 10, 0, BLAKE2B.hash256(HOSTILE), VersionVector.EMPTY, WRITER));
            w.add(Change.deleted("0 1", V, WRITER));
            assertThat(w.records()).isEqualTo(4);
            assertThat(w.hasContent()).isTrue();
        }
        assertThat(written.contentHash()).isEqualTo(BLAKE2B.hash256(HOSTILE));
        List<BundleReader.Entry> entries = readAll(file, 4);
        assertThat(entries).extracting(BundleReader.Entry::change).containsExactly(
                Change.directory("dir with space", 0x0A20, V, WRITER), written,
                new Change(Change.Kind.ATTRIBUTES, longest, 0644, 10, 0, BLAKE2B.hash256(HOSTILE), VersionVector.EMPTY, WRITER),
                Change.deleted("0 1", V, WRITER));
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        try (BundleReader reader = new BundleReader(file, 4)) {
            assertThat(reader.copyContent(entries.get(1), Channels.newChannel(content), BLAKE2B)).isEqualTo(written.contentHash());
        }
        assertThat(content.toByteArray()).isEqualTo(HOSTILE);
    }

    @Test
    void theSmallestRecordIsWhatTheWireAssumes() throws Exception {
        Path file = dir.resolve("b");
        try (BundleWriter w = new BundleWriter(file, BLAKE2B)) {
            w.add(Change.deleted("x", VersionVector.EMPTY, WRITER));
        }
        assertThat(Files.size(file)).isEqualTo(RunMetadata.RECORD_BYTES_MIN);
    }

    @Test
    void pathsOver128BytesCannotBeWritten() throws Exception {
        try (BundleWriter w = new BundleWriter(dir.resolve("b"), BLAKE2B)) {
            assertThatThrownBy(() -> w.add(Change.deleted("a".repeat(129), V, WRITER))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFileThatChangesSizeWhileCopiedIsLeftOutWhole() throws Exception {
        Path source = Files.write(dir.resolve("src"), new byte[100]);
        Path file = dir.resolve("b");
        try (BundleWriter w = new BundleWriter(file, BLAKE2B)) {
            assertThat(w.addFile("grew", 0644, 1, 50, source, V, WRITER)).isNull();
            assertThat(w.addFile("shrank", 0644, 1, 200, source, V, WRITER)).isNull();
            assertThat(w.length()).isZero();
            assertThat(w.addFile("right", 0644, 1, 100, source, V, WRITER)).isNotNull();
        }
        assertThat(readAll(file, 1)).extracting(e -> e.change().path()).containsExactly("right");
    }

    @Test
    void theHashKeptWhileWritingIsTheHashOfTheFileAlsoAfterTakenBackRecords() throws Exception {
        byte[] big = new byte[300_000];
        new java.util.Random(7).nextBytes(big);
        Path source = Files.write(dir.resolve("src"), big);
        Path file = dir.resolve("b");
        try (BundleWriter w = new BundleWriter(file, BLAKE2B)) {
            w.add(Change.deleted("gone", V, WRITER));
            assertThat(w.addFile("grew", 0644, 1, 50, source, V, WRITER)).isNull();
            assertThat(w.addFile("big", 0644, 1, big.length, source, V, WRITER)).isNotNull();
            assertThat(w.addFile("changed", 0644, 1, big.length, source, V, WRITER, () -> false)).isNull();
            w.addContent(Change.Kind.FILE, "link", 0120777, 1, "target".getBytes(java.nio.charset.StandardCharsets.UTF_8), V, WRITER);
            w.close();
            assertThat(w.hash()).isEqualTo(BLAKE2B.hash256(file));
        }
    }

    @Test
    void malformedBundlesAreRefusedWithAReason() throws Exception {
        Path file = dir.resolve("b");
        try (BundleWriter w = new BundleWriter(file, BLAKE2B)) {
            w.add(Change.deleted("abc", VersionVector.EMPTY, WRITER));
        }
        byte[] good = Files.readAllBytes(file);
        assertMalformed(good, 2, "runs past the end");
        assertMalformed(concat(good, new byte[] {1}), 1, "after the last of 1 records");
        byte[] kind = good.clone();
        kind[0] = 9;
        assertMalformed(kind, 1, "unknown kind");
        byte[] noPath = good.clone();
        noPath[1] = 0;
        assertMalformed(noPath, 1, "path of 0 bytes");
        byte[] nul = good.clone();
        nul[3] = 0;
        assertMalformed(nul, 1, "NUL");
        byte[] notUtf8 = good.clone();
        notUtf8[2] = (byte) 0xC3;
        notUtf8[3] = 0x28;
        assertMalformed(notUtf8, 1, "not UTF-8");
        byte[] sizeOnDeletion = good.clone();
        sizeOnDeletion[2 + 3 + 2 + 8 + 7] = 1;
        assertMalformed(sizeOnDeletion, 1, "does not fit");
        byte[] versionTooLong = good.clone();
        versionTooLong[2 + 3 + 2 + 8 + 8] = 9;
        assertMalformed(versionTooLong, 1, "runs past the end");
    }

    private void assertMalformed(byte[] bytes, int records, String message) throws Exception {
        Path file = Files.write(dir.resolve("m"), bytes);
        assertThatThrownBy(() -> readAll(file, records)).isInstanceOf(MalformedBundleException.class).hasMessageContaining(message);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aLargeIndexGoesInDigestsThatCoverEveryPathOnce() throws Exception {
        NodeUid a = NodeUid.of(new byte[16]);
        List<Digest.Item> items = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            items.add(new Digest.Item("dir" + (i % 97) + "/file-" + i + ".txt", i % 13 == 0, VersionVector.EMPTY.bump(a)));
        }
        Collections.shuffle(items, new Random(3));
        List<Digest> parts = Digest.split(items, 100_000);
        assertThat(parts).hasSizeGreaterThan(5);
        int total = 0;
        for (int p = 0; p < parts.size(); p++) {
            Digest part = parts.get(p);
            byte[] encoded = part.encode();
            assertThat(encoded.length).isLessThanOrEqualTo(100_000);
            assertThat(Digest.decode(encoded)).isEqualTo(part);
            assertThat(part.from().isEmpty()).isEqualTo(p == 0);
            assertThat(part.until().isEmpty()).isEqualTo(p == parts.size() - 1);
            if (p > 0) {
                assertThat(part.from()).isEqualTo(parts.get(p - 1).until());
            }
            for (Digest.Item item : part.items()) {
                assertThat(part.covers(item.path())).isTrue();
            }
            total += part.items().size();
        }
        assertThat(total).isEqualTo(items.size());
        for (Digest.Item item : items) {
            assertThat(parts.stream().filter(d -> d.covers(item.path())).count()).isEqualTo(1);
        }
    }
}
