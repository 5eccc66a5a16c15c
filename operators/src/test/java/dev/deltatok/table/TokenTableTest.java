package dev.deltatok.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
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
    void withoutALevelCountMergesWithTheNearestSlotOfAnyLength() {
        TokenTable table = new TokenTable(4, 3);
        table.insert(new int[] {1, 1}, latent(1f, 2f, 3.1f), 0, 1, evicted::add);
        int b = table.insert(new int[] {7}, latent(1f, 2f, 3f), 0, 1, evicted::add);

        assertThat(table.findNear(latent(1f, 2f, 3.01f), 0, 0, 0.05)).isEqualTo(b);
        assertThat(table.findNear(latent(1f, 2f, 3.01f), 0, 2, 0.05)).isNotEqualTo(b);
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

    /**
     * The victim is always what a scan of every slot would pick: the unreferenced slot used least
     * recently, the lowest id among equals; under random inserts, acquires, releases, clock ties, a
     * clock that steps back, restores from a snapshot and clears.
     */
    @Property(tries = 300)
    void evictsWhatAFullScanWouldPick(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int capacity = 1 + random.nextInt(12);
        TokenTable table = new TokenTable(capacity, 0);
        long now = 0;
        int nextTokens = 0;
        for (int op = 0; op < 400; op++) {
            int kind = random.nextInt(100);
            now += random.nextInt(100) < 5 ? -random.nextInt(5) : random.nextInt(3);
            if (kind < 40) {
                int expected = table.size() < capacity ? -1 : scanVictim(table);
                if (table.size() == capacity && expected < 0) {
                    continue;
                }
                evicted.clear();
                int slot = table.insert(new int[] {nextTokens++}, null, 0, now, evicted::add);
                if (expected >= 0) {
                    assertThat(evicted).containsExactly(expected);
                    assertThat(slot).isEqualTo(expected);
                } else {
                    assertThat(evicted).isEmpty();
                }
            } else if (kind < 65) {
                int[] live = table.liveSlots();
                if (live.length > 0) {
                    table.acquire(live[random.nextInt(live.length)], now);
                }
            } else if (kind < 90) {
                int[] referenced = referenced(table);
                if (referenced.length > 0) {
                    table.release(referenced[random.nextInt(referenced.length)], now);
                }
            } else if (kind < 97) {
                table = restored(table);
            } else {
                table.clear();
            }
        }
    }

    /**
     * The nearest-slot scan picks what its definition picks (over the live slots in id order, the
     * first with the smallest squared distance to the dequantised latent, within the limit and of
     * the asked number of levels), through inserts that evict, restores and clears; latents are
     * drawn near stored ones so that many lie within the limit.
     */
    @Property(tries = 200)
    void findsTheSlotItsDefinitionFinds(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int capacity = 1 + random.nextInt(40);
        int dim = 1 + random.nextInt(12);
        TokenTable table = new TokenTable(capacity, dim);
        List<float[]> seen = new ArrayList<>();
        int nextTokens = 0;
        for (int op = 0; op < 300; op++) {
            int kind = random.nextInt(100);
            float[] query = new float[dim];
            float[] around = seen.isEmpty() ? null : seen.get(random.nextInt(seen.size()));
            for (int d = 0; d < dim; d++) {
                query[d] =
                        around != null && random.nextBoolean()
                                ? around[d] + (float) random.nextGaussian() * 0.05f
                                : (float) random.nextGaussian();
            }
            if (kind < 45) {
                int levels = 1 + random.nextInt(3);
                int[] tokens = new int[levels];
                tokens[0] = nextTokens++;
                if (table.size() == capacity && referenced(table).length == capacity) {
                    continue;
                }
                table.insert(tokens, random.nextInt(10) == 0 ? null : query, 0, op, slot -> {});
                seen.add(query);
            } else if (kind < 92) {
                int levels = random.nextInt(4);
                double maxDistance = random.nextDouble() * 0.6;
                assertThat(table.findNear(query, 0, levels, maxDistance))
                        .isEqualTo(nearestByDefinition(table, query, levels, maxDistance));
            } else if (kind < 98) {
                table = restored(table);
            } else {
                table.clear();
            }
        }
    }

    private static int nearestByDefinition(
            TokenTable table, float[] latent, int levels, double maxDistance) {
        if (maxDistance <= 0) {
            return -1;
        }
        double norm = 0;
        for (float v : latent) {
            norm += v * v;
        }
        double limit = maxDistance * maxDistance * Math.max(norm, 1e-12);
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int slot : table.liveSlots()) {
            float[] stored = table.latent(slot);
            if (stored == null || (levels > 0 && table.tokens(slot).length != levels)) {
                continue;
            }
            double dist = 0;
            for (int d = 0; d < latent.length; d++) {
                double diff = latent[d] - stored[d];
                dist += diff * diff;
            }
            if (dist <= limit && dist < bestDistance) {
                bestDistance = dist;
                best = slot;
            }
        }
        return best;
    }

    private static int[] referenced(TokenTable table) {
        return java.util.Arrays.stream(table.liveSlots())
                .filter(slot -> table.refCount(slot) > 0)
                .toArray();
    }

    private static int scanVictim(TokenTable table) {
        int best = -1;
        for (int slot : table.liveSlots()) {
            if (table.refCount(slot) == 0
                    && (best < 0 || table.lastUsed(slot) < table.lastUsed(best))) {
                best = slot;
            }
        }
        return best;
    }

    /** A copy made the way the state serializer restores a table. */
    private static TokenTable restored(TokenTable table) {
        TokenTable copy = new TokenTable(table.capacity(), table.latentDim());
        int[] live = table.liveSlots();
        for (int i = live.length - 1; i >= 0; i--) {
            int slot = live[i];
            copy.restore(
                    slot,
                    table.tokens(slot),
                    table.quantisedLatent(slot),
                    table.latentScale(slot),
                    table.useCount(slot),
                    table.lastUsed(slot));
        }
        for (int slot : live) {
            for (int r = 0; r < table.refCount(slot); r++) {
                copy.addReference(slot);
            }
        }
        return copy;
    }
}
