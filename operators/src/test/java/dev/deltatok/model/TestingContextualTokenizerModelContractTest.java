package dev.deltatok.model;

/** The {@link TokenizerModel} contract, held by a model that is not patch-local. */
class TestingContextualTokenizerModelContractTest extends TokenizerModelContractTest {

    @Override
    protected TokenizerModel createModel() {
        return TestingContextualTokenizerModel.standard();
    }
}
