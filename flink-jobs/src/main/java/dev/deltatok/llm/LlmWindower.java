package dev.deltatok.llm;

import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.TokenDelta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Cuts each camera's mirrored token stream into windows of {@code framesPerWindow} frames and turns
 * each into an {@link LlmRecord}. Feed it every delta after the {@link TokenMirror} applied it. A
 * window starts with a {@code <|snapshot|>} of the whole grid held (so each record stands alone);
 * later frames list only the positions whose token ids changed, which covers key-map updates and
 * upserts of slots that several positions share. Pure; not thread-safe.
 */
public final class LlmWindower {

    private final int framesPerWindow;
    private final int codebookSize;
    private final Map<String, Window> windows = new HashMap<>();

    /**
     * @param framesPerWindow frames per camera in one record
     * @param codebookSize codes per residual level of the model (deltas do not carry it)
     */
    public LlmWindower(int framesPerWindow, int codebookSize) {
        if (framesPerWindow < 1) {
            throw new IllegalArgumentException(
                    "frames per window must be >= 1, got " + framesPerWindow);
        }
        if (codebookSize < 1) {
            throw new IllegalArgumentException("codebook size must be >= 1, got " + codebookSize);
        }
        this.framesPerWindow = framesPerWindow;
        this.codebookSize = codebookSize;
    }

    /**
     * Adds the frame {@code delta} describes; {@code held} is the camera's mirror state after
     * applying it.
     *
     * @return the camera's window when this frame completed it
     */
    public Optional<LlmRecord> add(TokenDelta delta, TokenMirror.Camera held) {
        Window w = windows.get(held.cameraId());
        if (w == null || !w.fits(held)) {
            w = new Window(held, codebookSize);
            windows.put(held.cameraId(), w);
        }
        w.add(delta, held);
        if (w.frames == framesPerWindow) {
            windows.remove(held.cameraId());
            return Optional.of(w.build(held));
        }
        return Optional.empty();
    }

    /** Drops the camera's open window, e.g. after a gap: the next one starts at its next frame. */
    public void reset(String cameraId) {
        windows.remove(cameraId);
    }

    /** Closes every open window that holds at least one frame (e.g. at shutdown). */
    public List<LlmRecord> flush(Map<String, TokenMirror.Camera> held) {
        List<LlmRecord> out = new ArrayList<>();
        windows.forEach(
                (id, w) -> {
                    if (w.frames > 0 && held.containsKey(id)) {
                        out.add(w.build(held.get(id)));
                    }
                });
        windows.clear();
        return out;
    }

    /** The vocabulary of a camera's records. */
    public LlmVocabulary vocabulary(TokenMirror.Camera held) {
        return new LlmVocabulary(held.levels(), codebookSize, held.gridRows(), held.gridCols());
    }

    private static final class Window {
        final String cameraId;
        final int rows;
        final int cols;
        final int levels;
        final LlmVocabulary vocabulary;
        final List<Integer> tokens = new ArrayList<>();
        final int[] changesPerPosition;
        final List<Integer> changesPerFrame = new ArrayList<>();
        int[] grid;
        int[] used;
        int frames;
        long first = -1;
        long last = -1;
        boolean rebased;

        Window(TokenMirror.Camera held, int codebookSize) {
            this.cameraId = held.cameraId();
            this.rows = held.gridRows();
            this.cols = held.gridCols();
            this.levels = held.levels();
            this.vocabulary = new LlmVocabulary(levels, codebookSize, rows, cols);
            this.changesPerPosition = new int[rows * cols];
        }

        boolean fits(TokenMirror.Camera held) {
            return held.gridRows() == rows && held.gridCols() == cols && held.levels() == levels;
        }

        void add(TokenDelta delta, TokenMirror.Camera held) {
            int positions = rows * cols;
            int[] nowUsed = new int[positions];
            int[] now = held.tokenGrid(nowUsed);
            boolean keyframe = delta.getKind() == DeltaKind.KEYFRAME;
            if (frames == 0) {
                tokens.add(vocabulary.window());
                tokens.add(vocabulary.camera(cameraId));
                first = delta.getFrameSeq();
            }
            tokens.add(vocabulary.frame());
            boolean full = frames == 0 || keyframe;
            if (keyframe) {
                tokens.add(vocabulary.keyframe());
                if (delta.getStats().getKeyframeReason() == KeyframeReason.SCENE_CUT) {
                    tokens.add(vocabulary.sceneCut());
                }
                if (frames > 0) {
                    rebased = true;
                }
            } else if (frames == 0) {
                tokens.add(vocabulary.snapshot());
            }
            int shiftRows = delta.getShiftRows();
            int shiftCols = delta.getShiftCols();
            if (!full && (shiftRows != 0 || shiftCols != 0)) {
                // The whole picture moved: say so, and list only what differs after the move.
                tokens.add(vocabulary.shift());
                tokens.add(vocabulary.position(vocabulary.shiftTarget(shiftRows, shiftCols)));
                int[] movedGrid = new int[grid.length];
                int[] movedUsed = new int[used.length];
                for (int p = 0; p < positions; p++) {
                    int r = Math.max(0, Math.min(rows - 1, p / cols - shiftRows));
                    int c = Math.max(0, Math.min(cols - 1, p % cols - shiftCols));
                    int from = r * cols + c;
                    System.arraycopy(grid, from * levels, movedGrid, p * levels, levels);
                    movedUsed[p] = used[from];
                }
                grid = movedGrid;
                used = movedUsed;
            }
            int changed = 0;
            for (int p = 0; p < positions; p++) {
                boolean differs =
                        grid == null
                                || nowUsed[p] != used[p]
                                || !Arrays.equals(
                                        now,
                                        p * levels,
                                        p * levels + nowUsed[p],
                                        grid,
                                        p * levels,
                                        p * levels + used[p]);
                if (full || differs) {
                    tokens.add(vocabulary.position(p));
                    for (int l = 0; l < nowUsed[p]; l++) {
                        tokens.add(vocabulary.visual(l, now[p * levels + l]));
                    }
                }
                if (frames > 0 && differs) {
                    changesPerPosition[p]++;
                    changed++;
                }
            }
            if (frames > 0) {
                changesPerFrame.add(changed);
            }
            grid = now;
            used = nowUsed;
            last = delta.getFrameSeq();
            frames++;
        }

        LlmRecord build(TokenMirror.Camera held) {
            WindowSummary summary =
                    WindowSummary.of(
                            changesPerPosition,
                            rows,
                            cols,
                            changesPerFrame.stream().mapToInt(Integer::intValue).toArray(),
                            rebased);
            int summaryToken = vocabulary.summary(summary.value());
            int[] out = new int[tokens.size() + 2];
            for (int i = 0; i < tokens.size(); i++) {
                out[i] = tokens.get(i);
            }
            out[out.length - 2] = summaryToken;
            out[out.length - 1] = vocabulary.windowEnd();
            TreeMap<Integer, int[]> table = new TreeMap<>();
            held.table().forEach((slot, ids) -> table.put(slot, ids.clone()));
            return new LlmRecord(
                    cameraId,
                    held.modelId(),
                    first,
                    last,
                    frames,
                    out,
                    table,
                    held.keyMap(),
                    summary,
                    summaryToken);
        }
    }
}
