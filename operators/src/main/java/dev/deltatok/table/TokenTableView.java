package dev.deltatok.table;

/**
 * Read access to a camera's {@link TokenTable}: what a stage that plans a delta may look at. Only
 * the camera's state changes the table itself.
 */
public interface TokenTableView {

    int capacity();

    int latentDim();

    /** Live slots. */
    int size();

    boolean isLive(int slot);

    /** Live slot ids, increasing. */
    int[] liveSlots();

    /** The slot holding exactly these token ids, or -1. */
    int find(int[] slotTokens);

    /**
     * The live slot with {@code levels} token ids (any number when {@code levels <= 0}) whose
     * latent is nearest to {@code latent}, if its relative distance is at most {@code maxDistance};
     * otherwise -1.
     */
    int findNear(float[] latent, int offset, int levels, double maxDistance);

    /** Token ids of a live slot (shared with the table: read, never modify). */
    int[] tokens(int slot);

    /** A copy of the quantised latent of a live slot, or null. */
    byte[] quantisedLatent(int slot);

    float latentScale(int slot);

    /** A fresh copy of the dequantised latent of a live slot, or null when none was stored. */
    float[] latent(int slot);

    /**
     * Relative L2 distance between {@code latent} and the slot's stored latent: {@code |a - b| /
     * |b|}; {@code +inf} when the slot has no latent.
     */
    double relativeDistance(int slot, float[] latent, int offset);

    int refCount(int slot);

    long useCount(int slot);

    long lastUsed(int slot);
}
