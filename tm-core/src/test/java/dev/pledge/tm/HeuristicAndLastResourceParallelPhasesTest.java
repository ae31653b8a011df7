package dev.pledge.tm;

/** Every test of {@link HeuristicAndLastResourceTest}, with parallel phases on. */
class HeuristicAndLastResourceParallelPhasesTest extends HeuristicAndLastResourceTest {
    @Override
    Fixture fixture() {
        return Fixture.parallel();
    }
}
