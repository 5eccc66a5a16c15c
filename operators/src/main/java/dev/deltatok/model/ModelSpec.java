package dev.deltatok.model;

/**
 * What a tokenizer model is: its identity and the shapes it works in.
 *
 * @param id model id from the manifest
 * @param version model version from the manifest
 * @param patchSize side of a square patch in pixels (P)
 * @param channels colour channels (C), 3 for RGB
 * @param frameWidth width frames are normalised to before patching; a multiple of patchSize
 * @param frameHeight height frames are normalised to; a multiple of patchSize
 * @param latentDim floats per patch latent
 * @param levels residual quantiser levels (token ids per patch)
 * @param codebookSize entries per level's codebook (K); token ids are in [0, K)
 * @param patchLocal whether each patch's tokens depend on that patch alone (enables skip-encode)
 */
public record ModelSpec(
        String id,
        String version,
        int patchSize,
        int channels,
        int frameWidth,
        int frameHeight,
        int latentDim,
        int levels,
        int codebookSize,
        boolean patchLocal) {

    public ModelSpec {
        if (patchSize <= 0 || channels <= 0 || latentDim <= 0 || levels <= 0 || codebookSize <= 0) {
            throw new IllegalArgumentException("model dimensions must be positive: " + this);
        }
        if (frameWidth <= 0
                || frameWidth % patchSize != 0
                || frameHeight <= 0
                || frameHeight % patchSize != 0) {
            throw new IllegalArgumentException(
                    "frame size "
                            + frameWidth
                            + "x"
                            + frameHeight
                            + " must be a positive multiple of the patch size "
                            + patchSize);
        }
    }

    /** The id carried in every TokenDelta: {@code id@version}. */
    public String modelId() {
        return id + "@" + version;
    }

    public int gridRows() {
        return frameHeight / patchSize;
    }

    public int gridCols() {
        return frameWidth / patchSize;
    }

    public int patchesPerFrame() {
        return gridRows() * gridCols();
    }

    /** Floats in one patch: C * P * P. */
    public int patchValues() {
        return channels * patchSize * patchSize;
    }
}
