package dev.deltatok.flink;

import dev.deltatok.model.OnnxTokenizerModel.ExecutionProvider;

/** The {@link ModelFactory} contract, held by the ONNX factory opening the default model. */
class OnnxModelFactoryContractTest extends ModelFactoryContractTest {

    @Override
    protected ModelFactory createFactory() {
        return new OnnxModelFactory(null, 1, ExecutionProvider.CPU);
    }

    @Override
    protected ModelFactory createOtherFactory() {
        return new OnnxModelFactory(null, 2, ExecutionProvider.CPU);
    }
}
