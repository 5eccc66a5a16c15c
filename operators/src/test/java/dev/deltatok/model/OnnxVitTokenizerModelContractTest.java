package dev.deltatok.model;

/**
 * The {@link TokenizerModel} contract, held by the ONNX adapter running {@code vit8}: a ViT-style
 * encoder with self-attention over the patches of a frame, which declares {@code patchLocal:
 * false}.
 */
class OnnxVitTokenizerModelContractTest extends TokenizerModelContractTest {

    @Override
    protected TokenizerModel createModel() {
        return OnnxTokenizerModel.load(
                ModelFiles.classpath(getClass().getClassLoader(), "model/vit8"),
                "manifest.json",
                OnnxTokenizerModel.Options.DEFAULT);
    }
}
