package dev.deltatok.flink;

import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.model.TokenizerModel;
import java.util.concurrent.atomic.AtomicInteger;

/** Opens {@link TestingTokenizerModel}s of a given shape and counts encoder calls per JVM. */
public final class TestingModelFactory implements ModelFactory {
    private static final long serialVersionUID = 1L;

    /** Encoder calls made through models of this factory, across instances. */
    public static final AtomicInteger ENCODE_CALLS = new AtomicInteger();

    private final int patchSize;
    private final int frameSize;
    private final int levels;

    public TestingModelFactory(int patchSize, int frameSize, int levels) {
        this.patchSize = patchSize;
        this.frameSize = frameSize;
        this.levels = levels;
    }

    /** The shape of the default model: 16x16 patches, 256x256 frames, 4 levels. */
    public static TestingModelFactory standard() {
        return new TestingModelFactory(16, 256, 4);
    }

    @Override
    public String cacheKey() {
        return "testing:" + patchSize + ":" + frameSize + ":" + levels;
    }

    @Override
    public TokenizerModel open() {
        TestingTokenizerModel model =
                TestingTokenizerModel.create(patchSize, frameSize, frameSize, levels, 1024);
        return new TokenizerModel() {
            @Override
            public ModelSpec spec() {
                return model.spec();
            }

            @Override
            public EncodedPatches encode(float[] patches, int count) {
                ENCODE_CALLS.incrementAndGet();
                return model.encode(patches, count);
            }

            @Override
            public float[] decode(int[] tokens, int[] levelsUsed, int count) {
                return model.decode(tokens, levelsUsed, count);
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }
}
