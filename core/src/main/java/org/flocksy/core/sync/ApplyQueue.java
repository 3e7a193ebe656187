package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Predicate;
import org.flocksy.core.bundle.BundleReader;
import org.flocksy.core.bundle.MalformedBundleException;
import org.flocksy.core.config.Problems;
import org.flocksy.core.loop.Loop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verified bundles waiting to be applied, in the order their runs completed, applied a slice at a time on the
 * event loop. A run ends for everyone once every receiver has its bundle whole and verified, not once ten
 * thousand files are written out of it (16 s here): the flock's frames stop meanwhile instead of taking the CPU
 * the writing needs, and the loop stays free between slices for heartbeats, stops and timers. A crash before a
 * bundle is fully applied loses nothing: the rest comes again with the digests peers exchange when this node
 * rejoins. Confined to the event loop.
 */
final class ApplyQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApplyQueue.class);
    /** The loop's time one slice may take: well under a heartbeat period. */
    static final long SLICE_NANOS = 50_000_000L;

    /** Applies one record of a bundle to its box; a record it refuses is logged there. */
    @FunctionalInterface
    interface Records {
        void apply(Box box, String peer, BundleReader reader, BundleReader.Entry entry) throws IOException, MalformedBundleException;
    }

    private final Loop loop;
    private final Records records;
    /** Whether a box still takes what peers send (a removed, paused or vanished box's bundles go). */
    private final Predicate<Box> present;
    /** Told when the last waiting bundle is applied (a digest waits for that). */
    private final Runnable whenApplied;
    private final Deque<Pending> waiting = new ArrayDeque<>();

    ApplyQueue(Loop loop, Records records, Predicate<Box> present, Runnable whenApplied) {
        this.loop = loop;
        this.records = records;
        this.present = present;
        this.whenApplied = whenApplied;
    }

    /** Takes over a verified bundle and applies it after those before it; its first slice now, if none waits. */
    void add(Box box, String peer, Path bundle, int count) {
        waiting.add(new Pending(box, peer, bundle, count));
        if (waiting.size() == 1) {
            slice();
        }
    }

    /** Bundles received and not yet fully applied. */
    int waiting() {
        return waiting.size();
    }

    private void slice() {
        Pending p = waiting.peek();
        if (p == null) {
            return;
        }
        if (!present.test(p.box)) {
            log.info("box '{}' was removed, paused or went away: the rest of a run from {} is not applied ({} change(s) were); "
                    + "peers are asked for it when the box is back", p.box.name(), p.peer, p.applied);
            done();
        } else {
            long until = System.nanoTime() + SLICE_NANOS;
            try {
                // One transaction per slice: ten thousand small files cost a few dozen commits, not one each.
                p.box.batch(() -> {
                    while (!p.finished && System.nanoTime() < until) {
                        p.applyNext();
                    }
                });
            } catch (IOException e) {
                // Never a slice posted again and again without progress.
                p.finished = true;
                log.error("box '{}': cannot record the run from {} in the index: {}; the rest is not applied, the next start finds "
                        + "the difference", p.box.name(), p.peer, Problems.describe(e));
            } catch (RuntimeException defect) {
                // Never a queue stuck behind one bundle.
                p.finished = true;
                log.error("box '{}': failed to apply the run from {}: {}; the rest is not applied", p.box.name(), p.peer, defect.toString(),
                        defect);
            }
            if (p.finished) {
                done();
            }
        }
        if (!waiting.isEmpty()) {
            loop.post(this::slice);
        } else {
            whenApplied.run();
        }
    }

    private void done() {
        waiting.poll().close();
    }

    /** Drops what was not applied (swept from the temp folder at the next start otherwise). */
    @Override
    public void close() {
        waiting.forEach(Pending::close);
        waiting.clear();
    }

    private final class Pending {
        final Box box;
        final String peer;
        final Path bundle;
        final int count;
        /** Opened when the bundle's turn comes: those waiting behind it hold no file open. */
        BundleReader reader;
        int applied;
        boolean finished;

        Pending(Box box, String peer, Path bundle, int count) {
            this.box = box;
            this.peer = peer;
            this.bundle = bundle;
            this.count = count;
        }

        /** Applies the next record; what was applied before a malformed record stays applied and recorded. */
        void applyNext() {
            try {
                if (reader == null) {
                    reader = new BundleReader(bundle, count);
                }
                BundleReader.Entry e = reader.next();
                if (e == null) {
                    finished = true;
                    return;
                }
                try {
                    records.apply(box, peer, reader, e);
                } catch (RuntimeException defect) {
                    // A defect on one record must not cost the rest of the run, nor make the run come back forever.
                    log.error("box '{}': failed to apply {} from {}: {}", box.name(), e.change(), peer, defect.toString(), defect);
                }
                applied++;
            } catch (MalformedBundleException e) {
                finished = true;
                log.error("box '{}': the bundle from {} is malformed after {} change(s): {}; the rest is not applied",
                        box.name(), peer, applied, e.getMessage());
            } catch (IOException e) {
                finished = true;
                log.error("box '{}': cannot read the bundle from {}: {}; {} change(s) applied, the rest not",
                        box.name(), peer, Problems.describe(e), applied);
            }
        }

        void close() {
            try {
                if (reader != null) {
                    reader.close();
                }
                Files.deleteIfExists(bundle);
            } catch (IOException e) {
                // Swept from the temp folder at the next start.
            }
        }
    }
}
