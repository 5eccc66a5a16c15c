package dev.deltatok.job;

import dev.deltatok.flink.ModelFactory;
import dev.deltatok.flink.TestingModelFactory;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.model.TokenizerModel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The testing model made slow (so that a bounded job runs long enough to checkpoint and fail
 * mid-stream), optionally throwing once on its {@code failOnCall}-th encoder call in this JVM.
 */
final class SlowModelFactory implements ModelFactory {
    private static final long serialVersionUID = 1L;

    static final AtomicInteger CALLS = new AtomicInteger();
    static final AtomicInteger FAILURES = new AtomicInteger();

    private final long sleepMillis;
    private final int failOnCall;

    SlowModelFactory(long sleepMillis, int failOnCall) {
        this.sleepMillis = sleepMillis;
        this.failOnCall = failOnCall;
    }

    static void reset() {
        CALLS.set(0);
        FAILURES.set(0);
    }

    @Override
    public String cacheKey() {
        return "slow:" + sleepMillis + ":" + failOnCall;
    }

    @Override
    public TokenizerModel open() {
        TokenizerModel model = TestingModelFactory.standard().open();
        return new TokenizerModel() {
            @Override
            public ModelSpec spec() {
                return model.spec();
            }

            @Override
            public EncodedPatches encode(float[] patches, int count) {
                int call = CALLS.incrementAndGet();
                if (call == failOnCall) {
                    FAILURES.incrementAndGet();
                    throw new IllegalStateException("injected failure on encoder call " + call);
                }
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
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
