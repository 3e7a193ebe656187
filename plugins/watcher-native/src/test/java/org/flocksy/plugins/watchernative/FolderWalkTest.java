package org.flocksy.plugins.watchernative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderWalkTest {

    @Test
    void registrationVisitsEveryFolderAndNoFile(@TempDir Path root) throws Exception {
        String type = Files.getFileStore(root).type();
        assumeTrue(List.of("ext2", "ext3", "ext4", "xfs", "tmpfs").contains(type),
                "the folders-only walk runs where link counts count subfolders; the temp folder is on " + type);
        List<Path> folders = tree(root);
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        FolderWalk walk = new FolderWalk();

        walk.registering(() -> {
            walk.recursiveVisitFiles(root, dirs::add, files::add);
            return null;
        });

        assertThat(dirs).containsExactlyInAnyOrderElementsOf(folders);
        assertThat(files).isEmpty();
    }

    /** A folder created while watching is walked whole: the library reports each of its files as created. */
    @Test
    void otherWalksReportFilesToo(@TempDir Path root) throws Exception {
        List<Path> folders = tree(root);
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();

        new FolderWalk().recursiveVisitFiles(root, dirs::add, files::add);

        assertThat(dirs).containsExactlyInAnyOrderElementsOf(folders);
        assertThat(files).contains(root.resolve("a/b/c/in-leaf"), root.resolve("e/f0"));
    }

    /** Folders with and without subfolders, files beside them, and a link to a folder (not followed). */
    private static List<Path> tree(Path root) throws Exception {
        List<Path> folders = new ArrayList<>(List.of(root));
        for (String folder : List.of("a", "a/b", "a/b/c", "a/d", "e")) {
            folders.add(Files.createDirectories(root.resolve(folder)));
        }
        Files.writeString(root.resolve("a/b/c/in-leaf"), "x");
        for (int i = 0; i < 5; i++) {
            Files.writeString(root.resolve("e/f" + i), "x");
        }
        Files.createSymbolicLink(root.resolve("a/link"), root.resolve("e"));
        return folders;
    }
}
