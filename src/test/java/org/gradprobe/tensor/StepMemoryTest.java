package org.gradprobe.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which arrays come back, when, and in what state. */
class StepMemoryTest {
    private static final int N = StepMemory.MIN_ELEMENTS;

    @Test
    void anArrayComesBackTwoStepsLaterNotSooner() {
        StepMemory m = new StepMemory();
        List<float[]> handed = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            try (StepMemory.Scope s = m.open()) {
                float[] a = StepMemory.floats(N);
                if (step >= 2) assertTrue(handed.get(step - 2) == a, "step " + step + " reuses step " + (step - 2) + "'s array");
                for (float[] earlier : handed.subList(Math.max(0, step - 1), handed.size())) assertTrue(earlier != a, "step " + step);
                handed.add(a);
                a[7] = 3f;    // a zeroed array must come back zeroed
            }
        }
        try (StepMemory.Scope s = m.open()) {
            float[] a = StepMemory.floats(N);
            assertTrue(handed.get(2) == a, "the same array");
            for (float v : a) assertEquals(0f, v);
        }
    }

    @Test
    void onlyLargeArraysOfTheSameTypeAndLengthAreReused() {
        StepMemory m = new StepMemory();
        float[] small, large;
        double[] dbl;
        try (StepMemory.Scope s = m.open()) {
            small = StepMemory.floats(N - 1);
            large = StepMemory.floats(N);
            dbl = StepMemory.doubles(N);
        }
        try (StepMemory.Scope s = m.open()) {
            StepMemory.floats(N);
        }
        try (StepMemory.Scope s = m.open()) {
            assertTrue(small != StepMemory.floats(N - 1), "a different array");
            assertTrue(large != StepMemory.floats(N + 1), "a different array");
            assertTrue(large == StepMemory.floats(N), "the same array");
            assertTrue(dbl == StepMemory.doubles(N), "the same array");
        }
    }

    @Test
    void withoutAnOpenStepArraysAreFresh() {
        StepMemory m = new StepMemory();
        float[] a;
        try (StepMemory.Scope s = m.open()) {
            a = StepMemory.floats(N);
        }
        for (int i = 0; i < 3; i++) assertTrue(a != StepMemory.floats(N, false), "a fresh array");
        try (StepMemory.Scope s = m.open()) {
            assertThrows(IllegalStateException.class, m::open);
        }
    }

    @Test
    void anUnzeroedArrayIsPoisonedWhenAssertionsAreOn() {
        boolean assertions = false;
        assert assertions = true;
        assertTrue(assertions, "the tests run with assertions on (-ea), which this check and the training equality test rely on");
        StepMemory m = new StepMemory();
        for (int step = 0; step < 2; step++) {
            try (StepMemory.Scope s = m.open()) {
                StepMemory.floats(N);
                StepMemory.ints(N, false);
            }
        }
        try (StepMemory.Scope s = m.open()) {
            assertTrue(Float.isNaN(StepMemory.floats(N, false)[N - 1]));
            assertEquals(-1, StepMemory.ints(N, false)[0]);
        }
    }
}
