package dev.deltatok.core;

import dev.deltatok.model.ModelSpec;
import java.util.Arrays;

/**
 * Patches decoded from token ids, kept so that the reuse check ({@link
 * dev.deltatok.delta.PatchFit}) decodes an appearance once and not on every frame that asks how
 * well it fits: a patch's pixels depend on its token ids alone, which are the same for every camera
 * of a model. Direct-mapped: the ids (each level's id and the number of levels used) pack into one
 * long, which picks one entry; a miss overwrites it. Bounded and allocation-free after
 * construction. Disabled (every lookup misses) when the ids do not fit a long. Not thread-safe; one
 * belongs to one {@link TokenizerCore}.
 */
final class DecodedPatchCache {

    static final int DEFAULT_ENTRIES = 1024;

    private static final long EMPTY = -1L;

    private final int levels;
    private final int bitsPerLevel;
    private final int values;
    private final int mask;
    private final boolean enabled;
    private final long[] keys;
    private final float[] patches;
    private long hits;
    private long misses;

    DecodedPatchCache(ModelSpec spec, int entries) {
        if (entries < 0 || Integer.bitCount(Math.max(entries, 1)) != 1) {
            throw new IllegalArgumentException(
                    "entries must be 0 or a power of two, got " + entries);
        }
        this.levels = spec.levels();
        this.bitsPerLevel = 64 - Long.numberOfLeadingZeros(Math.max(1, spec.codebookSize() - 1));
        this.values = spec.patchValues();
        // ids of every level, plus the number of levels used, in 63 bits (the sign marks empty)
        int usedBits = 32 - Integer.numberOfLeadingZeros(levels);
        this.enabled = entries > 0 && levels * bitsPerLevel + usedBits <= 63;
        int size = enabled ? entries : 0;
        this.mask = size - 1;
        this.keys = new long[size];
        Arrays.fill(keys, EMPTY);
        this.patches = new float[Math.multiplyExact(size, values)];
    }

    /**
     * The key of these ids' leading {@code used} levels, or -1 when the cache is disabled or an id
     * is out of the codebook's range.
     */
    long key(int[] ids, int used) {
        if (!enabled || used < 1 || used > levels || used > ids.length) {
            return EMPTY;
        }
        long key = used;
        long limit = 1L << bitsPerLevel;
        for (int l = 0; l < used; l++) {
            int id = ids[l];
            if (id < 0 || id >= limit) {
                return EMPTY;
            }
            key = (key << bitsPerLevel) | id;
        }
        return key;
    }

    /** The entry holding {@code key}'s patch, or -1 (a miss; -1 keys always miss). */
    int find(long key) {
        if (key == EMPTY) {
            misses++;
            return -1;
        }
        int entry = entry(key);
        if (keys[entry] == key) {
            hits++;
            return entry;
        }
        misses++;
        return -1;
    }

    /** Stores a decoded patch ({@code values} floats from {@code from[offset]}) under its key. */
    void put(long key, float[] from, int offset) {
        if (key == EMPTY) {
            return;
        }
        int entry = entry(key);
        keys[entry] = key;
        System.arraycopy(from, offset, patches, entry * values, values);
    }

    /** The patch values of an entry {@link #find} returned, from {@link #offset}. */
    float[] patches() {
        return patches;
    }

    int offset(int entry) {
        return entry * values;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    private int entry(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }
}
