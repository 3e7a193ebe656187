package org.flocksy.api;

import java.time.Instant;
import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * Decides how long replaced and deleted versions of a box's files are kept.
 *
 * <p>Before the kernel overwrites or deletes a file (because a peer sent a newer version, or a conflict
 * set one aside), it moves the old file into the box's {@code .flocksy/versions/}, under its original path
 * with the time it was archived. Then it asks the box's strategy which of that file's stored versions to
 * delete. The box's strategy is named in the config ({@code backup = <box>:<id>[:<parameter>]}).
 */
public interface BackupStrategy extends ExtensionPoint {

    /** A short stable name the config selects it by, e.g. {@code trashcan}. */
    String id();

    /**
     * Why {@code parameter} (the config's text after the id, or {@code null} when there is none) is not
     * acceptable, or {@code null} when it is. Called once at start; a problem stops the daemon with it.
     */
    String check(String parameter);

    /**
     * The stored versions of one file to delete now.
     *
     * @param versions every stored version of the file, newest first
     * @param now the current time
     * @param parameter as in {@link #check}, already accepted
     */
    List<StoredVersion> expired(List<StoredVersion> versions, Instant now, String parameter);
}
