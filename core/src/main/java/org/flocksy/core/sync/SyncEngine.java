package org.flocksy.core.sync;

import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.core.wire.RunMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync engine as the state machine and the kernel see it: the {@link BoxRegistry boxes}, the
 * {@link LocalChanges local changes} waiting to go, the {@link Outbox next run} to send, {@link CatchUp
 * catch-up by digest}, and the {@link RunApplier runs} arriving. Confined to the kernel's event loop;
 * watchers post into it.
 */
public final class SyncEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    /** How often every stored version is offered to the box's backup strategy (besides at each new version). */
    static final long PRUNE_NANOS = 3_600_000_000_000L;
    /** How soon a box folder that went away (an unmounted disk) or came back is noticed without any other event. */
    static final long PRESENCE_NANOS = 5_000_000_000L;

    private final Loop loop;
    private final WorkSignal work = new WorkSignal();
    private final BoxRegistry boxes;
    private final LocalChanges changes;
    private final CatchUp catchUp;
    private final Outbox outbox;
    private final RunApplier applier;

    @Inject
    public SyncEngine(List<Box> boxes, PluginCatalog plugins, Blake2b blake2b, Loop loop, Clock clock,
                      Settings settings, ReadAhead readAhead, NodeUid self) {
        this.loop = loop;
        TempFiles temps = new TempFiles();
        this.boxes = new BoxRegistry(boxes, plugins, settings, clock, blake2b);
        this.changes = new LocalChanges(this.boxes, loop, clock, work, blake2b, self, readAhead, settings.nodeName());
        this.catchUp = new CatchUp(this.boxes, changes, loop, blake2b, temps, self, readAhead, work);
        FilePlacer placer = new FilePlacer(blake2b, self, temps, changes::reloadIgnoreRules);
        NewerVersionApplier newer = new NewerVersionApplier(placer);
        this.applier = new RunApplier(this.boxes, catchUp, placer, newer,
                new ConflictSettler(this.boxes, changes, placer, newer, blake2b, self, clock), temps, blake2b, loop, work::raise);
        RunApplier applying = applier;
        this.outbox = new Outbox(changes, catchUp, new Planner(this.boxes, self), blake2b, loop, readAhead, temps, work, settings.nodeName(),
                () -> applying.waiting() > 0);
        this.boxes.onBack(box -> {
            changes.rescan(box, "after lost watch events");
            // Runs for it were refused while it was gone.
            catchUp.ask(box);
        });
    }

    /**
     * Opens each box's index, queues whatever differs between it and the disk (changes made while this
     * node was not running, or everything in a folder new to flocksy) and starts watching.
     */
    public void start(Runnable onWork) throws IOException {
        work.listen(onWork);
        for (Box box : boxes.all()) {
            startBox(box);
        }
        boxes.pruneVersions();
        loop.every(PRUNE_NANOS, boxes::pruneVersions);
        loop.every(PRESENCE_NANOS, boxes::checkPresence);
    }

    /** Opens one box's index, queues what differs from its folder and starts watching it. */
    private void startBox(Box box) throws IOException {
        if (!boxes.open(box)) {
            return;
        }
        // Watching before the scan: a file written meanwhile is seen by one or the other. The other way round,
        // one written after the scan passed its folder and before the watch began waited for the next start.
        boxes.watch(box, changes.listenerFor(box));
        try {
            changes.scanWholeBox(box);
        } catch (IOException e) {
            boxes.unwatch(box);
            changes.forget(box);
            box.close();
            throw BoxRegistry.unusable(box, e);
        }
    }

    public List<Box> boxes() {
        return boxes.all();
    }

    /** Changes of {@code box} waiting to be sent. */
    public int queued(Box box) {
        return changes.queued(box);
    }

    /** Whether the user paused the box (the shell's {@code box pause}). */
    public boolean pausedByUser(Box box) {
        return boxes.pausedByUser(box);
    }

    /**
     * Stops syncing a box until {@link #resume}: nothing is scanned or sent, runs for it are received into
     * nothing. Changes made meanwhile are found when it resumes.
     */
    public void pause(Box box) {
        if (boxes.pause(box)) {
            log.info("box '{}': paused", box.name());
        }
    }

    /**
     * Syncs a paused box again: a rescan sends what changed here meanwhile, and the box's digest asks the
     * group for what it sent meanwhile (runs for a paused box are refused, yet count as delivered).
     */
    public void resume(Box box) {
        if (boxes.resume(box)) {
            log.info("box '{}': resumed", box.name());
            rescanNow(box);
            catchUp.ask(box);
        }
    }

    /** Compares the whole box with its index now (the shell's {@code box rescan}). */
    public void rescanNow(Box box) {
        changes.rescan(box, "as asked");
    }

    /**
     * Starts syncing another box while the node runs (the shell's {@code box add}); peers sync it once they
     * have a box of that name too, and whatever they sent before is asked for again.
     *
     * @throws IOException naming the problem: a name or folder already in use, an unusable folder
     */
    public void addBox(String name, Path root) throws IOException {
        Box box = boxes.create(name, root);
        startBox(box);
        boxes.add(box);
        log.info("box '{}' at {}: added", name, root);
        // Peers that already had this box sent runs this node refused: its digest asks for them again.
        catchUp.ask(box);
    }

    /** Stops syncing a box (the shell's {@code box remove}); its folder, index and versions stay as they are. */
    public void removeBox(Box box) {
        if (boxes.remove(box)) {
            changes.forget(box);
            catchUp.forget(box);
            log.info("box '{}' at {}: removed; the folder is left as it is", box.name(), box.root());
        }
    }

    /** Compares one path with the index now, as a settled watcher event does. */
    void evaluate(Box box, String path) {
        changes.evaluate(box, path);
    }

    /** Whether files a scan found are still being hashed into the index (they are queued once recorded). */
    public boolean hashing() {
        return changes.hashing();
    }

    public boolean hasWork() {
        return !changes.isEmpty() || catchUp.pending() || outbox.busy();
    }

    /** Peers joined: once joining has settled, every box's digest goes out in an ordinary run. */
    public void peersJoined() {
        catchUp.peersJoined();
    }

    /**
     * The next run to announce, or {@code null} for now (the work signal asks again once a bundle is written);
     * its size follows {@code framesPerSecond}, the flock's rate (the last run's).
     */
    public OutgoingRun nextOutgoing(int framesPerSecond) {
        return outbox.next(framesPerSecond);
    }

    /** Whether the next run's bundle is written and waits to go. */
    boolean nextRunReady() {
        return outbox.ready();
    }

    /** Writes the next bundle while a run is on, so it is ready when the flock is. */
    public void prepareAhead(int framesPerSecond) {
        outbox.prepareAhead(framesPerSecond);
    }

    /** Puts the changes of a run that did not happen back at the front of the queue, in their order. */
    public void requeue(OutgoingRun run) {
        outbox.requeue(run);
    }

    /** Every receiver has the changes (the index recorded them when the bundle was written). */
    public void completed(OutgoingRun run) {
        outbox.completed(run);
    }

    /** Prepares to receive a run; a run this node cannot apply is received into nothing. */
    public IncomingRun openIncoming(String peer, RunMetadata metadata) {
        return applier.open(peer, metadata);
    }

    /**
     * Verifies a complete run's bundle and applies its changes in order: the first slice now, the rest in
     * slices on the loop after it (see {@link ApplyQueue}).
     *
     * @return false if the bundle did not verify and the run must be received again
     */
    public boolean apply(IncomingRun run) {
        return applier.apply(run);
    }

    /** Received runs whose changes are not all applied yet. */
    public int applying() {
        return applier.waiting();
    }

    /** Stops watching and closes the indexes; call once the event loop has stopped. */
    @Override
    public void close() {
        applier.close();
        changes.close();
        outbox.close();
        boxes.close();
    }
}
