package dev.deltatok.eval;

import dev.deltatok.scene.SyntheticScenes;

/** The {@link FrameSource} contract, held by a built-in scene. */
class SyntheticFrameSourceContractTest extends FrameSourceContractTest {

    @Override
    protected FrameSource open(String cameraId) {
        return new SyntheticFrameSource(
                SyntheticScenes.create("corridor", SyntheticScenes.seedFor(cameraId), 64, 32),
                cameraId,
                expectedFrames());
    }

    @Override
    protected int expectedFrames() {
        return 6;
    }
}
