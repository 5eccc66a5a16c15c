package dev.deltatok.model;

/** The {@link TokenizerModel} contract, held by the ONNX adapter running the default model. */
class OnnxTokenizerModelContractTest extends TokenizerModelContractTest {

    @Override
    protected TokenizerModel createModel() {
        return OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
    }
}
