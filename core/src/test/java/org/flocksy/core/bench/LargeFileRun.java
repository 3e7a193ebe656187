package org.flocksy.core.bench;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.sync.IncomingRun;
import org.flocksy.core.sync.OutgoingRun;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.Frame;

/**
 * One large file from one box to another through the daemon's own disk path: the sender's bundle written
 * by the preparer, read ahead by the pump, chunk by chunk into the receiver's run, verified and placed.
 * Run in a JVM of its own with a capped heap by {@link LargeFileBenchmarkTest}: it proves files are
 * streamed. Prints one line of numbers; exits non-zero if the file arrives different.
 */
public final class LargeFileRun {
    private LargeFileRun() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (OutputStream out = Files.newOutputStream(a.resolve("big.bin"))) {
            for (long written = 0; written < size; written += block.length) {
                block[(int) (written / block.length) % block.length] ^= 1;
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
        Blake2b blake2b = Blake2b.load();
        byte[] expected = blake2b.hash256(a.resolve("big.bin"));
        try (EngineHarness sender = new EngineHarness(a, dir, blake2b, (byte) 1);
             EngineHarness receiver = new EngineHarness(b, dir, blake2b, (byte) 2)) {
            long t0 = System.nanoTime();
            OutgoingRun run = sender.next();
            long prepared = System.nanoTime();
            IncomingRun in = receiver.call(() -> receiver.engine().openIncoming("sender", run.metadata()));
            Emitter.BulkSource source = run.startPump("bench-read-ahead");
            while (!in.complete()) {
                Frame f = source.next();
                if (f instanceof FileData chunk) {
                    String problem = in.accept(chunk);
                    if (problem != null) {
                        throw new IllegalStateException(problem);
                    }
                }
            }
            long received = System.nanoTime();
            boolean applied = receiver.call(() -> receiver.engine().apply(in));
            long placed = System.nanoTime();
            sender.call(() -> {
                sender.engine().completed(run);
                return null;
            });
            boolean same = applied && Arrays.equals(blake2b.hash256(b.resolve("big.bin")), expected);
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("large file: %d MiB, heap max %d MiB, peak heap used %.0f MiB; bundle written %.1f s, "
                            + "chunks through the run %.1f s, verified and placed %.1f s; %s%n",
                    size >> 20, Runtime.getRuntime().maxMemory() >> 20, peak / 1048576.0, (prepared - t0) / 1e9,
                    (received - prepared) / 1e9, (placed - received) / 1e9, same ? "identical" : "DIFFERENT");
            System.exit(same ? 0 : 1);
        }
    }
}
