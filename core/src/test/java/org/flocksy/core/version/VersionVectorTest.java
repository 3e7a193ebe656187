package org.flocksy.core.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.flocksy.core.crypto.NodeUid;
import org.junit.jupiter.api.Test;

class VersionVectorTest {
    private static NodeUid node(int i) {
        byte[] b = new byte[16];
        b[15] = (byte) i;
        return NodeUid.of(b);
    }

    private static final NodeUid A = node(1);
    private static final NodeUid B = node(2);

    @Test
    void ordersVersions() {
        VersionVector base = VersionVector.EMPTY.bump(A);
        VersionVector a2 = base.bump(A);
        VersionVector b1 = base.bump(B);
        assertThat(a2.compareTo(base)).isEqualTo(VersionVector.Order.NEWER);
        assertThat(base.compareTo(a2)).isEqualTo(VersionVector.Order.OLDER);
        assertThat(a2.compareTo(b1)).isEqualTo(VersionVector.Order.CONCURRENT);
        assertThat(a2.merge(b1).compareTo(a2)).isEqualTo(VersionVector.Order.NEWER);
        assertThat(a2.merge(b1).compareTo(b1)).isEqualTo(VersionVector.Order.NEWER);
        assertThat(base.compareTo(VersionVector.EMPTY.bump(A))).isEqualTo(VersionVector.Order.EQUAL);
        assertThat(VersionVector.EMPTY.compareTo(base)).isEqualTo(VersionVector.Order.OLDER);
    }

    /**
     * Issue 13, item 4: a member sent a full vector of made-up replicas with huge counters; a local edit of that
     * file then made a vector of 129 entries that no peer would read, so the edit was never delivered.
     */
    @Test
    void anEditOfAFileWithAFullVectorFromAMemberStaysReadableByPeers() {
        VersionVector hostile = VersionVector.EMPTY;
        for (int i = 0; i < VersionVector.NODES_MAX; i++) {
            byte[] b = new byte[16];
            b[0] = (byte) 0xEE;
            b[15] = (byte) i;
            hostile = hostile.merge(VersionVector.EMPTY.bump(NodeUid.of(b)));
        }
        VersionVector fromTheWire = VersionVector.fromBytes(hostile.toBytes());
        NodeUid self = node(9);

        VersionVector edit = fromTheWire.bump(self);
        VersionVector atThePeer = VersionVector.fromBytes(edit.toBytes());

        assertThat(atThePeer.counters()).hasSize(VersionVector.NODES_MAX).containsEntry(self, 1L);
        // One made-up replica had to go: against the member's vector the edit is a conflict the resolver settles.
        assertThat(atThePeer.compareTo(fromTheWire)).as("news, never old news").isEqualTo(VersionVector.Order.CONCURRENT);
        assertThat(atThePeer.bump(self).counters()).as("and so is the next one").containsEntry(self, 2L);
        assertThat(fromTheWire.merge(edit).counters()).hasSize(VersionVector.NODES_MAX);
        // A replica merging its own version with the member's keeps its counter: its next bump is news.
        // (Its counter ties with the made-up ones and its UID is the lowest: it would go first otherwise.)
        VersionVector mine = VersionVector.EMPTY.bump(self);
        VersionVector merged = mine.merge(fromTheWire, self);
        assertThat(merged.counters()).hasSize(VersionVector.NODES_MAX).containsEntry(self, 1L);
        assertThat(merged.bump(self).counters()).containsEntry(self, 2L);
    }

    @Test
    void aVectorPastTheBoundDropsItsSmallestCountersButNeverTheBumpingReplicas() {
        VersionVector v = VersionVector.EMPTY;
        for (int i = 0; i < VersionVector.NODES_MAX; i++) {
            VersionVector one = VersionVector.EMPTY.bump(node(100 + i));
            v = v.merge(i == 0 ? one : one.bump(node(100 + i)));
        }
        // node(100) has 1, every other 2: a newcomer's bump drops node(100), not the newcomer.
        VersionVector bumped = v.bump(A);
        assertThat(bumped.counters()).hasSize(VersionVector.NODES_MAX).containsEntry(A, 1L).doesNotContainKey(node(100));
    }

    @Property(tries = 300, seed = "20261125")
    void mergeDominatesBothAndBytesRoundTrip(@ForAll @Size(max = 6) List<@IntRange(min = 0, max = 4) Integer> left,
                                             @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 4) Integer> right) {
        VersionVector x = VersionVector.EMPTY;
        for (int i : left) {
            x = x.bump(node(i));
        }
        VersionVector y = VersionVector.EMPTY;
        for (int i : right) {
            y = y.bump(node(i));
        }
        VersionVector m = x.merge(y);
        assertThat(m.compareTo(x)).isIn(VersionVector.Order.NEWER, VersionVector.Order.EQUAL);
        assertThat(m.compareTo(y)).isIn(VersionVector.Order.NEWER, VersionVector.Order.EQUAL);
        VersionVector.Order xy = x.compareTo(y);
        VersionVector.Order yx = y.compareTo(x);
        assertThat(yx).isEqualTo(switch (xy) {
            case NEWER -> VersionVector.Order.OLDER;
            case OLDER -> VersionVector.Order.NEWER;
            default -> xy;
        });
        assertThat(VersionVector.fromBytes(x.toBytes())).isEqualTo(x);
    }

    @Test
    void malformedBytesAreRefused() {
        byte[] ok = VersionVector.EMPTY.bump(A).toBytes();
        byte[] zero = ok.clone();
        zero[ok.length - 1] = 0;
        assertThatThrownBy(() -> VersionVector.fromBytes(zero)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> VersionVector.fromBytes(new byte[] {2, 0})).hasMessageContaining("does not fit");
        byte[] twice = VersionVector.EMPTY.bump(A).bump(B).toBytes();
        System.arraycopy(twice, 1, twice, 25, 16);
        assertThatThrownBy(() -> VersionVector.fromBytes(twice)).hasMessageContaining("repeated");
    }
}
