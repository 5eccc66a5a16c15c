package dev.deltatok.core;

import dev.deltatok.frame.RgbImage;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TokenizerModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The encoder's input for one batch round: the patches of several frames, converted from each
 * decoded image once into a reused float array, then moved with one bulk copy per frame into a
 * direct buffer in native order that ONNX Runtime reads in place (element-wise writes to a direct
 * buffer cost several times a bulk copy in a profile of the job). Owned by one {@link
 * TokenizerCore}; reused from round to round, grown when a round needs more. Not thread-safe.
 */
final class EncoderBatch {

    private final ModelSpec spec;
    private FloatBuffer buffer;
    private float[] scratch;
    private int count;
    private final DecodedPatchCache decoded;

    EncoderBatch(ModelSpec spec, int initialPatches) {
        this(spec, initialPatches, DecodedPatchCache.DEFAULT_ENTRIES);
    }

    EncoderBatch(ModelSpec spec, int initialPatches, int decodedPatches) {
        this.spec = spec;
        this.decoded = new DecodedPatchCache(spec, decodedPatches);
        this.buffer = allocate(Math.max(1, initialPatches) * spec.patchValues());
        this.scratch = new float[spec.patchesPerFrame() * spec.patchValues()];
    }

    /** Starts a new round. */
    void clear() {
        count = 0;
    }

    /** Patches in this round. */
    int count() {
        return count;
    }

    /**
     * Appends the patches of {@code image} at the given grid positions and returns the batch row of
     * the first of them.
     */
    int add(RgbImage image, int[] positions) {
        int values = spec.patchValues();
        ensureCapacity((count + positions.length) * values);
        int cols = spec.gridCols();
        for (int i = 0; i < positions.length; i++) {
            int p = positions[i];
            image.copyPatch(p / cols, p % cols, spec.patchSize(), scratch, i * values);
        }
        buffer.put(count * values, scratch, 0, positions.length * values);
        int first = count;
        count += positions.length;
        return first;
    }

    /** Runs the encoder over this round's patches; an empty round costs no encoder call. */
    EncodedPatches encode(TokenizerModel model) {
        if (count == 0) {
            return new EncodedPatches(
                    0, spec.levels(), spec.latentDim(), new int[0], new float[0], new float[0]);
        }
        return model.encode(buffer, count);
    }

    /**
     * The pixel error of this round's patches at {@code rows} decoded from other token ids, with
     * one decoder call: the {@link dev.deltatok.delta.PatchFit} of the round.
     */
    float[] errors(TokenizerModel model, int[] rows, int[][] tokens, int pairs) {
        float[] out = new float[pairs];
        if (pairs == 0) {
            return out;
        }
        int levels = spec.levels();
        long[] keys = new long[pairs];
        int[] entries = new int[pairs];
        int misses = 0;
        for (int i = 0; i < pairs; i++) {
            keys[i] = decoded.key(tokens[i], tokens[i].length);
            entries[i] = decoded.find(keys[i]);
            if (entries[i] < 0) {
                misses++;
            }
        }
        float[] fresh = null;
        if (misses > 0) {
            int[] ids = new int[misses * levels];
            int[] used = new int[misses];
            for (int i = 0, m = 0; i < pairs; i++) {
                if (entries[i] < 0) {
                    System.arraycopy(tokens[i], 0, ids, m * levels, tokens[i].length);
                    used[m++] = tokens[i].length;
                }
            }
            fresh = model.decode(ids, used, misses);
        }
        int values = spec.patchValues();
        for (int i = 0, m = 0; i < pairs; i++) {
            float[] from;
            int offset;
            if (entries[i] >= 0) {
                from = decoded.patches();
                offset = decoded.offset(entries[i]);
            } else {
                from = fresh;
                offset = m++ * values;
            }
            int base = rows[i] * values;
            double sum = 0;
            for (int v = 0; v < values; v++) {
                double d = from[offset + v] - buffer.get(base + v);
                sum += d * d;
            }
            out[i] = (float) (sum / values);
        }
        // stored only now: a new entry may take the place of one read above
        for (int i = 0, m = 0; i < pairs; i++) {
            if (entries[i] < 0) {
                decoded.put(keys[i], fresh, m++ * values);
            }
        }
        return out;
    }

    /** Decoded patches this batch reuses across rounds (for tests and metrics). */
    DecodedPatchCache decodedPatches() {
        return decoded;
    }

    private void ensureCapacity(int values) {
        if (values > buffer.capacity()) {
            FloatBuffer grown = allocate(Math.max(values, buffer.capacity() * 2));
            grown.put(0, buffer, 0, count * spec.patchValues());
            buffer = grown;
        }
    }

    private static FloatBuffer allocate(int values) {
        return ByteBuffer.allocateDirect(values * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }
}
