package org.flocksy.api;

import java.io.IOException;
import org.pf4j.ExtensionPoint;

/**
 * Decides between two versions of a file changed on two nodes at once.
 *
 * <p>Every node of the flock calls the box's resolver with the same {@link Conflict} (its versions in the
 * same order everywhere) and must reach the same {@link Decision}, so a resolver must be a pure function
 * of the conflict: no clocks, no randomness, no node-local state. The box's resolver is named in the
 * config ({@code resolver = <box>:<id>}); every node must name the same one.
 *
 * <p>A resolver that throws is logged and the kernel keeps both versions.
 */
public interface ConflictResolver extends ExtensionPoint {

    /** A short stable name the config selects it by, e.g. {@code keep-both}. */
    String id();

    /**
     * @param conflict the two versions; their contents may be read, never changed
     * @throws IOException when reading a version's content fails
     */
    Decision resolve(Conflict conflict) throws IOException;
}
