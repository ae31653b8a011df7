package dev.pledge.tm;

/** Every test of {@link CoordinatorEdgeTest}, with parallel phases on. */
class CoordinatorEdgeParallelPhasesTest extends CoordinatorEdgeTest {
    @Override
    Fixture fixture() {
        return Fixture.parallel();
    }
}
