package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One walk of a box's folder (see {@link Box#scan(Path)}): the regular files, folders and links to sync at or
 * below a start, each with its stamp, the state folder and ignored paths left out.
 */
final class BoxWalk extends SimpleFileVisitor<Path> {
    private static final Logger log = LoggerFactory.getLogger(BoxWalk.class);

    private final Box box;
    private final BiPredicate<String, Stamp> divert;
    private final Map<String, Stamp> found = new HashMap<>();

    BoxWalk(Box box, BiPredicate<String, Stamp> divert) {
        this.box = box;
        this.divert = divert;
    }

    /**
     * What is at or below {@code start} now, by relative path.
     *
     * @throws IOException if any part of the tree could not be read: a partial scan must not count as deletions
     */
    Map<String, Stamp> walk(Path start) throws IOException {
        if (!Files.isDirectory(start)) {
            return found;
        }
        Set<FileVisitOption> options = box.links() == LinkMode.FOLLOW
                ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : EnumSet.noneOf(FileVisitOption.class);
        Files.walkFileTree(start, options, Integer.MAX_VALUE, this);
        return found;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        String rel = box.relative(dir);
        if (dir.equals(box.stateDir()) || (rel != null && box.ignoredByRules(rel, true))) {
            return FileVisitResult.SKIP_SUBTREE;
        }
        if (rel != null && box.links() == LinkMode.FOLLOW && box.intoBox(dir)) {
            linkIntoBox(dir, rel);
            return FileVisitResult.SKIP_SUBTREE;
        }
        visitFile(dir, attrs);
        return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        String rel = box.relative(file);
        if (rel != null && box.links() == LinkMode.FOLLOW && box.intoBox(file)) {
            linkIntoBox(file, rel);
            return FileVisitResult.CONTINUE;
        }
        Stamp stamp = rel == null || (!attrs.isDirectory() && box.ignoredByRules(rel, false)) ? null : Stamp.of(file, attrs, box.links());
        try {
            if (stamp != null && stamp.link() && box.leavesBox(file)) {
                stamp = null;
            }
        } catch (IOException e) {
            stamp = null;
        }
        if (stamp != null && !divert.test(rel, stamp)) {
            found.put(rel, stamp);
        }
        return FileVisitResult.CONTINUE;
    }

    private void linkIntoBox(Path link, String rel) {
        try {
            Stamp stamp = box.stamp(link);
            if (stamp != null && !box.ignoredByRules(rel, false)) {
                found.put(rel, stamp);
            }
        } catch (IOException e) {
            // Gone since it was listed: the next event or scan sees it.
        }
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        if (exc instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
        }
        if (exc instanceof FileSystemLoopException) {
            String rel = box.relative(file);
            if (rel != null && box.firstLoopAt(rel)) {
                log.warn("box '{}': not following link {}: it leads into a folder that contains it", box.name(), rel);
            }
            return FileVisitResult.CONTINUE;
        }
        throw exc;
    }
}
