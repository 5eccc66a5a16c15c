package dev.deltatok.table;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntConsumer;

/**
 * A camera's token hash table (Token Dynamics, made online): a bounded set of slots, each holding
 * the token ids of one distinct appearance (a prefix of the residual levels) and its latent. Slot
 * ids are stable while a slot lives. Identical token prefixes share one slot; optionally, a new
 * appearance whose latent lies within a relative distance of a live slot's latent reuses it.
 *
 * <p>Slots are reference-counted by key-map positions. Unreferenced slots stay cached (an
 * appearance that comes back then costs one key-map update instead of its tokens) until the table
 * is full, when the least-recently-used unreferenced slot is evicted. Unreferenced slots are kept
 * in a list ordered by last use (ties by slot id), so finding the victim costs O(1): a slot joins
 * at the tail when it loses its last reference, as the clock only moves forward in normal use.
 *
 * <p>Latents are stored quantised to 8 bits with one scale per slot, so the table serialises
 * exactly and small. Not thread-safe; one table belongs to one camera.
 */
public final class TokenTable implements TokenTableView {

    private final int capacity;
    private final int latentDim;
    private final int[][] tokens;
    // Quantised latents side by side (slot * latentDim, one scale per slot), so the nearest-slot
    // scan reads one contiguous array; hasLatent: the slot is live and stored one.
    private final byte[] latents;
    private final float[] scales;
    private final boolean[] hasLatent;
    private final int[] refCount;
    private final long[] useCount;
    private final long[] lastUsed;
    private final BitSet live;
    // Open-addressing index from token ids to slot: slot + 1 per bucket, 0 when empty; linear
    // probing with backward-shift deletion, so lookups allocate nothing.
    private final int[] buckets;
    private final int bucketMask;

    // Unreferenced live slots, ordered by (lastUsed, slot): a doubly linked list through prev and
    // next, NONE-terminated. After a restore it is rebuilt before it is next needed.
    private static final int NONE = -1;
    private final int[] prev;
    private final int[] next;
    private int head = NONE;
    private int tail = NONE;
    private boolean unorderedSinceRestore;

    public TokenTable(int capacity, int latentDim) {
        if (capacity < 1) {
            throw new IllegalArgumentException("table capacity must be >= 1, got " + capacity);
        }
        if (latentDim < 0) {
            throw new IllegalArgumentException("latentDim must be >= 0, got " + latentDim);
        }
        this.capacity = capacity;
        this.latentDim = latentDim;
        this.tokens = new int[capacity][];
        this.latents = new byte[Math.multiplyExact(capacity, latentDim)];
        this.scales = new float[capacity];
        this.hasLatent = new boolean[capacity];
        this.refCount = new int[capacity];
        this.useCount = new long[capacity];
        this.lastUsed = new long[capacity];
        int size = Integer.highestOneBit(Math.max(4, capacity) * 2 - 1) << 1;
        this.buckets = new int[size];
        this.bucketMask = size - 1;
        this.live = new BitSet(capacity);
        this.prev = new int[capacity];
        this.next = new int[capacity];
    }

    public int capacity() {
        return capacity;
    }

    public int latentDim() {
        return latentDim;
    }

    /** Live slots. */
    public int size() {
        return live.cardinality();
    }

    public boolean isLive(int slot) {
        return slot >= 0 && slot < capacity && live.get(slot);
    }

    /** Live slot ids in increasing order. */
    public int[] liveSlots() {
        return live.stream().toArray();
    }

    /** The slot holding exactly these token ids, or -1. */
    public int find(int[] slotTokens) {
        for (int b = home(slotTokens); ; b = (b + 1) & bucketMask) {
            int entry = buckets[b];
            if (entry == 0) {
                return -1;
            }
            if (Arrays.equals(tokens[entry - 1], slotTokens)) {
                return entry - 1;
            }
        }
    }

    /**
     * The live slot with {@code levels} token ids (any number when {@code levels <= 0}) whose
     * latent is nearest to {@code latent}, if its relative distance is at most {@code maxDistance};
     * otherwise -1.
     */
    public int findNear(float[] latent, int offset, int levels, double maxDistance) {
        if (maxDistance <= 0 || latentDim == 0) {
            return -1;
        }
        double norm = 0;
        for (int d = 0; d < latentDim; d++) {
            norm += latent[offset + d] * latent[offset + d];
        }
        double limit = maxDistance * maxDistance * Math.max(norm, 1e-12);
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        // A slot is abandoned as soon as its partial sum passes the limit or the best so far (it
        // could not be chosen: the best needs a strictly smaller distance).
        double bound = limit;
        for (int slot = 0; slot < capacity; slot++) {
            if (!hasLatent[slot] || (levels > 0 && tokens[slot].length != levels)) {
                continue;
            }
            int base = slot * latentDim;
            float s = scales[slot];
            double dist = 0;
            for (int d = 0; d < latentDim && dist <= bound; d++) {
                double diff = latent[offset + d] - latents[base + d] * s;
                dist += diff * diff;
            }
            if (dist <= limit && dist < bestDistance) {
                bestDistance = dist;
                best = slot;
                bound = dist;
            }
        }
        return best;
    }

    /**
     * Stores a new appearance in a free slot, evicting the least-recently-used unreferenced slot
     * when the table is full. The new slot starts unreferenced; call {@link #acquire}.
     *
     * @param latent the latent, or null when none is known
     * @param now a monotonic clock for recency (the delta sequence number)
     * @param evicted told the id of a slot evicted to make room
     * @throws IllegalStateException if every slot is referenced
     */
    public int insert(int[] slotTokens, float[] latent, int offset, long now, IntConsumer evicted) {
        if (find(slotTokens) >= 0) {
            throw new IllegalArgumentException(
                    "tokens " + Arrays.toString(slotTokens) + " already have a slot");
        }
        int slot = live.nextClearBit(0);
        if (slot >= capacity) {
            slot = leastRecentlyUsedUnreferenced();
            if (slot < 0) {
                throw new IllegalStateException(
                        "token table full: all " + capacity + " slots are referenced");
            }
            remove(slot);
            evicted.accept(slot);
        }
        int[] copy = slotTokens.clone();
        tokens[slot] = copy;
        if (latent != null && latentDim > 0) {
            quantise(latent, offset, slot);
        } else {
            hasLatent[slot] = false;
            scales[slot] = 0;
        }
        refCount[slot] = 0;
        useCount[slot] = 0;
        lastUsed[slot] = now;
        live.set(slot);
        indexPut(slot);
        enqueue(slot);
        return slot;
    }

    /** Restores a slot exactly as serialised (reference counts are rebuilt with acquire). */
    public void restore(
            int slot, int[] slotTokens, byte[] latent, float scale, long uses, long last) {
        if (slot < 0 || slot >= capacity || live.get(slot)) {
            throw new IllegalArgumentException("cannot restore slot " + slot);
        }
        if (latent != null && latent.length != latentDim) {
            throw new IllegalArgumentException(
                    "latent of slot "
                            + slot
                            + " has "
                            + latent.length
                            + " values, expected "
                            + latentDim);
        }
        tokens[slot] = slotTokens.clone();
        hasLatent[slot] = latent != null;
        if (latent != null) {
            System.arraycopy(latent, 0, latents, slot * latentDim, latentDim);
        }
        scales[slot] = scale;
        refCount[slot] = 0;
        useCount[slot] = uses;
        lastUsed[slot] = last;
        live.set(slot);
        if (find(tokens[slot]) >= 0) {
            throw new IllegalArgumentException(
                    "duplicate tokens " + Arrays.toString(slotTokens) + " in slot " + slot);
        }
        indexPut(slot);
        unorderedSinceRestore = true;
    }

    /** A key-map position now refers to the slot. */
    public void acquire(int slot, long now) {
        checkLive(slot);
        if (refCount[slot]++ == 0) {
            dequeue(slot);
        }
        useCount[slot]++;
        lastUsed[slot] = now;
    }

    /** A key-map position no longer refers to the slot; it stays cached until evicted. */
    public void release(int slot, long now) {
        checkLive(slot);
        if (refCount[slot] == 0) {
            throw new IllegalStateException("slot " + slot + " is not referenced");
        }
        lastUsed[slot] = now;
        if (--refCount[slot] == 0) {
            enqueue(slot);
        }
    }

    /** Rebuilds reference counts after a restore (does not touch usage counters). */
    public void addReference(int slot) {
        checkLive(slot);
        if (refCount[slot]++ == 0) {
            dequeue(slot);
        }
    }

    public void clear() {
        for (int slot = live.nextSetBit(0); slot >= 0; slot = live.nextSetBit(slot + 1)) {
            tokens[slot] = null;
            refCount[slot] = 0;
        }
        Arrays.fill(hasLatent, false);
        live.clear();
        Arrays.fill(buckets, 0);
        head = NONE;
        tail = NONE;
        unorderedSinceRestore = false;
    }

    /** Token ids of a live slot (a live view, do not modify). */
    public int[] tokens(int slot) {
        checkLive(slot);
        return tokens[slot];
    }

    /** A copy of the quantised latent of a live slot, or null. */
    public byte[] quantisedLatent(int slot) {
        checkLive(slot);
        return hasLatent[slot]
                ? Arrays.copyOfRange(latents, slot * latentDim, (slot + 1) * latentDim)
                : null;
    }

    public float latentScale(int slot) {
        checkLive(slot);
        return scales[slot];
    }

    /** The (dequantised) latent of a live slot, or null when none was stored. */
    public float[] latent(int slot) {
        checkLive(slot);
        if (!hasLatent[slot]) {
            return null;
        }
        float[] out = new float[latentDim];
        for (int d = 0; d < latentDim; d++) {
            out[d] = latents[slot * latentDim + d] * scales[slot];
        }
        return out;
    }

    /**
     * Relative L2 distance between {@code latent} and the slot's stored latent: {@code |a - b| /
     * |b|}; {@code +inf} when the slot has no latent.
     */
    public double relativeDistance(int slot, float[] latent, int offset) {
        checkLive(slot);
        if (!hasLatent[slot]) {
            return Double.POSITIVE_INFINITY;
        }
        float s = scales[slot];
        int base = slot * latentDim;
        double diff = 0;
        double norm = 0;
        for (int d = 0; d < latentDim; d++) {
            double b = latents[base + d] * s;
            double a = latent[offset + d] - b;
            diff += a * a;
            norm += b * b;
        }
        return Math.sqrt(diff / Math.max(norm, 1e-12));
    }

    public int refCount(int slot) {
        checkLive(slot);
        return refCount[slot];
    }

    public long useCount(int slot) {
        checkLive(slot);
        return useCount[slot];
    }

    public long lastUsed(int slot) {
        checkLive(slot);
        return lastUsed[slot];
    }

    private int leastRecentlyUsedUnreferenced() {
        if (unorderedSinceRestore) {
            relink();
        }
        return head;
    }

    /** Whether slot a was used before slot b (ties: the lower id first). */
    private boolean before(int a, int b) {
        return lastUsed[a] < lastUsed[b] || (lastUsed[a] == lastUsed[b] && a < b);
    }

    /** Adds an unreferenced slot, walking back from the tail to its place (O(1) in normal use). */
    private void enqueue(int slot) {
        if (unorderedSinceRestore) {
            return;
        }
        int after = tail;
        while (after != NONE && before(slot, after)) {
            after = prev[after];
        }
        int following = after == NONE ? head : next[after];
        prev[slot] = after;
        next[slot] = following;
        if (after == NONE) {
            head = slot;
        } else {
            next[after] = slot;
        }
        if (following == NONE) {
            tail = slot;
        } else {
            prev[following] = slot;
        }
    }

    private void dequeue(int slot) {
        if (unorderedSinceRestore) {
            return;
        }
        int p = prev[slot];
        int n = next[slot];
        if (p == NONE) {
            head = n;
        } else {
            next[p] = n;
        }
        if (n == NONE) {
            tail = p;
        } else {
            prev[n] = p;
        }
    }

    /** Rebuilds the ordered list from the live unreferenced slots (after slots were restored). */
    private void relink() {
        Integer[] boxed =
                live.stream().filter(slot -> refCount[slot] == 0).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (a, b) -> before(a, b) ? -1 : before(b, a) ? 1 : 0);
        head = NONE;
        tail = NONE;
        for (int slot : boxed) {
            prev[slot] = tail;
            next[slot] = NONE;
            if (tail == NONE) {
                head = slot;
            } else {
                next[tail] = slot;
            }
            tail = slot;
        }
        unorderedSinceRestore = false;
    }

    private void remove(int slot) {
        if (refCount[slot] == 0) {
            dequeue(slot);
        }
        indexRemove(slot);
        tokens[slot] = null;
        hasLatent[slot] = false;
        refCount[slot] = 0;
        live.clear(slot);
    }

    private void quantise(float[] latent, int offset, int slot) {
        float max = 0;
        for (int d = 0; d < latentDim; d++) {
            max = Math.max(max, Math.abs(latent[offset + d]));
        }
        float scale = max == 0 ? 1f : max / 127f;
        int base = slot * latentDim;
        for (int d = 0; d < latentDim; d++) {
            latents[base + d] = (byte) Math.round(latent[offset + d] / scale);
        }
        hasLatent[slot] = true;
        scales[slot] = scale;
    }

    private void checkLive(int slot) {
        if (!isLive(slot)) {
            throw new IllegalArgumentException("slot " + slot + " is not live");
        }
    }

    private int home(int[] slotTokens) {
        int h = Arrays.hashCode(slotTokens) * 0x9E3779B9;
        return (h ^ (h >>> 16)) & bucketMask;
    }

    private void indexPut(int slot) {
        int b = home(tokens[slot]);
        while (buckets[b] != 0) {
            b = (b + 1) & bucketMask;
        }
        buckets[b] = slot + 1;
    }

    /** Removes a slot from the index; its tokens must still be in place. */
    private void indexRemove(int slot) {
        int i = home(tokens[slot]);
        while (buckets[i] != slot + 1) {
            i = (i + 1) & bucketMask;
        }
        // Backward-shift deletion: move later entries of the probe run into the hole when their
        // home bucket does not lie (cyclically) between the hole and their bucket.
        for (int j = (i + 1) & bucketMask; buckets[j] != 0; j = (j + 1) & bucketMask) {
            int k = home(tokens[buckets[j] - 1]);
            boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                buckets[i] = buckets[j];
                i = j;
            }
        }
        buckets[i] = 0;
    }
}
