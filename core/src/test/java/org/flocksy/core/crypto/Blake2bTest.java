package org.flocksy.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Blake2bTest {
    private static final Blake2b BLAKE2B = Blake2b.load();

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void matchesTheDigestsVectors() {
        assertThat(hex(BLAKE2B.hash(new byte[0], 64))).isEqualTo(
                "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce");
        assertThat(hex(BLAKE2B.hash("test1".getBytes(StandardCharsets.US_ASCII), 64))).isEqualTo(
                "c689bf21986252dab8c946042cd73c44995a205da7b8c0816c56ee33894acbace61f27ed94d9ffc2a0d3bee7539565aca834b220af95cc5abb2ceb90946606fe");
        assertThat(hex(BLAKE2B.hash256("test1".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("e56837ccd7a38d6795d30ac2ab63eccc8c2b571289a62dc406bb62767e88b06c");
    }

    @Test
    void streamingEqualsOneShotAcrossBufferBoundaries() throws Exception {
        byte[] data = new byte[200_001];
        new Random(7).nextBytes(data);
        assertThat(BLAKE2B.hash256(new ByteArrayInputStream(data))).isEqualTo(BLAKE2B.hash256(data));
    }

    /** Files up to 1 MiB are read whole, larger ones streamed: both give the hash of the bytes. */
    @Test
    void aFilesHashIsTheHashOfItsBytesWhateverItsSize(@TempDir Path dir) throws Exception {
        Random random = new Random(8);
        for (int size : new int[] {0, 1, 65_535, 65_536, 1024 * 1024, 1024 * 1024 + 1, 3_000_017}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            Path file = Files.write(dir.resolve("f" + size), data);
            assertThat(BLAKE2B.hash256(file)).as("%d bytes", size).isEqualTo(BLAKE2B.hash256(data));
        }
    }

    @Test
    void aFileReadThroughOneBufferHashesAsItsBytesAndStopsAtTheSizeGiven(@TempDir Path dir) throws Exception {
        Random random = new Random(9);
        ByteBuffer buffer = Blake2b.fileBuffer();
        for (int size : new int[] {0, 1, 65_536, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 3_000_017, 5}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            Path file = Files.write(dir.resolve("f" + size), data);
            // The same buffer for every file, as a hashing thread uses it: nothing of the last file may leak in.
            assertThat(BLAKE2B.hash256(file, size, buffer)).as("%d bytes", size).isEqualTo(BLAKE2B.hash256(data));
        }
        byte[] data = new byte[2_500_000];
        random.nextBytes(data);
        Path grown = Files.write(dir.resolve("grown"), data);
        assertThat(BLAKE2B.hash256(grown, 1_500_000, buffer)).as("a file longer than its stamp: only the stamped size is read")
                .isEqualTo(BLAKE2B.hash256(Arrays.copyOf(data, 1_500_000)));
        assertThat(BLAKE2B.hash256(grown, 4_000_000, buffer)).as("a file shorter than its stamp: what is there")
                .isEqualTo(BLAKE2B.hash256(data));
        assertThat(BLAKE2B.hash256(grown, 100, buffer)).isEqualTo(BLAKE2B.hash256(Arrays.copyOf(data, 100)));
    }

    @Test
    void nodeUidsAre16BytesOfTheRawPublicKeysHash() {
        CurveKeyPair pair = CurveKeyPair.generate();
        NodeUid uid = NodeUid.ofPublicKey(BLAKE2B, pair.publicKeyBytes());
        assertThat(uid.toBytes()).isEqualTo(BLAKE2B.hash(pair.publicKeyBytes(), 16));
        assertThat(uid.shortId()).hasSize(7);
    }
}
