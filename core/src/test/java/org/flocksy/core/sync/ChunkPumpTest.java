package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.FrameCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-ahead carousel: every chunk, in order, again and again, each frame carrying exactly its bytes. */
class ChunkPumpTest {

    @Test
    void readAheadOffTheHeapGivesEveryChunkInOrderRoundAfterRound(@TempDir Path dir) throws Exception {
        byte[] content = new byte[3 * FrameCodec.CHUNK_BYTES + 1_000];
        new Random(12).nextBytes(content);
        Path bundle = Files.write(dir.resolve("b.bundle"), content);
        int chunks = FrameCodec.chunkCount(content.length);
        List<FileData> taken = new ArrayList<>();
        // More than the slab holds: buffers must come back to the reader as frames are taken.
        int wanted = ChunkPump.BUFFERED_CHUNKS * 2 + 3;
        try (ChunkPump pump = new ChunkPump(bundle, content.length, chunks, new CarouselOrder(chunks, 1), "test-pump", ReadAhead.THREAD)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (FileData f; taken.size() < wanted && (f = pump.poll()) != null; ) {
                    taken.add(f);
                }
                return taken.size() == wanted;
            });
        }
        for (int k = 0; k < taken.size(); k++) {
            FileData f = taken.get(k);
            int i = k % chunks;
            int from = i * FrameCodec.CHUNK_BYTES;
            int length = Math.min(FrameCodec.CHUNK_BYTES, content.length - from);
            assertThat(f.offset()).isEqualTo(from);
            assertThat(f.size()).isEqualTo(length);
            assertThat(f.more()).isEqualTo(i < chunks - 1);
            assertThat(Arrays.copyOfRange(f.data(), f.dataOffset(), f.dataOffset() + length))
                    .isEqualTo(Arrays.copyOfRange(content, from, from + length));
        }
    }
}
