package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flocksy.core.bundle.BundleWriter;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.bundle.Digest;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.path.PathSafety;
import org.flocksy.core.version.VersionVector;
import org.flocksy.core.wire.RunMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catch-up by digest: a box's index in brief goes out in an ordinary run when peers join, when the box is
 * resumed or back, or when a received rename lacks its content here; whoever reads a digest queues what it
 * has that the sender lacks or has older. Every node sends its digests when peers join, so an observer sees
 * the same whether anyone was behind. Confined to the kernel's event loop.
 */
final class CatchUp {
    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);
    /** Joins within this long of each other cost one digest per box, not one each. */
    static final long DIGEST_SETTLE_NANOS = 2_000_000_000L;

    private final BoxRegistry boxes;
    private final LocalChanges changes;
    private final Loop loop;
    private final Blake2b blake2b;
    private final TempFiles temps;
    private final NodeUid self;
    private final ReadAhead readAhead;
    private final WorkSignal work;
    /** Boxes whose digest goes out once the local changes are sent. */
    private final Set<Box> wanted = new LinkedHashSet<>();
    /** Parts of digests still to send, in order. */
    private final ArrayDeque<Map.Entry<Box, Digest>> parts = new ArrayDeque<>();
    private long joinGeneration;

    CatchUp(BoxRegistry boxes, LocalChanges changes, Loop loop, Blake2b blake2b, TempFiles temps, NodeUid self, ReadAhead readAhead,
            WorkSignal work) {
        this.boxes = boxes;
        this.changes = changes;
        this.loop = loop;
        this.blake2b = blake2b;
        this.temps = temps;
        this.self = self;
        this.readAhead = readAhead;
        this.work = work;
    }

    /** Peers joined: once joining has settled, every available box's digest goes out. */
    void peersJoined() {
        long generation = ++joinGeneration;
        loop.after(DIGEST_SETTLE_NANOS, () -> {
            if (generation == joinGeneration) {
                boxes.all().stream().filter(Box::available).forEach(wanted::add);
                work.raise();
            }
        });
    }

    /** Sends the box's digest, so the group resends what this node refused or missed (skipped while the box is unavailable). */
    void ask(Box box) {
        wanted.add(box);
        work.raise();
    }

    /** A digest run that did not happen goes again with the next chance. */
    void requeue(Box box) {
        wanted.add(box);
    }

    boolean pending() {
        return !wanted.isEmpty() || !parts.isEmpty();
    }

    /** The next digest run, or {@code null} when none is wanted. A large index takes several, each for a range of paths. */
    OutgoingRun next(long bytesMax) {
        OutgoingRun run = null;
        while (run == null && pending()) {
            if (parts.isEmpty()) {
                Box box = wanted.iterator().next();
                wanted.remove(box);
                if (boxes.available(box)) {
                    List<Digest.Item> items = box.entries().stream()
                            .map(e -> new Digest.Item(PathSafety.canonical(e.path()), e.deleted(), e.version()))
                            .filter(i -> i.path().getBytes(StandardCharsets.UTF_8).length <= PathSafety.PATH_BYTES_MAX).toList();
                    Digest.split(items, bytesMax).forEach(d -> parts.add(Map.entry(box, d)));
                }
                continue;
            }
            Map.Entry<Box, Digest> part = parts.pollFirst();
            try {
                run = write(part.getKey(), part.getValue());
            } catch (IOException e) {
                log.warn("box '{}': cannot write its digest into {}: {}", part.getKey().name(), part.getKey().tmpDir(), Problems.describe(e));
            }
        }
        return run;
    }

    /** One run carrying one part of a box's digest. */
    private OutgoingRun write(Box box, Digest part) throws IOException {
        if (!boxes.available(box)) {
            return null;
        }
        Files.createDirectories(box.tmpDir());
        Path file = temps.next(box, "out", ".bundle");
        Change change;
        byte[] content = part.encode();
        byte[] hash;
        try (BundleWriter writer = new BundleWriter(file, blake2b)) {
            writer.addDigest(content, self);
            change = new Change(Change.Kind.DIGEST, ".", 0, 0, content.length, blake2b.hash256(content), VersionVector.EMPTY, self);
            hash = writer.hash();
        }
        RunMetadata metadata = new RunMetadata(box.uid(), 1, Files.size(file), hash, 0);
        return new OutgoingRun(box, List.of(new OutgoingRun.Sent(".", change, null)), metadata, true, file, readAhead);
    }

    /** Queues whatever this node has that the digest's sender lacks or has only in an older version. */
    void compare(Box box, String peer, Digest digest) {
        Map<String, Digest.Item> theirs = new HashMap<>();
        digest.items().forEach(i -> theirs.put(i.path(), i));
        int behind = 0;
        for (BoxIndex.Entry mine : List.copyOf(box.entries())) {
            String canonical = PathSafety.canonical(mine.path());
            if (!digest.covers(canonical)) {
                continue;
            }
            Digest.Item other = theirs.get(canonical);
            boolean send = other == null ? !mine.deleted()
                    : switch (mine.version().compareTo(other.version())) {
                        case NEWER, CONCURRENT -> true;
                        default -> false;
                    };
            if (send && !mine.version().equals(VersionVector.EMPTY)) {
                changes.resend(box, mine.path());
                behind++;
            }
        }
        if (behind > 0) {
            log.info("box '{}': {} lacks {} of our entries; sending them", box.name(), peer, behind);
        }
    }

    /** Drops what was wanted for a box that is no longer synced. */
    void forget(Box box) {
        wanted.remove(box);
        parts.removeIf(e -> e.getKey() == box);
    }
}
