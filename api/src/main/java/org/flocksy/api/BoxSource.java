package org.flocksy.api;

import java.nio.file.Path;
import org.pf4j.ExtensionPoint;

/**
 * Turns a box declaration into a live directory on this node.
 *
 * <p>The kernel asks every installed source whether it {@link #accepts} a declaration's location and
 * uses the one with the highest {@link #priority()} that does. Implementations are stateless and
 * thread-safe.
 */
public interface BoxSource extends ExtensionPoint {

    /** A short stable name for logs and the shell, e.g. {@code local}. */
    String id();

    /** Higher wins when several sources accept the same location. */
    default int priority() {
        return 0;
    }

    /** Whether this source understands {@code location}; must not touch the disk. */
    boolean accepts(String location);

    /**
     * Resolves the box to an existing directory.
     *
     * @return the absolute, normalised root directory of the box
     * @throws BoxException with a one-line reason when the box cannot be used now
     */
    Path resolve(BoxSpec spec) throws BoxException;
}
