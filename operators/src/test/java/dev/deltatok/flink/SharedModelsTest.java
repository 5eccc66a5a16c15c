package dev.deltatok.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.TokenizerModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One model per JVM and factory, shared by every slot's operator, closed with the last user. */
class SharedModelsTest {

    private final ModelFactory factory = new TestingModelFactory(16, 64, 2);

    @Test
    void operatorsOfOneJvmShareOneModelUntilTheLastCloses() {
        SharedModels.Lease first = SharedModels.acquire(factory);
        SharedModels.Lease second = SharedModels.acquire(factory);
        assertThat(SharedModels.openModels()).isEqualTo(1);

        first.close();
        first.close(); // closing twice releases once
        assertThat(SharedModels.openModels()).isEqualTo(1);
        assertThat(encodeOne(second).count()).isEqualTo(1);

        second.close();
        assertThat(SharedModels.openModels()).isZero();
    }

    @Test
    void differentModelsAreNotShared() {
        try (SharedModels.Lease a = SharedModels.acquire(factory);
                SharedModels.Lease b = SharedModels.acquire(new TestingModelFactory(16, 64, 3))) {
            assertThat(SharedModels.openModels()).isEqualTo(2);
            assertThat(a.spec().levels()).isNotEqualTo(b.spec().levels());
        }
        assertThat(SharedModels.openModels()).isZero();
    }

    @Test
    void slotsEncodeConcurrentlyThroughOneModel() throws Exception {
        int slots = 4;
        List<SharedModels.Lease> leases = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            leases.add(SharedModels.acquire(factory));
        }
        EncodedPatches expected = encodeOne(leases.get(0));
        ExecutorService pool = Executors.newFixedThreadPool(slots);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (SharedModels.Lease lease : leases) {
                results.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < 200; i++) {
                                        EncodedPatches got = encodeOne(lease);
                                        if (!java.util.Arrays.equals(
                                                got.tokens(), expected.tokens())) {
                                            return false;
                                        }
                                    }
                                    return true;
                                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdown();
            leases.forEach(SharedModels.Lease::close);
        }
        assertThat(SharedModels.openModels()).isZero();
    }

    private static EncodedPatches encodeOne(TokenizerModel model) {
        float[] patch = new float[model.spec().patchValues()];
        for (int i = 0; i < patch.length; i++) {
            patch[i] = (i % 17) / 17f;
        }
        return model.encode(patch, 1);
    }
}
