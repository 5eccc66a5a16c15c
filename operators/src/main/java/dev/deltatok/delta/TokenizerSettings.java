package dev.deltatok.delta;

import dev.deltatok.frame.FrameLimits;
import java.util.Objects;

/**
 * Thresholds and caps of the per-frame algorithm, validated eagerly.
 *
 * @param mode DELTA (send what changed) or FULL (the every-patch baseline)
 * @param changeThreshold noise floor: a patch is changed when the mean absolute difference of its
 *     reference-block means to the reference exceeds this, in 8-bit levels [0, 255]. Block means
 *     already average sensor noise (a 4x4 block divides its deviation by 4), so the default 4 sits
 *     lower than a per-pixel threshold would
 * @param referenceBlock side in pixels of the blocks whose means form the stored reference (1 =
 *     full resolution; 4 keeps state small and averages sensor noise); must divide the model's
 *     patch size
 * @param latentThreshold a changed patch whose latent moved less than this (relative L2 distance to
 *     the latent the consumer's slot was made from) is not sent, [0, 10]
 * @param tableCapacity slots in the token hash table; at least the model's patches per frame
 * @param mergeDistance a changed patch may keep the slot it holds, or reuse the live slot whose
 *     latent is nearest within this relative L2 distance of its own, when that slot's tokens
 *     decoded against the patch stay within the patch's error budget (0 = only identical token ids
 *     share a slot, and nothing held is kept once its drift exceeds the budget), [0, 1]
 * @param sceneCutFraction a KEYFRAME when at least this fraction of patches changed, (0, 1]
 * @param maxKeyframeInterval a KEYFRAME at the latest after this many frames, [1, 10^7]
 * @param errorBudget per patch, the mean squared pixel error (pixels in [0, 1]) the consumer's
 *     picture may exceed the full-level tokenisation by; decides how many residual levels are sent,
 *     whether a position keeps what it holds and whether it may reuse another slot, [0, 1]
 * @param errorBudgetRatio added to {@code errorBudget} per patch: this fraction of the patch's own
 *     full-level error, so a detailed patch (whose tokens are coarse anyway) may drift further than
 *     a flat one and the quality lost stays a bounded fraction of the picture's error on any
 *     footage, [0, 10]
 * @param keyframeErrorBound a KEYFRAME (ignoring the token cap) when the frame's mean estimated
 *     excess error left after the cap still exceeds this, [0, 1]
 * @param maxTokensPerFrame token cap of a DELTA (upsert ids plus key-map updates); keyframes are
 *     exempt, [1, 2^24]
 * @param includeLatents whether upserts carry the slot latent (little-endian float32)
 * @param frameLimits limits on frame size and payload
 * @param noiseFloor ADAPTIVE: each camera's change threshold is {@code noiseMultiplier} times its
 *     own estimated noise level, never below {@code changeThreshold} nor above {@code
 *     maxChangeThreshold}; FIXED: {@code changeThreshold} for every camera
 * @param noiseMultiplier how many times a camera's estimated noise level (lower quartile over
 *     positions of the mean absolute block-mean difference between consecutive frames) its change
 *     threshold is, [1, 100]
 * @param maxChangeThreshold the highest change threshold an adaptive noise floor may reach, in
 *     8-bit levels [0, 255] (below {@code changeThreshold}: no room to adapt); bounds the drift a
 *     camera's noise can hide
 * @param maxLevels most residual levels sent per patch, in both modes; 0 = every level the model
 *     has, [0, 64]
 * @param motionSearch global motion: how many pixels (at model resolution) per axis and frame the
 *     picture may move as a whole and still be sent as a shift of what the consumer holds plus the
 *     patches the shift uncovered or that changed beyond it; 0 = no global motion, [0, 256]
 */
public record TokenizerSettings(
        TokenizerMode mode,
        double changeThreshold,
        int referenceBlock,
        double latentThreshold,
        int tableCapacity,
        double mergeDistance,
        double sceneCutFraction,
        int maxKeyframeInterval,
        double errorBudget,
        double errorBudgetRatio,
        double keyframeErrorBound,
        int maxTokensPerFrame,
        boolean includeLatents,
        FrameLimits frameLimits,
        NoiseFloorMode noiseFloor,
        double noiseMultiplier,
        double maxChangeThreshold,
        int maxLevels,
        int motionSearch)
        implements java.io.Serializable {

    public static final double DEFAULT_CHANGE_THRESHOLD = 4.0;
    public static final int DEFAULT_REFERENCE_BLOCK = 4;
    public static final double DEFAULT_LATENT_THRESHOLD = 0.02;
    public static final int DEFAULT_TABLE_CAPACITY = 512;
    public static final double DEFAULT_MERGE_DISTANCE = 0.12;
    public static final double DEFAULT_SCENE_CUT_FRACTION = 0.5;
    public static final int DEFAULT_MAX_KEYFRAME_INTERVAL = 250;
    public static final double DEFAULT_ERROR_BUDGET = 0.0;
    public static final double DEFAULT_ERROR_BUDGET_RATIO = 0.18;
    public static final double DEFAULT_KEYFRAME_ERROR_BOUND = 0.004;
    public static final int DEFAULT_MAX_TOKENS_PER_FRAME = 384;
    public static final NoiseFloorMode DEFAULT_NOISE_FLOOR = NoiseFloorMode.ADAPTIVE;
    public static final double DEFAULT_NOISE_MULTIPLIER = 3.0;
    public static final double DEFAULT_MAX_CHANGE_THRESHOLD = 16.0;
    public static final int DEFAULT_MAX_LEVELS = 0;
    public static final int DEFAULT_MOTION_SEARCH = 32;

    public TokenizerSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(frameLimits, "frameLimits");
        Objects.requireNonNull(noiseFloor, "noiseFloor");
        check("changeThreshold", changeThreshold, 0, 255);
        if (referenceBlock < 1 || referenceBlock > 64) {
            throw new IllegalArgumentException(
                    "referenceBlock must be in [1, 64], got " + referenceBlock);
        }
        check("latentThreshold", latentThreshold, 0, 10);
        if (tableCapacity < 1 || tableCapacity > (1 << 20)) {
            throw new IllegalArgumentException(
                    "tableCapacity must be in [1, 1048576], got " + tableCapacity);
        }
        check("mergeDistance", mergeDistance, 0, 1);
        if (!(sceneCutFraction > 0 && sceneCutFraction <= 1)) {
            throw new IllegalArgumentException(
                    "sceneCutFraction must be in (0, 1], got " + sceneCutFraction);
        }
        if (maxKeyframeInterval < 1 || maxKeyframeInterval > 10_000_000) {
            throw new IllegalArgumentException(
                    "maxKeyframeInterval must be in [1, 10000000] frames, got "
                            + maxKeyframeInterval);
        }
        check("errorBudget", errorBudget, 0, 1);
        check("errorBudgetRatio", errorBudgetRatio, 0, 10);
        check("keyframeErrorBound", keyframeErrorBound, 0, 1);
        if (maxTokensPerFrame < 1 || maxTokensPerFrame > (1 << 24)) {
            throw new IllegalArgumentException(
                    "maxTokensPerFrame must be in [1, 16777216], got " + maxTokensPerFrame);
        }
        check("noiseMultiplier", noiseMultiplier, 1, 100);
        check("maxChangeThreshold", maxChangeThreshold, 0, 255);
        if (maxLevels < 0 || maxLevels > 64) {
            throw new IllegalArgumentException(
                    "maxLevels must be in [0, 64] (0 = every level), got " + maxLevels);
        }
        if (motionSearch < 0 || motionSearch > 256) {
            throw new IllegalArgumentException(
                    "motionSearch must be in [0, 256] pixels (0 = no global motion), got "
                            + motionSearch);
        }
    }

    private static void check(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /**
     * The bound these settings declare on a frame's mean excess error: the mean over patches of the
     * consumer's reconstruction MSE minus that of the full-level tokenisation of the same frame
     * (pixels in [0, 1]). It is the per-patch budget, or the escalation bound when the token cap
     * defers changes, plus the largest squared drift the noise floor lets pass unseen (at the
     * highest change threshold a camera may reach: {@link #highestChangeThreshold()}).
     */
    public double declaredErrorBound() {
        return declaredErrorBound(1.0);
    }

    /**
     * The declared bound when the budget is shrunk to {@code budgetScale} of its full size, (0, 1]:
     * the error budget and escalation bound are divided by it, so the bound grows by its inverse
     * (the noise floor stays).
     */
    public double declaredErrorBound(double budgetScale) {
        return declaredErrorBound(budgetScale, 0);
    }

    /**
     * The declared bound of a frame whose full-level tokenisation has mean squared error {@code
     * fullError} (pixels in [0, 1]): {@link #declaredErrorBound(double)} plus {@code
     * errorBudgetRatio} times that error, scaled like the budget.
     */
    public double declaredErrorBound(double budgetScale, double fullError) {
        if (!(budgetScale > 0 && budgetScale <= 1)) {
            throw new IllegalArgumentException("budgetScale must be in (0, 1], got " + budgetScale);
        }
        double floor = highestChangeThreshold() / 255.0;
        return (Math.max(errorBudget, keyframeErrorBound) + errorBudgetRatio * fullError)
                        / budgetScale
                + floor * floor;
    }

    /**
     * The excess error a patch whose full-level error is {@code bestError} may be left with, at
     * {@code budgetScale} of the full budget: {@code (errorBudget + errorBudgetRatio * bestError) /
     * budgetScale}.
     */
    public double patchBudget(double bestError, double budgetScale) {
        return (errorBudget + errorBudgetRatio * Math.max(0, bestError)) / budgetScale;
    }

    /**
     * The highest change threshold a camera may use: {@code maxChangeThreshold} with an adaptive
     * noise floor, {@code changeThreshold} with a fixed one.
     */
    public double highestChangeThreshold() {
        return noiseFloor == NoiseFloorMode.ADAPTIVE
                ? Math.max(changeThreshold, maxChangeThreshold)
                : changeThreshold;
    }

    /**
     * The change threshold of a camera whose estimated noise level is {@code noiseLevel} (8-bit
     * levels; negative when not yet estimated): with an adaptive noise floor {@code noiseMultiplier
     * * noiseLevel} clamped to [{@code changeThreshold}, {@code maxChangeThreshold}], else {@code
     * changeThreshold}.
     */
    public double changeThresholdFor(double noiseLevel) {
        if (noiseFloor == NoiseFloorMode.FIXED || !(noiseLevel > 0)) {
            return changeThreshold;
        }
        return Math.max(
                changeThreshold, Math.min(maxChangeThreshold, noiseMultiplier * noiseLevel));
    }

    /** The residual levels a patch may get from a model with {@code modelLevels} of them. */
    public int levelsFor(int modelLevels) {
        return maxLevels == 0 ? modelLevels : Math.min(maxLevels, modelLevels);
    }

    /** The token cap of a DELTA at {@code budgetScale} of the full budget: at least 1. */
    public int maxTokensPerFrame(double budgetScale) {
        return Math.max(1, (int) Math.floor(maxTokensPerFrame * budgetScale));
    }

    public static TokenizerSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .mode(mode)
                .changeThreshold(changeThreshold)
                .referenceBlock(referenceBlock)
                .latentThreshold(latentThreshold)
                .tableCapacity(tableCapacity)
                .mergeDistance(mergeDistance)
                .sceneCutFraction(sceneCutFraction)
                .maxKeyframeInterval(maxKeyframeInterval)
                .errorBudget(errorBudget)
                .errorBudgetRatio(errorBudgetRatio)
                .keyframeErrorBound(keyframeErrorBound)
                .maxTokensPerFrame(maxTokensPerFrame)
                .includeLatents(includeLatents)
                .frameLimits(frameLimits)
                .noiseFloor(noiseFloor)
                .noiseMultiplier(noiseMultiplier)
                .maxChangeThreshold(maxChangeThreshold)
                .maxLevels(maxLevels)
                .motionSearch(motionSearch);
    }

    public TokenizerSettings withMode(TokenizerMode newMode) {
        return toBuilder().mode(newMode).build();
    }

    /** Mutable builder starting from the defaults; {@link #build()} validates. */
    public static final class Builder {
        private TokenizerMode mode = TokenizerMode.DELTA;
        private double changeThreshold = DEFAULT_CHANGE_THRESHOLD;
        private int referenceBlock = DEFAULT_REFERENCE_BLOCK;
        private double latentThreshold = DEFAULT_LATENT_THRESHOLD;
        private int tableCapacity = DEFAULT_TABLE_CAPACITY;
        private double mergeDistance = DEFAULT_MERGE_DISTANCE;
        private double sceneCutFraction = DEFAULT_SCENE_CUT_FRACTION;
        private int maxKeyframeInterval = DEFAULT_MAX_KEYFRAME_INTERVAL;
        private double errorBudget = DEFAULT_ERROR_BUDGET;
        private double errorBudgetRatio = DEFAULT_ERROR_BUDGET_RATIO;
        private double keyframeErrorBound = DEFAULT_KEYFRAME_ERROR_BOUND;
        private int maxTokensPerFrame = DEFAULT_MAX_TOKENS_PER_FRAME;
        private boolean includeLatents = false;
        private FrameLimits frameLimits = FrameLimits.defaults();
        private NoiseFloorMode noiseFloor = DEFAULT_NOISE_FLOOR;
        private double noiseMultiplier = DEFAULT_NOISE_MULTIPLIER;
        private double maxChangeThreshold = DEFAULT_MAX_CHANGE_THRESHOLD;
        private int maxLevels = DEFAULT_MAX_LEVELS;
        private int motionSearch = DEFAULT_MOTION_SEARCH;

        private Builder() {}

        public Builder mode(TokenizerMode v) {
            mode = v;
            return this;
        }

        public Builder changeThreshold(double v) {
            changeThreshold = v;
            return this;
        }

        public Builder referenceBlock(int v) {
            referenceBlock = v;
            return this;
        }

        public Builder latentThreshold(double v) {
            latentThreshold = v;
            return this;
        }

        public Builder tableCapacity(int v) {
            tableCapacity = v;
            return this;
        }

        public Builder mergeDistance(double v) {
            mergeDistance = v;
            return this;
        }

        public Builder sceneCutFraction(double v) {
            sceneCutFraction = v;
            return this;
        }

        public Builder maxKeyframeInterval(int v) {
            maxKeyframeInterval = v;
            return this;
        }

        public Builder errorBudget(double v) {
            errorBudget = v;
            return this;
        }

        public Builder errorBudgetRatio(double v) {
            errorBudgetRatio = v;
            return this;
        }

        public Builder keyframeErrorBound(double v) {
            keyframeErrorBound = v;
            return this;
        }

        public Builder maxTokensPerFrame(int v) {
            maxTokensPerFrame = v;
            return this;
        }

        public Builder includeLatents(boolean v) {
            includeLatents = v;
            return this;
        }

        public Builder frameLimits(FrameLimits v) {
            frameLimits = v;
            return this;
        }

        public Builder noiseFloor(NoiseFloorMode v) {
            noiseFloor = v;
            return this;
        }

        public Builder noiseMultiplier(double v) {
            noiseMultiplier = v;
            return this;
        }

        public Builder maxChangeThreshold(double v) {
            maxChangeThreshold = v;
            return this;
        }

        public Builder maxLevels(int v) {
            maxLevels = v;
            return this;
        }

        public Builder motionSearch(int v) {
            motionSearch = v;
            return this;
        }

        public TokenizerSettings build() {
            return new TokenizerSettings(
                    mode,
                    changeThreshold,
                    referenceBlock,
                    latentThreshold,
                    tableCapacity,
                    mergeDistance,
                    sceneCutFraction,
                    maxKeyframeInterval,
                    errorBudget,
                    errorBudgetRatio,
                    keyframeErrorBound,
                    maxTokensPerFrame,
                    includeLatents,
                    frameLimits,
                    noiseFloor,
                    noiseMultiplier,
                    maxChangeThreshold,
                    maxLevels,
                    motionSearch);
        }
    }
}
