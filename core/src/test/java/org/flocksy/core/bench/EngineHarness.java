package org.flocksy.core.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.loop.EventLoop;
import org.flocksy.core.sync.Box;
import org.flocksy.core.sync.OutgoingRun;
import org.flocksy.core.sync.ReadAhead;
import org.flocksy.core.sync.SyncEngine;
import org.flocksy.core.testing.EngineSetup;
import org.flocksy.core.testing.TestPlugins;

/**
 * One box's sync engine on its own event loop, as the daemon runs it (bundles written on the preparer
 * thread), without a flock: for benchmarks of the disk side. Every engine call runs on the loop.
 */
final class EngineHarness implements AutoCloseable {
    private final EventLoop loop;
    private final SyncEngine engine;
    private final Semaphore work = new Semaphore(0);

    EngineHarness(Path root, Path scratch, Blake2b blake2b, byte uidByte) throws Exception {
        Settings settings = EngineSetup.oneBox("bench", root, scratch);
        byte[] uid = new byte[16];
        Arrays.fill(uid, uidByte);
        loop = new EventLoop(new SystemClock(), settings);
        engine = new SyncEngine(List.of(new Box("bench", root, blake2b)), TestPlugins.catalog(), blake2b, loop, new SystemClock(),
                settings, ReadAhead.THREAD, NodeUid.of(uid));
        call(() -> {
            engine.start(work::release);
            return null;
        });
    }

    SyncEngine engine() {
        return engine;
    }

    <T> T call(Callable<T> task) throws Exception {
        return EngineSetup.call(loop, Duration.ofMinutes(10), task);
    }

    /** The next outgoing run, waiting while its bundle is written; {@code null} once nothing is left. */
    OutgoingRun next() throws Exception {
        while (true) {
            work.drainPermits();
            OutgoingRun run = call(() -> engine.nextOutgoing(0));
            if (run != null || !call(engine::hasWork)) {
                return run;
            }
            work.tryAcquire(1, TimeUnit.SECONDS);
        }
    }

    static long sizeOf(Path dir) throws Exception {
        try (var all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private boolean closed;

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            loop.close();
            engine.close();
        }
    }
}
