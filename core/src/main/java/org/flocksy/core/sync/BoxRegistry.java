package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.FileWatcher;
import org.flocksy.api.WatchHandle;
import org.flocksy.core.backup.Versions;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Problems;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.plugin.PluginCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The boxes this node syncs and whether each can be used now: opened with their plugins (resolver, backup
 * strategy, watcher), paused by the user, blocked by a bad ignore file, or gone (an unmounted disk, a removed
 * folder). A box that is gone is never read, so it can never look as if everything in it was deleted.
 * Confined to the kernel's event loop.
 */
final class BoxRegistry {
    private static final Logger log = LoggerFactory.getLogger(BoxRegistry.class);

    private final List<Box> boxes;
    /** Boxes removed while running: their indexes close with the engine. */
    private final List<Box> removed = new ArrayList<>();
    private final Map<Box, WatchHandle> watches = new HashMap<>();
    private final Set<Box> gone = new HashSet<>();
    private final Set<Box> pausedByUser = new HashSet<>();
    private final Map<Box, ConflictResolver> resolvers = new HashMap<>();
    private final PluginCatalog plugins;
    private final Settings settings;
    private final Clock clock;
    private final Blake2b blake2b;
    /** Told when a box that was gone is back. */
    private Consumer<Box> onBack = box -> {};

    BoxRegistry(List<Box> boxes, PluginCatalog plugins, Settings settings, Clock clock, Blake2b blake2b) {
        // Read by the control interface's threads through the engine's list view.
        this.boxes = new CopyOnWriteArrayList<>(boxes);
        this.plugins = plugins;
        this.settings = settings;
        this.clock = clock;
        this.blake2b = blake2b;
    }

    void onBack(Consumer<Box> listener) {
        onBack = listener;
    }

    List<Box> all() {
        return Collections.unmodifiableList(boxes);
    }

    /** The box a run names by its UID, if this node has it. */
    Optional<Box> byUid(byte[] uid) {
        return boxes.stream().filter(b -> Arrays.equals(b.uid(), uid)).findFirst();
    }

    /**
     * Gets a box ready: its link mode, resolver and backup strategy as the config says, its ignore rules,
     * an empty temp folder and its index.
     *
     * @return false if the box is blocked for this run (its ignore file cannot be read); it is then not opened
     * @throws IOException naming the box and the folder or plugin that cannot be used
     */
    boolean open(Box box) throws IOException {
        box.links(LinkMode.of(settings.symlinksOf(box.name())));
        chooseResolver(box);
        chooseBackup(box);
        box.clock(clock::wallMillis);
        try {
            Modes.makePrivate(box.stateDir());
            Modes.makePrivate(box.tmpDir());
            TempFiles.sweep(box.tmpDir());
            box.umask(Modes.umask(box.tmpDir()));
        } catch (IOException e) {
            throw unusable(box, e);
        }
        try {
            box.loadIgnoreRules();
        } catch (IOException e) {
            // Perhaps a peer's edit: the rules in force before it go on, so nothing they keep out is synced.
            if (box.loadIgnoreRulesInForce()) {
                log.error("box '{}': {}; syncing with the rules in force before it until the file is fixed", box.name(), Problems.describe(e));
            } else {
                log.error("box '{}': {}; the box is paused until the file is fixed and flocksy restarted", box.name(), Problems.describe(e));
                box.block();
                return false;
            }
        }
        try {
            box.open();
        } catch (IOException e) {
            box.close();
            throw unusable(box, e);
        }
        return true;
    }

    /** The one-line error for a box whose folder or index cannot be used. */
    static IOException unusable(Box box, IOException e) {
        String where = e instanceof FileSystemException fs && fs.getFile() != null ? fs.getFile() : box.root().toString();
        return new IOException("box '" + box.name() + "': cannot use " + where + ": " + Problems.describe(e), e);
    }

    /** Starts the best file watcher that works here on the box, falling back to the next one. */
    void watch(Box box, ChangeListener listener) throws IOException {
        IOException last = null;
        for (FileWatcher watcher : plugins.watchers()) {
            try {
                if (watcher.isSupported()) {
                    watches.put(box, watcher.watch(box.root(), listener));
                    log.info("box '{}' at {}: watching with {}", box.name(), box.root(), watcher.id());
                    return;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("box '{}': watcher {} failed to start ({}), trying the next", box.name(), watcher.id(), e.toString());
                last = e instanceof IOException io ? io : new IOException(e);
            }
        }
        throw new IOException("box '" + box.name() + "': no file watcher could start", last);
    }

    /** Stops watching {@code box}, if it is watched. */
    void unwatch(Box box) {
        WatchHandle watch = watches.remove(box);
        if (watch != null) {
            watch.close();
        }
    }

    /**
     * A new box for {@code root}, not yet opened.
     *
     * @throws IOException if the name or an overlapping folder is in use already
     */
    Box create(String name, Path root) throws IOException {
        for (Box other : boxes) {
            if (other.name().equals(name)) {
                throw new IOException("there is a box '" + name + "' already, at " + other.root());
            }
            if (root.startsWith(other.root()) || other.root().startsWith(root)) {
                throw new IOException(root + " overlaps box '" + other.name() + "' at " + other.root());
            }
        }
        return new Box(name, root, blake2b);
    }

    void add(Box box) {
        boxes.add(box);
    }

    /** Stops watching a box and leaves it out from now on; its index closes with the engine. */
    boolean remove(Box box) {
        if (!boxes.remove(box)) {
            return false;
        }
        unwatch(box);
        // A bundle being written or a run in progress for it ends on its own.
        pausedByUser.add(box);
        removed.add(box);
        return true;
    }

    /** @return false if it was paused already */
    boolean pause(Box box) {
        return pausedByUser.add(box);
    }

    /** @return false if it was not paused */
    boolean resume(Box box) {
        return pausedByUser.remove(box);
    }

    boolean pausedByUser(Box box) {
        return pausedByUser.contains(box);
    }

    /**
     * Whether the box can be read and written now. A box whose folder vanished is paused (logged once); when
     * it is back, {@link #onBack} hears of it.
     */
    boolean available(Box box) {
        if (box.blocked() || pausedByUser.contains(box)) {
            return false;
        }
        boolean available = box.available();
        if (!available && gone.add(box)) {
            log.warn("box '{}': {} is gone (unmounted?); pausing the box, nothing is deleted on other nodes", box.name(), box.root());
        } else if (available && gone.remove(box)) {
            log.info("box '{}': {} is back; resuming", box.name(), box.root());
            onBack.accept(box);
        }
        return available;
    }

    /** Looks at every box, so that one that went away or came back is noticed without any other event. */
    void checkPresence() {
        List.copyOf(boxes).forEach(this::available);
    }

    /** The box's conflict resolver, or {@code null} for the kernel's own rule. */
    ConflictResolver resolver(Box box) {
        return resolvers.get(box);
    }

    /**
     * Forgets each box's old tombstones and lets its backup strategy drop the stored versions it no longer wants
     * (a trash can's old ones).
     */
    void pruneVersions() {
        for (Box box : boxes) {
            if (!box.available()) {
                continue;
            }
            try {
                int forgotten = box.forgetOldTombstones();
                if (forgotten > 0) {
                    log.info("box '{}': forgot {} deletion(s) recorded more than 15 months ago", box.name(), forgotten);
                }
            } catch (IOException e) {
                log.warn("box '{}': cannot forget old deletions: {}", box.name(), Problems.describe(e));
            }
            if (box.versions() != null) {
                try {
                    int pruned = box.versions().pruneAll();
                    if (pruned > 0) {
                        log.info("box '{}': {} stored version(s) expired and deleted", box.name(), pruned);
                    }
                } catch (IOException e) {
                    log.warn("box '{}': cannot prune its stored versions: {}", box.name(), Problems.describe(e));
                }
            }
        }
    }

    /**
     * The box's conflict resolver, as the config names it. Without a plugin for the default, the kernel's own
     * rule (keep both, the later edit wins) applies; a resolver the config names must exist.
     */
    private void chooseResolver(Box box) throws IOException {
        ConflictResolver resolver;
        try {
            resolver = plugins.resolverFor(settings, box.name()).orElse(null);
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (resolver != null) {
            resolvers.put(box, resolver);
            log.info("box '{}': conflicts resolved by {}", box.name(), resolver.id());
        }
    }

    /** The box's backup strategy; without a plugin for the default, replaced files are not kept (and the log says so). */
    private void chooseBackup(Box box) throws IOException {
        PluginCatalog.BackupChoice choice;
        try {
            choice = plugins.backupFor(settings, box.name());
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (choice.strategy() != null) {
            log.info("box '{}': replaced and deleted files kept by {}", box.name(), choice.chosen());
        } else if (!choice.chosen().equals("none")) {
            log.warn("box '{}': no backup strategy plugin '{}': replaced and deleted files are not kept", box.name(), choice.chosen());
        }
        Long configured = settings.versionsMaxOf(box.name());
        long disk = Files.getFileStore(box.root()).getTotalSpace();
        // A file system that reports no size (some network ones) gets no default limit, not a limit of nothing.
        long maxBytes = configured != null ? configured : disk > 0 ? disk / 10 : Long.MAX_VALUE;
        box.versions(new Versions(box.name(), box.root(), box.versionsDir(), choice.strategy(), choice.parameter(),
                () -> Instant.ofEpochMilli(clock.wallMillis()), maxBytes));
    }

    /** Stops every watcher and closes every index; once the event loop has stopped. */
    void close() {
        watches.values().forEach(WatchHandle::close);
        watches.clear();
        boxes.forEach(Box::close);
        removed.forEach(Box::close);
    }
}
