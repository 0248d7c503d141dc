package org.gradprobe.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which arrays come back, when, and in what state. */
class StepMemoryTest {
    private static final int N = StepMemory.MIN_ELEMENTS;

    /** Opens the next step of {@code m}. */
    private static StepMemory.Scope next(StepMemory m) {
        return m.open();
    }

    @Test
    void anArrayIsReusedInTheNextStep() {
        StepMemory m = new StepMemory();
        float[] a;
        try (StepMemory.Scope s = next(m)) {
            a = StepMemory.floats(N, true);
            a[7] = 3f;    // a zeroed array must come back zeroed
        }
        try (StepMemory.Scope s = next(m)) {
            float[] b = StepMemory.floats(N, true);
            assertTrue(a == b, "the last step's array is reused");
            for (float v : b) assertEquals(0f, v);
            assertTrue(a != StepMemory.floats(N, true), "but only once within a step");
        }
    }

    @Test
    void onlyLargeArraysOfTheSameTypeAndLengthAreReused() {
        StepMemory m = new StepMemory();
        float[] small, large;
        double[] dbl;
        try (StepMemory.Scope s = next(m)) {
            small = StepMemory.floats(N - 1, true);
            large = StepMemory.floats(N, true);
            dbl = StepMemory.doubles(N, true);
        }
        try (StepMemory.Scope s = next(m)) {
            assertTrue(small != StepMemory.floats(N - 1, true), "a different array");
            assertTrue(large != StepMemory.floats(N + 1, true), "a different array");
            assertTrue(large == StepMemory.floats(N, true), "the same array");
            assertTrue(dbl == StepMemory.doubles(N, true), "the same array");
        }
    }

    @Test
    void withoutAnOpenStepArraysAreFresh() {
        StepMemory m = new StepMemory();
        float[] a;
        try (StepMemory.Scope s = next(m)) {
            a = StepMemory.floats(N, true);
        }
        for (int i = 0; i < 3; i++) assertTrue(a != StepMemory.floats(N, false), "a fresh array");
        try (StepMemory.Scope s = next(m)) {
            assertThrows(IllegalStateException.class, () -> next(m));
        }
    }

    @Test
    void anUnzeroedArrayIsPoisonedWhenAssertionsAreOn() {
        boolean assertions = false;
        assert assertions = true;
        assertTrue(assertions, "the tests run with assertions on (-ea), which this check and the training equality test rely on");
        StepMemory m = new StepMemory();
        try (StepMemory.Scope s = next(m)) {
            StepMemory.floats(N, true);
            StepMemory.ints(N, false);
        }
        try (StepMemory.Scope s = next(m)) {
            assertTrue(Float.isNaN(StepMemory.floats(N, false)[N - 1]));
            assertEquals(-1, StepMemory.ints(N, false)[0]);
        }
    }
}
