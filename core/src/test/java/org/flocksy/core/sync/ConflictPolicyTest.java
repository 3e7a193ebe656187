package org.flocksy.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.sync.ConflictPolicy.Has;
import org.flocksy.core.sync.ConflictPolicy.Outcome;
import org.flocksy.core.sync.ConflictPolicy.Sends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Concurrent versions end the same way on every node: the table of outcomes and the order of two edits. */
class ConflictPolicyTest {
    @ParameterizedTest(name = "{0} here, {1} there: {2}")
    @CsvSource(textBlock = """
            # ours,     theirs,     outcome
            NOTHING,    DELETION,   BOTH_DELETED
            NOTHING,    FILE,       THEIR_EDIT_WINS
            NOTHING,    DIRECTORY,  THEIR_EDIT_WINS
            NOTHING,    ATTRIBUTES, THEIR_EDIT_WINS
            FILE,       DELETION,   OUR_EDIT_WINS
            FILE,       FILE,       CONTENT
            FILE,       ATTRIBUTES, CONTENT
            FILE,       DIRECTORY,  THEIR_DIRECTORY_WINS
            DIRECTORY,  DELETION,   OUR_EDIT_WINS
            DIRECTORY,  DIRECTORY,  BOTH_DIRECTORIES
            DIRECTORY,  FILE,       OUR_DIRECTORY_WINS
            DIRECTORY,  ATTRIBUTES, OUR_DIRECTORY_WINS
            """)
    void outcomes(Has ours, Sends theirs, Outcome expected) {
        assertThat(ConflictPolicy.outcome(ours, theirs)).isEqualTo(expected);
    }

    private static final NodeUid LOW = NodeUid.of(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    private static final NodeUid HIGH = NodeUid.of(new byte[] {(byte) 0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

    @ParameterizedTest(name = "first: mtime {0} by {1}, second: mtime {2} by {3}")
    @CsvSource(textBlock = """
            # first (mtime, writer), second (mtime, writer): the pair as every node orders it
            1000, HIGH, 2000, LOW
            1000, LOW,  2000, HIGH
            5000, LOW,  5000, HIGH
            -1,   HIGH, 0,    LOW
            """)
    void theEarlierEditComesFirstTheLowerWriterOnATie(long firstMtime, String firstWriter, long secondMtime, String secondWriter) {
        NodeUid a = uid(firstWriter);
        NodeUid b = uid(secondWriter);
        // Checked from both nodes' side: each sees its own version as "ours".
        assertThat(ConflictPolicy.oursFirst(firstMtime, a, secondMtime, b)).isTrue();
        assertThat(ConflictPolicy.oursFirst(secondMtime, b, firstMtime, a)).isFalse();
    }

    @ParameterizedTest(name = "ours by {0}, theirs by {1}: their mode {2}")
    @CsvSource(textBlock = """
            LOW,  HIGH, true
            HIGH, LOW,  false
            LOW,  LOW,  false
            """)
    void aDirectoryBothMadeTakesTheHigherWritersMode(String ours, String theirs, boolean theirModeWins) {
        assertThat(ConflictPolicy.theirDirectoryModeWins(uid(ours), uid(theirs))).isEqualTo(theirModeWins);
    }

    private static NodeUid uid(String name) {
        return name.equals("LOW") ? LOW : HIGH;
    }
}
