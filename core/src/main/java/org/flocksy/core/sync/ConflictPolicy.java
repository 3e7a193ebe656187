package org.flocksy.core.sync;

import org.flocksy.core.crypto.NodeUid;

/**
 * What happens when two versions of a path are concurrent (neither includes the other): a pure function of
 * the two sides, so every node reaches the same outcome without talking about it. No bytes are lost: an edit
 * beats a deletion, a directory beats a file (the file is kept beside it), and two edits of a file go to the
 * box's conflict resolver with the versions in the same order everywhere.
 */
final class ConflictPolicy {
    /** What one side has at the path. */
    enum Has { NOTHING, FILE, DIRECTORY }

    /** What the other node's change is. */
    enum Sends { DELETION, FILE, DIRECTORY, ATTRIBUTES }

    /** How the conflict ends. */
    enum Outcome {
        /** Both deleted it: the deletion stands, with the merged version. */
        BOTH_DELETED,
        /** Deleted here, edited there: theirs is applied. */
        THEIR_EDIT_WINS,
        /** Edited here, deleted there: ours stays and is sent again (there, it beats the deletion). */
        OUR_EDIT_WINS,
        /** Both made the directory: the mode of the higher writer. */
        BOTH_DIRECTORIES,
        /** A file here, a directory there: the directory takes the name, our file is kept beside it. */
        THEIR_DIRECTORY_WINS,
        /** A directory here, a file there: the directory stays, their file is kept beside it. */
        OUR_DIRECTORY_WINS,
        /** Two files: same content merges, other content goes to the resolver (new attributes alone keep ours). */
        CONTENT
    }

    private ConflictPolicy() {}

    static Outcome outcome(Has ours, Sends theirs) {
        return switch (ours) {
            case NOTHING -> theirs == Sends.DELETION ? Outcome.BOTH_DELETED : Outcome.THEIR_EDIT_WINS;
            case DIRECTORY -> switch (theirs) {
                case DELETION -> Outcome.OUR_EDIT_WINS;
                case DIRECTORY -> Outcome.BOTH_DIRECTORIES;
                case FILE, ATTRIBUTES -> Outcome.OUR_DIRECTORY_WINS;
            };
            case FILE -> switch (theirs) {
                case DELETION -> Outcome.OUR_EDIT_WINS;
                case DIRECTORY -> Outcome.THEIR_DIRECTORY_WINS;
                case FILE, ATTRIBUTES -> Outcome.CONTENT;
            };
        };
    }

    /**
     * Whether our version is the conflict's first: the earlier mtime first, the lower writer on a tie. Every
     * node orders the same two versions the same way.
     */
    static boolean oursFirst(long ourMtimeMs, NodeUid ourWriter, long theirMtimeMs, NodeUid theirWriter) {
        return ourMtimeMs != theirMtimeMs ? ourMtimeMs < theirMtimeMs : ourWriter.compareTo(theirWriter) < 0;
    }

    /** Whether a directory both made takes their mode: the higher writer's, on every node. */
    static boolean theirDirectoryModeWins(NodeUid ourWriter, NodeUid theirWriter) {
        return theirWriter.compareTo(ourWriter) > 0;
    }
}
