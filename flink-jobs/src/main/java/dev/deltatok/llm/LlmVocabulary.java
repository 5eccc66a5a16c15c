package dev.deltatok.llm;

import java.nio.charset.StandardCharsets;

/**
 * The token-id layout of deltatok's LLM records (documented in {@code docs/llm-format.md}).
 *
 * <p>With {@code L} residual levels, {@code K} codes per level and {@code P} grid positions:
 *
 * <pre>
 * [0, L*K)                 visual tokens: level l, code c is l*K + c
 * L*K + 0                  &lt;|window|&gt;     a camera window begins
 * L*K + 1                  &lt;|/window|&gt;    it ends
 * L*K + 2                  &lt;|frame|&gt;      a frame begins
 * L*K + 3                  &lt;|keyframe|&gt;   the tokenizer re-based its reference: full grid follows
 * L*K + 4                  &lt;|snapshot|&gt;   first frame of a window: full grid of what is held
 * L*K + 5                  &lt;|scene_cut|&gt;  after &lt;|keyframe|&gt;: it was a scene cut
 * L*K + 6                  <|shift|>  (then one <|pos_q|>: the grid moved as a whole)
 * L*K + 7                  reserved
 * POS  = L*K + 8           &lt;|pos_p|&gt;      P position tokens, p = row * cols + col
 * CAM  = POS + P           &lt;|cam_k|&gt;      CAMERAS camera tokens, k = FNV-1a(cameraId) mod CAMERAS
 * SUM  = CAM + CAMERAS     &lt;|sum_s|&gt;      SUMMARIES window-summary tokens (see WindowSummary)
 * size = SUM + SUMMARIES
 * </pre>
 */
public final class LlmVocabulary {

    public static final int CAMERAS = 256;
    public static final int SUMMARIES = WindowSummary.VALUES;
    static final int SPECIALS = 8;

    private final int levels;
    private final int codebookSize;
    private final int gridRows;
    private final int gridCols;

    public LlmVocabulary(int levels, int codebookSize, int gridRows, int gridCols) {
        if (levels < 1 || codebookSize < 1 || gridRows < 1 || gridCols < 1) {
            throw new IllegalArgumentException(
                    "levels, codebook size and grid must be positive, got "
                            + levels
                            + ", "
                            + codebookSize
                            + ", "
                            + gridRows
                            + "x"
                            + gridCols);
        }
        this.levels = levels;
        this.codebookSize = codebookSize;
        this.gridRows = gridRows;
        this.gridCols = gridCols;
    }

    public int levels() {
        return levels;
    }

    public int codebookSize() {
        return codebookSize;
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

    /** Visual tokens: {@code levels * codebookSize}. */
    public int visualSize() {
        return levels * codebookSize;
    }

    public int visual(int level, int code) {
        if (level < 0 || level >= levels || code < 0 || code >= codebookSize) {
            throw new IllegalArgumentException(
                    "no visual token for level " + level + ", code " + code);
        }
        return level * codebookSize + code;
    }

    public int window() {
        return visualSize();
    }

    public int windowEnd() {
        return visualSize() + 1;
    }

    public int frame() {
        return visualSize() + 2;
    }

    public int keyframe() {
        return visualSize() + 3;
    }

    public int snapshot() {
        return visualSize() + 4;
    }

    /** Follows {@link #keyframe()} when the tokenizer re-based because the scene cut. */
    public int sceneCut() {
        return visualSize() + 5;
    }

    /**
     * Global motion: the camera's picture moved as a whole by whole patches; one {@link #position}
     * token follows, naming where the centre position's content moved to ({@link #shiftTarget}).
     */
    public int shift() {
        return visualSize() + 6;
    }

    /**
     * The position that {@code <|shift|>}'s following token names for a move by {@code (shiftRows,
     * shiftCols)} positions: where the content of the centre position {@code (rows/2, cols/2)}
     * moved to.
     *
     * @throws IllegalArgumentException if the centre's content moved off the grid
     */
    public int shiftTarget(int shiftRows, int shiftCols) {
        int r = gridRows() / 2 + shiftRows;
        int c = gridCols() / 2 + shiftCols;
        if (r < 0 || r >= gridRows() || c < 0 || c >= gridCols()) {
            throw new IllegalArgumentException(
                    "a shift by "
                            + shiftRows
                            + ", "
                            + shiftCols
                            + " moves the centre off the grid");
        }
        return r * gridCols() + c;
    }

    public int position(int p) {
        if (p < 0 || p >= positions()) {
            throw new IllegalArgumentException(
                    "position " + p + " outside [0, " + positions() + ")");
        }
        return visualSize() + SPECIALS + p;
    }

    public int camera(String cameraId) {
        return cameraBase() + cameraIndex(cameraId);
    }

    public int summary(int value) {
        if (value < 0 || value >= SUMMARIES) {
            throw new IllegalArgumentException(
                    "summary " + value + " outside [0, " + SUMMARIES + ")");
        }
        return cameraBase() + CAMERAS + value;
    }

    /** First id after the visual tokens: the special tokens whose embeddings are learnt. */
    public int firstSpecial() {
        return visualSize();
    }

    public int size() {
        return cameraBase() + CAMERAS + SUMMARIES;
    }

    private int cameraBase() {
        return visualSize() + SPECIALS + positions();
    }

    /** FNV-1a (32 bit) of the UTF-8 camera id, mod {@link #CAMERAS}. */
    public static int cameraIndex(String cameraId) {
        int h = 0x811c9dc5;
        for (byte b : cameraId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return Integer.remainderUnsigned(h, CAMERAS);
    }

    /** A readable name: {@code v2:517}, {@code <|frame|>}, {@code <|pos_37|>}, ... */
    public String name(int token) {
        if (token < 0 || token >= size()) {
            throw new IllegalArgumentException("token " + token + " outside [0, " + size() + ")");
        }
        if (token < visualSize()) {
            return "v" + token / codebookSize + ":" + token % codebookSize;
        }
        int s = token - visualSize();
        if (s < SPECIALS) {
            return switch (s) {
                case 0 -> "<|window|>";
                case 1 -> "<|/window|>";
                case 2 -> "<|frame|>";
                case 3 -> "<|keyframe|>";
                case 4 -> "<|snapshot|>";
                case 5 -> "<|scene_cut|>";
                case 6 -> "<|shift|>";
                default -> "<|reserved_" + s + "|>";
            };
        }
        s -= SPECIALS;
        if (s < positions()) {
            return "<|pos_" + s + "|>";
        }
        s -= positions();
        if (s < CAMERAS) {
            return "<|cam_" + s + "|>";
        }
        return "<|sum_" + (s - CAMERAS) + "|>";
    }
}
