package dev.deltatok.mirror;

import dev.deltatok.delta.KeyMapCodec;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.mirror.MirrorSyncException.Problem;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.reference.Registration;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.SlotUpsert;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import dev.deltatok.table.TokenTableView;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The consumer side of the delta stream: per camera, applies {@link TokenDelta}s in deltaSeq order
 * and holds exactly the token table and key map the tokenizer believes the consumer holds. No Flink
 * or Kafka dependency. A gap, duplicate or reordering is refused with a {@link
 * MirrorSyncException}; after a gap the camera resynchronises at its next KEYFRAME. A MOVED delta
 * (global motion) first moves the key map by its whole-patch shift, then applies as a DELTA, and
 * sets the pixel offset at which {@link #reconstruct} shows the picture.
 *
 * <p>Not thread-safe.
 */
public final class TokenMirror {

    /** Largest grid side (rows or columns) a keyframe may declare, as keyed state accepts. */
    public static final int MAX_GRID_SIDE = 1 << 14;

    /** Most token ids per slot (residual levels) a keyframe may declare. */
    public static final int MAX_LEVELS = 1 << 8;

    /**
     * Most token ids a keyframe's grid may hold (positions times levels): {@link Camera#tokenGrid}
     * lays them out in one array.
     */
    public static final int MAX_GRID_TOKENS = 1 << 24;

    /** Largest pixel offset (global motion) a MOVED delta may declare. */
    public static final int MAX_OFFSET = 1 << 12;

    private final Map<String, Camera> cameras = new HashMap<>();

    /** What is held for one camera. */
    public static final class Camera {
        private final String cameraId;
        private final TreeMap<Integer, int[]> table = new TreeMap<>();
        private int[] keyMap = new int[0];
        private int gridRows;
        private int gridCols;
        private int levels;
        private String modelId;
        private long lastApplied = -1;
        private boolean synced;
        private long lastFrameSeq = -1;
        private long skippedDeltas;
        private int offsetX;
        private int offsetY;

        private Camera(String cameraId) {
            this.cameraId = cameraId;
        }

        public String cameraId() {
            return cameraId;
        }

        /** Whether a keyframe was applied and no gap seen since. */
        public boolean synced() {
            return synced;
        }

        /** deltaSeq of the last applied delta, -1 before any. */
        public long lastAppliedSeq() {
            return lastApplied;
        }

        public long lastFrameSeq() {
            return lastFrameSeq;
        }

        /**
         * Deltas never applied because a later KEYFRAME superseded them (lost before a keyframe, or
         * skipped while waiting for one); harmless, since a keyframe carries everything.
         */
        public long skippedDeltas() {
            return skippedDeltas;
        }

        public int gridRows() {
            return gridRows;
        }

        public int gridCols() {
            return gridCols;
        }

        public int levels() {
            return levels;
        }

        public String modelId() {
            return modelId;
        }

        /**
         * The pixel offset at which the decoded grid is shown (global motion, set by MOVED deltas):
         * displayed pixel {@code (x, y)} is the grid's {@code (x - offsetX, y - offsetY)}, clamped
         * to the grid; 0 after a KEYFRAME or a DELTA.
         */
        public int offsetX() {
            return offsetX;
        }

        /** See {@link #offsetX()}. */
        public int offsetY() {
            return offsetY;
        }

        /** Slot per grid position (a copy). */
        public int[] keyMap() {
            return keyMap.clone();
        }

        /** Live slots and their token ids (unmodifiable; arrays are live, do not modify). */
        public Map<Integer, int[]> table() {
            return Collections.unmodifiableMap(table);
        }

        /** Token ids per position, layout {@code [N, L]} padded with 0, and levels per position. */
        public int[] tokenGrid(int[] levelsUsed) {
            int[] out = new int[keyMap.length * levels];
            for (int p = 0; p < keyMap.length; p++) {
                int[] ids = table.get(keyMap[p]);
                System.arraycopy(ids, 0, out, p * levels, ids.length);
                levelsUsed[p] = ids.length;
            }
            return out;
        }
    }

    /**
     * Applies one delta.
     *
     * @throws MirrorSyncException if it does not follow what is held
     */
    public Camera apply(TokenDelta delta) {
        String id = delta.getCameraId();
        Camera cam = cameras.computeIfAbsent(id, Camera::new);
        long seq = delta.getDeltaSeq();
        boolean keyframe = delta.getKind() == DeltaKind.KEYFRAME;
        if (seq < 0) {
            // deltaSeq counts from 0; a negative one would also pass for "nothing applied yet"
            throw new MirrorSyncException(
                    Problem.CORRUPT,
                    id,
                    cam.synced ? cam.lastApplied + 1 : -1,
                    seq,
                    "camera '" + id + "': negative deltaSeq " + seq);
        }
        if (cam.lastApplied >= 0 && seq == cam.lastApplied) {
            throw new MirrorSyncException(
                    Problem.DUPLICATE,
                    id,
                    cam.synced ? cam.lastApplied + 1 : -1,
                    seq,
                    "camera '" + id + "': duplicate delta " + seq + " (already applied)");
        }
        if (cam.lastApplied >= 0 && seq < cam.lastApplied) {
            throw new MirrorSyncException(
                    Problem.REORDERED,
                    id,
                    cam.synced ? cam.lastApplied + 1 : -1,
                    seq,
                    "camera '"
                            + id
                            + "': delta "
                            + seq
                            + " arrived after delta "
                            + cam.lastApplied
                            + " (out of order)");
        }
        if (!keyframe) {
            if (!cam.synced) {
                throw new MirrorSyncException(
                        Problem.NOT_SYNCED,
                        id,
                        -1,
                        seq,
                        "camera '"
                                + id
                                + "': delta "
                                + seq
                                + " cannot be applied before a keyframe; waiting for one");
            }
            if (seq != cam.lastApplied + 1) {
                long expected = cam.lastApplied + 1;
                cam.synced = false;
                cam.lastApplied = seq;
                throw new MirrorSyncException(
                        Problem.GAP,
                        id,
                        expected,
                        seq,
                        "camera '"
                                + id
                                + "': expected delta "
                                + expected
                                + " but got "
                                + seq
                                + "; "
                                + (seq - expected)
                                + " missing, resynchronising at the next keyframe");
            }
        }
        try {
            if (keyframe) {
                applyKeyframe(cam, delta);
                if (cam.lastApplied >= 0 && seq > cam.lastApplied + 1) {
                    cam.skippedDeltas += seq - cam.lastApplied - 1;
                }
            } else {
                applyDelta(cam, delta);
            }
        } catch (IllegalArgumentException e) {
            cam.synced = false;
            cam.lastApplied = seq;
            throw new MirrorSyncException(
                    Problem.CORRUPT,
                    id,
                    -1,
                    seq,
                    "camera '" + id + "': delta " + seq + " does not fit: " + e.getMessage());
        }
        cam.lastApplied = seq;
        cam.lastFrameSeq = delta.getFrameSeq();
        cam.synced = true;
        return cam;
    }

    private static void applyKeyframe(Camera cam, TokenDelta delta) {
        int rows = delta.getGridRows();
        int cols = delta.getGridCols();
        int levels = delta.getLevels();
        if (rows <= 0
                || cols <= 0
                || levels <= 0
                || rows > MAX_GRID_SIDE
                || cols > MAX_GRID_SIDE
                || levels > MAX_LEVELS
                || (long) rows * cols * levels > MAX_GRID_TOKENS) {
            throw new IllegalArgumentException(
                    "grid "
                            + rows
                            + "x"
                            + cols
                            + " with "
                            + levels
                            + " levels: expected 1 to "
                            + MAX_GRID_SIDE
                            + " a side, 1 to "
                            + MAX_LEVELS
                            + " levels and at most "
                            + MAX_GRID_TOKENS
                            + " token ids in all");
        }
        TreeMap<Integer, int[]> table = new TreeMap<>();
        putUpserts(table, delta.getUpserts(), delta.getLevels());
        checkMotion(delta, rows, cols);
        KeyMapCodec.Updates updates = KeyMapCodec.decode(delta.getKeyMap(), rows * cols);
        if (updates.count() != rows * cols) {
            throw new IllegalArgumentException(
                    "keyframe lists " + updates.count() + " of " + rows * cols + " positions");
        }
        for (int slot : updates.slots()) {
            if (!table.containsKey(slot)) {
                throw new IllegalArgumentException("key map refers to unknown slot " + slot);
            }
        }
        cam.table.clear();
        cam.table.putAll(table);
        cam.keyMap = updates.slots().clone();
        cam.gridRows = rows;
        cam.gridCols = cols;
        cam.levels = delta.getLevels();
        cam.modelId = delta.getModelId();
        cam.offsetX = 0;
        cam.offsetY = 0;
    }

    /**
     * A KEYFRAME or DELTA carries no motion; a MOVED delta moves by less than the grid and shows
     * the picture within a patch of where the key map puts it.
     */
    private static void checkMotion(TokenDelta delta, int rows, int cols) {
        int sr = delta.getShiftRows();
        int sc = delta.getShiftCols();
        int ox = delta.getOffsetX();
        int oy = delta.getOffsetY();
        if (delta.getKind() != DeltaKind.MOVED) {
            if (sr != 0 || sc != 0 || ox != 0 || oy != 0) {
                throw new IllegalArgumentException(
                        delta.getKind()
                                + " with motion (shift "
                                + sr
                                + ", "
                                + sc
                                + ", offset "
                                + ox
                                + ", "
                                + oy
                                + "): only a MOVED delta may move the picture");
            }
            return;
        }
        if (Math.abs(sr) >= rows
                || Math.abs(sc) >= cols
                || Math.abs(ox) > MAX_OFFSET
                || Math.abs(oy) > MAX_OFFSET) {
            throw new IllegalArgumentException(
                    "MOVED by "
                            + sr
                            + " rows, "
                            + sc
                            + " columns, offset "
                            + ox
                            + ", "
                            + oy
                            + ": expected a shift within the "
                            + rows
                            + "x"
                            + cols
                            + " grid and an offset of at most "
                            + MAX_OFFSET
                            + " pixels");
        }
    }

    /** The key map after a MOVED delta's shift ({@code TokenDelta.shiftRows} documents it). */
    static int[] shifted(int[] keyMap, int rows, int cols, int shiftRows, int shiftCols) {
        int[] out = new int[keyMap.length];
        for (int r = 0; r < rows; r++) {
            int sr = Math.max(0, Math.min(rows - 1, r - shiftRows));
            for (int c = 0; c < cols; c++) {
                int sc = Math.max(0, Math.min(cols - 1, c - shiftCols));
                out[r * cols + c] = keyMap[sr * cols + sc];
            }
        }
        return out;
    }

    private static void applyDelta(Camera cam, TokenDelta delta) {
        if (delta.getGridRows() != cam.gridRows
                || delta.getGridCols() != cam.gridCols
                || delta.getLevels() != cam.levels
                || !delta.getModelId().equals(cam.modelId)) {
            throw new IllegalArgumentException(
                    "shape or model changed without a keyframe: " + delta.getModelId());
        }
        KeyMapCodec.Updates updates =
                KeyMapCodec.decode(delta.getKeyMap(), cam.gridRows * cam.gridCols);
        TreeMap<Integer, int[]> table = new TreeMap<>(cam.table);
        for (int slot : delta.getEvictions()) {
            if (table.remove(slot) == null) {
                throw new IllegalArgumentException("eviction of unknown slot " + slot);
            }
        }
        putUpserts(table, delta.getUpserts(), cam.levels);
        checkMotion(delta, cam.gridRows, cam.gridCols);
        int[] keyMap =
                shifted(
                        cam.keyMap,
                        cam.gridRows,
                        cam.gridCols,
                        delta.getShiftRows(),
                        delta.getShiftCols());
        for (int i = 0; i < updates.count(); i++) {
            keyMap[updates.positions()[i]] = updates.slots()[i];
        }
        for (int p = 0; p < keyMap.length; p++) {
            if (!table.containsKey(keyMap[p])) {
                throw new IllegalArgumentException(
                        "position " + p + " refers to slot " + keyMap[p] + " that is not held");
            }
        }
        cam.table.clear();
        cam.table.putAll(table);
        cam.keyMap = keyMap;
        cam.offsetX = delta.getOffsetX();
        cam.offsetY = delta.getOffsetY();
    }

    private static void putUpserts(
            Map<Integer, int[]> table, List<SlotUpsert> upserts, int levels) {
        for (SlotUpsert u : upserts) {
            List<Integer> ids = u.getTokens();
            if (u.getSlot() < 0 || ids.isEmpty() || ids.size() > levels) {
                throw new IllegalArgumentException(
                        "upsert of slot " + u.getSlot() + " with " + ids.size() + " tokens");
            }
            int[] tokens = new int[ids.size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = ids.get(i);
            }
            table.put(u.getSlot(), tokens);
        }
    }

    public Optional<Camera> camera(String cameraId) {
        return Optional.ofNullable(cameras.get(cameraId));
    }

    public Set<String> cameraIds() {
        return Collections.unmodifiableSet(cameras.keySet());
    }

    /** Forgets a camera. */
    public void remove(String cameraId) {
        cameras.remove(cameraId);
    }

    /**
     * Decodes the picture held for a camera with the model's decoder.
     *
     * @throws IllegalStateException if the camera is unknown or not in sync, or the model does not
     *     match the held tokens
     */
    public RgbImage reconstruct(String cameraId, TokenizerModel model) {
        Camera cam = cameras.get(cameraId);
        if (cam == null || !cam.synced) {
            throw new IllegalStateException("camera '" + cameraId + "' holds no synced picture");
        }
        ModelSpec spec = model.spec();
        if (!spec.modelId().equals(cam.modelId)
                || spec.gridRows() != cam.gridRows
                || spec.gridCols() != cam.gridCols
                || spec.levels() != cam.levels) {
            throw new IllegalStateException(
                    "camera '"
                            + cameraId
                            + "' holds tokens of "
                            + cam.modelId
                            + " on a "
                            + cam.gridRows
                            + "x"
                            + cam.gridCols
                            + " grid, not of "
                            + spec.modelId());
        }
        int positions = cam.keyMap.length;
        int[] levelsUsed = new int[positions];
        int[] tokens = cam.tokenGrid(levelsUsed);
        return Registration.show(model.decodeFrame(tokens, levelsUsed), cam.offsetX, cam.offsetY);
    }

    /**
     * Whether the mirror holds exactly what the tokenizer's state says the consumer holds: same key
     * map and the same token ids in every live slot. Empty when equal, else a description of the
     * first difference.
     */
    public Optional<String> difference(CameraState state) {
        Camera cam = cameras.get(state.cameraId());
        if (cam == null) {
            return Optional.of("camera '" + state.cameraId() + "' unknown to the mirror");
        }
        if (!Arrays.equals(cam.keyMap, state.keyMap())) {
            return Optional.of("key maps differ for camera '" + state.cameraId() + "'");
        }
        if (cam.offsetX != state.offsetX() || cam.offsetY != state.offsetY()) {
            return Optional.of(
                    "offsets differ for camera '"
                            + state.cameraId()
                            + "': mirror ("
                            + cam.offsetX
                            + ", "
                            + cam.offsetY
                            + "), operator ("
                            + state.offsetX()
                            + ", "
                            + state.offsetY()
                            + ")");
        }
        TokenTableView table = state.table();
        int[] live = table.liveSlots();
        if (live.length != cam.table.size()) {
            return Optional.of(
                    "table sizes differ: mirror " + cam.table.size() + ", operator " + live.length);
        }
        for (int slot : live) {
            int[] held = cam.table.get(slot);
            if (held == null || !Arrays.equals(held, table.tokens(slot))) {
                return Optional.of(
                        "slot "
                                + slot
                                + ": mirror "
                                + Arrays.toString(held)
                                + ", operator "
                                + Arrays.toString(table.tokens(slot)));
            }
        }
        return Optional.empty();
    }

    /** {@link #difference} is empty. */
    public boolean matches(CameraState state) {
        return difference(state).isEmpty();
    }
}
