package dev.pledge.tm;

/** Every test of {@link RecoveryPassTest}, with parallel phases on. */
class RecoveryPassParallelPhasesTest extends RecoveryPassTest {
    @Override
    Fixture fixture() {
        return Fixture.parallel();
    }

    @Override
    boolean parallelPhases() {
        return true;
    }
}
