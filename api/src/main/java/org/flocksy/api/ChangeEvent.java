package org.flocksy.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Something may have changed at {@code path}. Watchers need not say what: the kernel compares the disk
 * with what it knows, so a spurious or repeated event costs a {@code stat}, never a wrong sync.
 *
 * @param path absolute path inside the watched root
 */
public record ChangeEvent(Path path) {
    public ChangeEvent {
        Objects.requireNonNull(path, "path");
    }
}
