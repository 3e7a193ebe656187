package org.flocksy.core.fsm;

/**
 * The run in progress as the control interface shows it.
 *
 * @param role {@code sending} or {@code receiving}
 * @param box the box's name ({@code ?} for a run this node refused)
 * @param peer the originator, or how many peers receive
 * @param chunksDone distinct chunks sent (sending) or received (receiving)
 * @param waiting the run's file frames have not started yet
 * @param startsInMs while waiting, how long until they start (0 when not known)
 * @param framesPerSecond the run's rate once chosen, else 0
 */
public record RunProgress(String role, String box, String peer, int records, long bytes, long chunksDone, long chunks, boolean waiting,
                          long startsInMs, int framesPerSecond) {}
