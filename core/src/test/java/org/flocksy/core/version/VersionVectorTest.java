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
