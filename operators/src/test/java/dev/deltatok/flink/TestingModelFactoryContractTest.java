package dev.deltatok.flink;

/** The {@link ModelFactory} contract, held by the factory of testing models. */
class TestingModelFactoryContractTest extends ModelFactoryContractTest {

    @Override
    protected ModelFactory createFactory() {
        return TestingModelFactory.standard();
    }

    @Override
    protected ModelFactory createOtherFactory() {
        return new TestingModelFactory(16, 256, 2);
    }
}
