package org.flocksy.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Whether a box holds a file as expected, for tests that wait until it does. */
public final class Holds {
    private Holds() {}

    /** True if {@code file} is a regular file with exactly {@code expected} as its content (false while it is not, or unreadable). */
    public static boolean holds(Path file, byte[] expected) {
        try {
            return Files.isRegularFile(file) && Files.size(file) == expected.length && Arrays.equals(Files.readAllBytes(file), expected);
        } catch (IOException e) {
            return false;
        }
    }
}
