package dev.deltatok.reference;

/**
 * How the picture a consumer holds moves for one frame (global motion): the key map, the reference
 * and the per-position bookkeeping move by whole patches ({@code shiftRows}, {@code shiftCols}
 * positions), and what is left below a patch stays as a pixel offset at which the consumer shows
 * the decoded grid ({@code offsetX}, {@code offsetY}, each in {@code (-patchSize/2, patchSize/2]}).
 *
 * <p>Conventions: the slot at position {@code (r, c)} moves to {@code (r + shiftRows, c +
 * shiftCols)}; positions left uncovered keep the slot of the nearest position that was on the grid.
 * The displayed pixel {@code (x, y)} is the decoded grid's pixel {@code (x - offsetX, y -
 * offsetY)}, clamped to the grid: content moved right and down by the offset.
 */
public record PictureMotion(int shiftRows, int shiftCols, int offsetX, int offsetY) {

    /** No motion: the picture stays where it is, at no offset. */
    public static final PictureMotion NONE = new PictureMotion(0, 0, 0, 0);

    /**
     * The motion that shows the grid at a total pixel offset {@code (totalX, totalY)} from where
     * the key map now sits: whole patches move the key map, the remainder (nearest patch, halves
     * toward the smaller shift) stays as the offset.
     */
    public static PictureMotion toOffset(int totalX, int totalY, int patchSize) {
        int cols = wholePatches(totalX, patchSize);
        int rows = wholePatches(totalY, patchSize);
        return new PictureMotion(rows, cols, totalX - cols * patchSize, totalY - rows * patchSize);
    }

    /**
     * Patches {@code k} with {@code total - k * patchSize} in {@code (-patchSize/2, patchSize/2]}.
     */
    static int wholePatches(int total, int patchSize) {
        int half = patchSize / 2;
        return Math.floorDiv(total - half + patchSize - 1, patchSize);
    }

    /** Whether the key map moves. */
    public boolean shifted() {
        return shiftRows != 0 || shiftCols != 0;
    }

    /** Whether the picture is anywhere but where the key map puts it: shifted or offset. */
    public boolean moved() {
        return shifted() || offsetX != 0 || offsetY != 0;
    }

    /**
     * The grid position whose content lands on {@code position} after the key map moves: {@code (r
     * - shiftRows, c - shiftCols)}, clamped to the grid.
     */
    public int source(int position, int gridRows, int gridCols) {
        int r = position / gridCols;
        int c = position % gridCols;
        int sr = Math.max(0, Math.min(gridRows - 1, r - shiftRows));
        int sc = Math.max(0, Math.min(gridCols - 1, c - shiftCols));
        return sr * gridCols + sc;
    }
}
