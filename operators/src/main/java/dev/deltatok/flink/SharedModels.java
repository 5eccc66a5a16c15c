package dev.deltatok.flink;

import dev.deltatok.frame.RgbImage;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TokenizerModel;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model instance per JVM and cache key, shared by every slot of a TaskManager: ONNX sessions
 * are thread-safe and hold the weights once. Reference counted: the model is closed when the last
 * operator using it closes.
 */
public final class SharedModels {

    private static final Logger LOG = LoggerFactory.getLogger(SharedModels.class);
    private static final Map<String, Entry> MODELS = new HashMap<>();

    private SharedModels() {}

    /** Opens the model or joins the open one; close the returned lease in {@code close()}. */
    public static synchronized Lease acquire(ModelFactory factory) {
        Entry entry = MODELS.get(factory.cacheKey());
        if (entry == null) {
            entry = new Entry(factory.open());
            MODELS.put(factory.cacheKey(), entry);
            LOG.info("opened model {} ({})", entry.model.spec().modelId(), factory.cacheKey());
        }
        entry.references++;
        return new Lease(factory.cacheKey(), entry.model);
    }

    /** Number of distinct open models in this JVM (for tests). */
    public static synchronized int openModels() {
        return MODELS.size();
    }

    private static synchronized void release(String key) {
        Entry entry = MODELS.get(key);
        if (entry != null && --entry.references == 0) {
            MODELS.remove(key);
            entry.model.close();
            LOG.info("closed model {}", entry.model.spec().modelId());
        }
    }

    private static final class Entry {
        final TokenizerModel model;
        int references;

        Entry(TokenizerModel model) {
            this.model = model;
        }
    }

    /** A use of a shared model; closing it releases, not closes, the model. */
    public static final class Lease implements TokenizerModel {
        private final String key;
        private final TokenizerModel model;
        private boolean released;

        private Lease(String key, TokenizerModel model) {
            this.key = key;
            this.model = model;
        }

        @Override
        public ModelSpec spec() {
            return model.spec();
        }

        @Override
        public EncodedPatches encode(float[] patches, int count) {
            return model.encode(patches, count);
        }

        @Override
        public float[] decode(int[] tokens, int[] levelsUsed, int count) {
            return model.decode(tokens, levelsUsed, count);
        }

        @Override
        public RgbImage decodeFrame(int[] tokens, int[] levelsUsed) {
            return model.decodeFrame(tokens, levelsUsed);
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                release(key);
            }
        }
    }
}
