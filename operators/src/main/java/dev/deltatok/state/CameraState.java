package dev.deltatok.state;

import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.reference.GlobalMotionEstimator;
import dev.deltatok.reference.NoiseEstimator;
import dev.deltatok.reference.PictureMotion;
import dev.deltatok.reference.Projections;
import dev.deltatok.reference.ReferenceGrid;
import dev.deltatok.table.TokenTable;
import dev.deltatok.table.TokenTableView;
import java.util.Arrays;
import java.util.Objects;

/**
 * Everything the tokenizer keeps for one camera: what the consumer holds (token hash table and key
 * map), the reference it was encoded from, per-position error bookkeeping and counters. Serialised
 * by {@link CameraStateSerializer}.
 *
 * <p>The reference is stored as the means of {@code referenceBlock x referenceBlock} pixel blocks
 * (8-bit RGB), at model resolution divided by the block side: at 256x256 with 4x4 blocks that is 12
 * KiB instead of 192 KiB. Per grid position it is the picture the position's held tokens were
 * encoded from.
 *
 * <p>Mutable and not thread-safe: one camera is processed by one thread at a time. Only this
 * package changes it: {@link PlanApplier} applies a {@link dev.deltatok.delta.Plan}, the serializer
 * restores it. Everything public reads; no live array leaves the class.
 */
public final class CameraState {

    /** Key-map entry of a position that holds no slot (before the first keyframe). */
    public static final int NO_SLOT = -1;

    private final String cameraId;
    private String modelId;
    private int gridRows;
    private int gridCols;
    private int patchSize;
    private int levels;
    private int latentDim;
    private int referenceBlock;
    private TokenTable table;
    private int[] keyMap;
    private byte[] reference;
    private float[] heldError;
    private float[] heldExcess;
    private byte[] waiting;
    private byte[] previous;
    private float noiseLevel = NoiseEstimator.UNKNOWN;
    private int offsetX;
    private int offsetY;
    private transient ReferenceGrid grid;

    private boolean synced;
    private long nextDeltaSeq;
    private long lastFrameSeq = -1;
    private long framesSeen;
    private int keyframeClock;
    private long keyframes;

    private CameraState(String cameraId) {
        this.cameraId = Objects.requireNonNull(cameraId, "cameraId");
    }

    /**
     * A camera never seen before: empty table and key map; its first frame becomes a KEYFRAME.
     *
     * @throws IllegalArgumentException if the settings do not fit the model (table capacity below
     *     the patches per frame, reference block not dividing the patch size)
     */
    public static CameraState initial(String cameraId, ModelSpec spec, TokenizerSettings settings) {
        CameraState state = new CameraState(cameraId);
        state.reset(spec, settings);
        return state;
    }

    /**
     * Forgets what the consumer holds and re-shapes for (possibly another) model and settings;
     * counters survive so the delta sequence stays gap-free. The next frame becomes a KEYFRAME.
     */
    void reset(ModelSpec spec, TokenizerSettings settings) {
        checkFits(spec, settings);
        int positions = spec.patchesPerFrame();
        this.modelId = spec.modelId();
        this.gridRows = spec.gridRows();
        this.gridCols = spec.gridCols();
        this.patchSize = spec.patchSize();
        this.levels = spec.levels();
        this.latentDim = spec.latentDim();
        this.referenceBlock = settings.referenceBlock();
        this.table = new TokenTable(settings.tableCapacity(), spec.latentDim());
        this.keyMap = new int[positions];
        Arrays.fill(keyMap, NO_SLOT);
        this.reference = new byte[referenceWidth() * referenceHeight() * 3];
        this.heldError = new float[positions];
        this.heldExcess = new float[positions];
        this.waiting = new byte[positions];
        // A new shape has no previous frame to compare with; the noise level is the camera's
        // and survives.
        this.previous = null;
        this.synced = false;
        this.keyframeClock = 0;
        this.offsetX = 0;
        this.offsetY = 0;
        this.grid = null;
    }

    /** Whether this state was shaped for this model and these settings. */
    public boolean fits(ModelSpec spec, TokenizerSettings settings) {
        return spec.modelId().equals(modelId)
                && spec.gridRows() == gridRows
                && spec.gridCols() == gridCols
                && spec.patchSize() == patchSize
                && spec.levels() == levels
                && spec.latentDim() == latentDim
                && settings.referenceBlock() == referenceBlock
                && settings.tableCapacity() == table.capacity();
    }

    static void checkFits(ModelSpec spec, TokenizerSettings settings) {
        if (settings.tableCapacity() < spec.patchesPerFrame()) {
            throw new IllegalArgumentException(
                    "tableCapacity "
                            + settings.tableCapacity()
                            + " is below the model's "
                            + spec.patchesPerFrame()
                            + " patches per frame; use at least that");
        }
        if (spec.patchSize() % settings.referenceBlock() != 0) {
            throw new IllegalArgumentException(
                    "referenceBlock "
                            + settings.referenceBlock()
                            + " must divide the model's patch size "
                            + spec.patchSize());
        }
    }

    /** Restores a state from its parts (used by the serializer). */
    static CameraState restore(
            String cameraId,
            String modelId,
            int gridRows,
            int gridCols,
            int patchSize,
            int levels,
            int latentDim,
            int referenceBlock,
            TokenTable table,
            int[] keyMap,
            byte[] reference,
            float[] heldError,
            float[] heldExcess,
            byte[] waiting,
            byte[] previous,
            float noiseLevel,
            int offsetX,
            int offsetY,
            boolean synced,
            long nextDeltaSeq,
            long lastFrameSeq,
            long framesSeen,
            int keyframeClock,
            long keyframes) {
        CameraState s = new CameraState(cameraId);
        s.modelId = modelId;
        s.gridRows = gridRows;
        s.gridCols = gridCols;
        s.patchSize = patchSize;
        s.levels = levels;
        s.latentDim = latentDim;
        s.referenceBlock = referenceBlock;
        s.table = table;
        s.keyMap = keyMap;
        s.reference = reference;
        s.heldError = heldError;
        s.heldExcess = heldExcess;
        s.waiting = waiting;
        s.previous = previous;
        s.noiseLevel = noiseLevel;
        s.offsetX = offsetX;
        s.offsetY = offsetY;
        s.synced = synced;
        s.nextDeltaSeq = nextDeltaSeq;
        s.lastFrameSeq = lastFrameSeq;
        s.framesSeen = framesSeen;
        s.keyframeClock = keyframeClock;
        s.keyframes = keyframes;
        return s;
    }

    public String cameraId() {
        return cameraId;
    }

    /** {@code id@version} of the model whose tokens the consumer holds. */
    public String modelId() {
        return modelId;
    }

    public int gridRows() {
        return gridRows;
    }

    public int gridCols() {
        return gridCols;
    }

    public int positions() {
        return gridRows * gridCols;
    }

    public int patchSize() {
        return patchSize;
    }

    public int levels() {
        return levels;
    }

    public int latentDim() {
        return latentDim;
    }

    public int referenceBlock() {
        return referenceBlock;
    }

    public int referenceWidth() {
        return gridCols * patchSize / referenceBlock;
    }

    public int referenceHeight() {
        return gridRows * patchSize / referenceBlock;
    }

    /** The token hash table, read-only. */
    public TokenTableView table() {
        return table;
    }

    /**
     * A copy of the slot per grid position (row-major), {@link #NO_SLOT} before the first keyframe.
     */
    public int[] keyMap() {
        return keyMap.clone();
    }

    /**
     * The slot grid position {@code position} holds, {@link #NO_SLOT} before the first keyframe.
     */
    public int slotAt(int position) {
        return keyMap[position];
    }

    /** A copy of the reference block means, interleaved RGB, row-major over the reference grid. */
    public byte[] reference() {
        return reference.clone();
    }

    /**
     * Change detection against the reference: per grid position, the mean absolute difference
     * (8-bit levels) and the mean squared difference (values in [0, 1]) of {@code blockMeans} (the
     * current frame's, as {@link ReferenceGrid#blockMeans}) to the reference.
     */
    public void compareWithReference(byte[] blockMeans, float[] mad, float[] msd) {
        referenceGrid().compare(blockMeans, reference, mad, msd);
    }

    /**
     * {@link #compareWithReference(byte[], float[], float[])} with the reference first moved by the
     * motion's whole patches, as {@link PlanApplier#move} will move it; {@code blockMeans} are the
     * frame's in the moved key map's coordinates.
     */
    public void compareWithReference(
            byte[] blockMeans, PictureMotion motion, float[] mad, float[] msd) {
        referenceGrid()
                .compare(blockMeans, reference, motion.shiftRows(), motion.shiftCols(), mad, msd);
    }

    /**
     * Global motion of a frame against the reference ({@link
     * GlobalMotionEstimator#estimate(RgbImage, Projections, byte[], int, int)}) around the offset
     * the consumer shows the picture at now.
     *
     * @param projections the projections of {@code image}
     */
    public GlobalMotionEstimator.Estimate estimateMotion(
            GlobalMotionEstimator estimator, RgbImage image, Projections projections) {
        return estimator.estimate(image, projections, reference, offsetX, offsetY);
    }

    /**
     * Per grid position, the mean absolute difference (8-bit levels) of {@code blockMeans} to the
     * previous accepted frame's block means, the raw material of the noise estimate.
     *
     * @return false, leaving {@code mad} untouched, when there is no previous frame of this shape
     */
    public boolean compareWithPrevious(byte[] blockMeans, float[] mad) {
        return compareWithPrevious(blockMeans, PictureMotion.NONE, mad);
    }

    /**
     * {@link #compareWithPrevious(byte[], float[])} with the previous frame first moved by the
     * motion's whole patches (the previous frame is kept in the key map's coordinates).
     */
    public boolean compareWithPrevious(byte[] blockMeans, PictureMotion motion, float[] mad) {
        if (previous == null || previous.length != blockMeans.length) {
            return false;
        }
        referenceGrid()
                .meanAbsoluteDifference(
                        blockMeans, previous, motion.shiftRows(), motion.shiftCols(), mad);
        return true;
    }

    /**
     * The pixel offset at which the consumer shows the held picture ({@link PictureMotion}), in
     * {@code (-patchSize/2, patchSize/2]}; 0 after every keyframe.
     */
    public int offsetX() {
        return offsetX;
    }

    /** See {@link #offsetX()}. */
    public int offsetY() {
        return offsetY;
    }

    void setOffset(int x, int y) {
        offsetX = x;
        offsetY = y;
    }

    /**
     * Moves what the consumer holds by the motion's whole patches: key map (with reference counts),
     * reference, error bookkeeping, waits and the previous frame. Positions left uncovered keep
     * what the nearest position on the grid held ({@link PictureMotion#source}).
     */
    void moveBy(PictureMotion motion, long now) {
        if (!motion.shifted()) {
            return;
        }
        int positions = keyMap.length;
        int[] movedKeys = new int[positions];
        float[] movedError = new float[positions];
        float[] movedExcess = new float[positions];
        byte[] movedWaiting = new byte[positions];
        for (int p = 0; p < positions; p++) {
            int from = motion.source(p, gridRows, gridCols);
            movedKeys[p] = keyMap[from];
            movedError[p] = heldError[from];
            movedExcess[p] = heldExcess[from];
            movedWaiting[p] = waiting[from];
        }
        // Acquire before releasing, so a slot that stays on the grid never looks unreferenced.
        for (int slot : movedKeys) {
            if (slot != NO_SLOT) {
                table.acquire(slot, now);
            }
        }
        for (int slot : keyMap) {
            if (slot != NO_SLOT) {
                table.release(slot, now);
            }
        }
        keyMap = movedKeys;
        heldError = movedError;
        heldExcess = movedExcess;
        waiting = movedWaiting;
        ReferenceGrid g = referenceGrid();
        reference = g.shifted(reference, motion.shiftRows(), motion.shiftCols());
        if (previous != null && previous.length == reference.length) {
            previous = g.shifted(previous, motion.shiftRows(), motion.shiftCols());
        }
    }

    /**
     * The camera's estimated noise level ({@link NoiseEstimator}), 8-bit levels; {@link
     * NoiseEstimator#UNKNOWN} before two frames were seen.
     */
    public float noiseLevel() {
        return noiseLevel;
    }

    /** Whether the block means of the previous accepted frame are kept. */
    public boolean hasPrevious() {
        return previous != null;
    }

    /** A copy of the previous accepted frame's block means, null when none is kept. */
    public byte[] previous() {
        return previous == null ? null : previous.clone();
    }

    /** The frame just accepted becomes the previous one; its noise sample has been taken. */
    void recordPicture(byte[] blockMeans, float newNoiseLevel) {
        if (previous == null || previous.length != blockMeans.length) {
            previous = blockMeans.clone();
        } else {
            System.arraycopy(blockMeans, 0, previous, 0, blockMeans.length);
        }
        noiseLevel = newNoiseLevel;
    }

    /** Estimated MSE of the tokens held at {@code position} against the picture they came from. */
    public float heldError(int position) {
        return heldError[position];
    }

    /** How much {@link #heldError} exceeds the full-level tokenisation's error at a position. */
    public float heldExcess(int position) {
        return heldExcess[position];
    }

    /** Frames an over-budget change at {@code position} has waited (saturating at 255). */
    public int waiting(int position) {
        return waiting[position] & 0xFF;
    }

    ReferenceGrid referenceGrid() {
        if (grid == null) {
            grid = new ReferenceGrid(patchSize, referenceBlock, gridRows, gridCols);
        }
        return grid;
    }

    TokenTable mutableTable() {
        return table;
    }

    int[] keyMapArray() {
        return keyMap;
    }

    byte[] referenceArray() {
        return reference;
    }

    float[] heldErrorArray() {
        return heldError;
    }

    float[] heldExcessArray() {
        return heldExcess;
    }

    byte[] waitingArray() {
        return waiting;
    }

    byte[] previousArray() {
        return previous;
    }

    /** Whether a KEYFRAME has been emitted for the current shape (the consumer holds a picture). */
    public boolean synced() {
        return synced;
    }

    void markSynced() {
        synced = true;
    }

    /** deltaSeq the next delta will carry. */
    public long nextDeltaSeq() {
        return nextDeltaSeq;
    }

    /** Returns the current next deltaSeq and advances it. */
    long takeDeltaSeq() {
        return nextDeltaSeq++;
    }

    /** seq of the last accepted frame, -1 before any. */
    public long lastFrameSeq() {
        return lastFrameSeq;
    }

    public long framesSeen() {
        return framesSeen;
    }

    /**
     * Frames toward the camera's next periodic keyframe: counts up by one per DELTA, and restarts
     * at each KEYFRAME where {@link dev.deltatok.reference.ReferencePolicy#clockAfterKeyframe} says
     * (0 after a periodic one, the camera's phase after any other). Never less than the frames
     * since the last keyframe.
     */
    public int keyframeClock() {
        return keyframeClock;
    }

    public long keyframes() {
        return keyframes;
    }

    /** Records an accepted frame that became a DELTA. */
    void recordDelta(long frameSeq) {
        lastFrameSeq = frameSeq;
        framesSeen++;
        if (keyframeClock < Integer.MAX_VALUE) {
            keyframeClock++;
        }
    }

    /**
     * Records an accepted frame that became a KEYFRAME; the keyframe clock restarts at {@code
     * clock}.
     */
    void recordKeyframe(long frameSeq, int clock) {
        lastFrameSeq = frameSeq;
        framesSeen++;
        keyframes++;
        keyframeClock = clock;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CameraState s)) {
            return false;
        }
        if (!(cameraId.equals(s.cameraId)
                && modelId.equals(s.modelId)
                && gridRows == s.gridRows
                && gridCols == s.gridCols
                && patchSize == s.patchSize
                && levels == s.levels
                && latentDim == s.latentDim
                && referenceBlock == s.referenceBlock
                && synced == s.synced
                && nextDeltaSeq == s.nextDeltaSeq
                && lastFrameSeq == s.lastFrameSeq
                && framesSeen == s.framesSeen
                && keyframeClock == s.keyframeClock
                && keyframes == s.keyframes
                && Arrays.equals(keyMap, s.keyMap)
                && Arrays.equals(reference, s.reference)
                && Arrays.equals(heldError, s.heldError)
                && Arrays.equals(heldExcess, s.heldExcess)
                && Arrays.equals(waiting, s.waiting)
                && Arrays.equals(previous, s.previous)
                && Float.compare(noiseLevel, s.noiseLevel) == 0
                && offsetX == s.offsetX
                && offsetY == s.offsetY
                && table.capacity() == s.table.capacity()
                && Arrays.equals(table.liveSlots(), s.table.liveSlots()))) {
            return false;
        }
        for (int slot : table.liveSlots()) {
            if (!Arrays.equals(table.tokens(slot), s.table.tokens(slot))
                    || !Arrays.equals(table.quantisedLatent(slot), s.table.quantisedLatent(slot))
                    || table.latentScale(slot) != s.table.latentScale(slot)
                    || table.refCount(slot) != s.table.refCount(slot)
                    || table.useCount(slot) != s.table.useCount(slot)
                    || table.lastUsed(slot) != s.table.lastUsed(slot)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(cameraId, nextDeltaSeq, lastFrameSeq, Arrays.hashCode(keyMap));
    }

    @Override
    public String toString() {
        return "CameraState["
                + cameraId
                + ", model="
                + modelId
                + ", grid="
                + gridRows
                + "x"
                + gridCols
                + ", slots="
                + table.size()
                + ", nextDeltaSeq="
                + nextDeltaSeq
                + ", lastFrameSeq="
                + lastFrameSeq
                + "]";
    }
}
