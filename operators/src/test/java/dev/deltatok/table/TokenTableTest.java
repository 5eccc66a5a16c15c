package dev.deltatok.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenTableTest {

    private final List<Integer> evicted = new ArrayList<>();

    private static float[] latent(float... v) {
        return v;
    }

    @Test
    void identicalTokensShareOneSlotAndIdsStayStable() {
        TokenTable table = new TokenTable(4, 2);
        int a = table.insert(new int[] {1, 2}, latent(1, 0), 0, 1, evicted::add);
        int b = table.insert(new int[] {3}, latent(0, 1), 0, 1, evicted::add);

        assertThat(table.find(new int[] {1, 2})).isEqualTo(a);
        assertThat(table.find(new int[] {3})).isEqualTo(b);
        assertThat(table.find(new int[] {1})).isEqualTo(-1);
        assertThat(a).isNotEqualTo(b);
        assertThatThrownBy(() -> table.insert(new int[] {1, 2}, null, 0, 2, evicted::add))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void evictsTheLeastRecentlyUsedUnreferencedSlotWhenFull() {
        TokenTable table = new TokenTable(3, 0);
        int a = table.insert(new int[] {1}, null, 0, 1, evicted::add);
        int b = table.insert(new int[] {2}, null, 0, 2, evicted::add);
        int c = table.insert(new int[] {3}, null, 0, 3, evicted::add);
        table.acquire(a, 4);
        table.acquire(c, 5);
        table.release(c, 6);

        int d = table.insert(new int[] {4}, null, 0, 7, evicted::add);

        assertThat(evicted).containsExactly(b);
        assertThat(d).isEqualTo(b);
        assertThat(table.find(new int[] {2})).isEqualTo(-1);
        assertThat(table.isLive(a)).isTrue();
        assertThat(table.size()).isEqualTo(3);
    }

    @Test
    void refusesToEvictReferencedSlots() {
        TokenTable table = new TokenTable(1, 0);
        int a = table.insert(new int[] {1}, null, 0, 1, evicted::add);
        table.acquire(a, 1);

        assertThatThrownBy(() -> table.insert(new int[] {2}, null, 0, 2, evicted::add))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("full");
    }

    @Test
    void countsUsesAndReferences() {
        TokenTable table = new TokenTable(2, 0);
        int a = table.insert(new int[] {9}, null, 0, 1, evicted::add);
        table.acquire(a, 1);
        table.acquire(a, 2);
        table.release(a, 3);

        assertThat(table.refCount(a)).isEqualTo(1);
        assertThat(table.useCount(a)).isEqualTo(2);
        assertThat(table.lastUsed(a)).isEqualTo(3);
    }

    @Test
    void mergesNearIdenticalLatentsWithTheSameLevelCount() {
        TokenTable table = new TokenTable(4, 3);
        int a = table.insert(new int[] {1, 1}, latent(1f, 2f, 3f), 0, 1, evicted::add);
        table.insert(new int[] {7}, latent(1f, 2f, 3f), 0, 1, evicted::add);

        assertThat(table.findNear(latent(1.01f, 2f, 3f), 0, 2, 0.05)).isEqualTo(a);
        assertThat(table.findNear(latent(2f, 2f, 3f), 0, 2, 0.05)).isEqualTo(-1);
        assertThat(table.findNear(latent(1.01f, 2f, 3f), 0, 2, 0)).isEqualTo(-1);
    }

    @Test
    void storesLatentsToEightBitsOfTheirLargestValue() {
        TokenTable table = new TokenTable(1, 3);
        int a = table.insert(new int[] {1}, latent(0.5f, -1f, 0.25f), 0, 1, evicted::add);

        assertThat(table.latent(a))
                .containsExactly(
                        new float[] {0.5f, -1f, 0.25f},
                        org.assertj.core.data.Offset.offset(1f / 127));
        assertThat(table.relativeDistance(a, latent(0.5f, -1f, 0.25f), 0)).isLessThan(0.01);
    }
}
