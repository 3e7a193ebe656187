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
                          long startsInMs, int framesPerSecond) {
    /**
     * Where the run this node takes part in stands, in state {@code state}, or {@code null} when there is none.
     * A run shows until its stop: a fast run's data is all there a moment after it starts, and its bar stays at
     * 100 % while its frames wind down, not only that moment.
     */
    static RunProgress of(State state, OriginatorRun outgoing, ReceiverRun incoming) {
        boolean stopping = state.phase == State.Phase.STOPPING;
        if (outgoing != null && (stopping || state.role == State.Role.ORIGINATOR)) {
            return outgoing.progress();
        }
        if (incoming != null && (stopping || state.role == State.Role.RECEIVER)) {
            return incoming.progress();
        }
        return null;
    }
}
