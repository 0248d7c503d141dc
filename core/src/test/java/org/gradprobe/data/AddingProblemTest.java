package org.gradprobe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The adding problem's data: its marker structure, its targets' statistics, and its determinism. */
class AddingProblemTest {
    /** The whole set as one batch, in its order. */
    static Batches.Batch all(SampleSet s, DType dt) {
        return new Batches(s, s.size(), null, 0.5, 0.5, dt).get(0);
    }

    @Test
    void everySequenceMarksOneStepInEachHalfAndItsTargetIsTheirSum() {
        for (int steps : new int[] {2, 3, 10, 101}) {
            SampleSet s = AddingProblem.split(steps, 7).train().head(500);
            Batches.Batch b = all(s, DType.FLOAT64);
            assertArrayEquals(new int[] {500, steps, 2}, b.input().shape());
            Tensor y = ((Targets.Values) b.targets()).values();
            assertArrayEquals(new int[] {500, 1}, y.shape());
            int half = steps / 2;
            for (int i = 0; i < 500; i++) {
                int inFirst = 0, inSecond = 0;
                double sum = 0;
                for (int t = 0; t < steps; t++) {
                    double v = b.input().get((i * steps + t) * 2), m = b.input().get((i * steps + t) * 2 + 1);
                    assertTrue(v >= 0 && v < 1, "value " + v);
                    assertTrue(m == 0 || m == 1, "marker " + m);
                    if (m == 1) {
                        sum += v;
                        if (t < half) inFirst++;
                        else inSecond++;
                    }
                }
                assertEquals(1, inFirst, "T=" + steps + " sequence " + i + ": marked steps in the first half");
                assertEquals(1, inSecond, "T=" + steps + " sequence " + i + ": marked steps in the second half");
                assertEquals(sum, y.get(i), 0.0, "the target is the sum of the marked values");
            }
        }
    }

    @Test
    void targetsHaveMeanOneAndVarianceOneSixthSoAnsweringOneScoresAbout0167() {
        // the sum of two independent uniform values: mean 1, variance 2/12; the tolerances are 5 standard errors at 10,000 samples
        Tensor y = ((Targets.Values) all(AddingProblem.split(100, 3).train(), DType.FLOAT64).targets()).values();
        int n = y.numel();
        assertEquals(AddingProblem.TRAIN, n);
        double mean = 0, mseOfOne = 0;
        for (int i = 0; i < n; i++) {
            mean += y.get(i) / n;
            mseOfOne += (y.get(i) - 1) * (y.get(i) - 1) / n;
        }
        double var = 0;
        for (int i = 0; i < n; i++) var += (y.get(i) - mean) * (y.get(i) - mean) / (n - 1);
        assertEquals(1.0, mean, 5 * Math.sqrt(1.0 / 6 / n), "mean of the targets");
        assertEquals(1.0 / 6, var, 5 * Math.sqrt((1.0 / 15 - 1.0 / 36) / n), "variance of the targets");
        assertEquals(1.0 / 6, mseOfOne, 5 * Math.sqrt((1.0 / 15 - 1.0 / 36) / n), "mse of always answering 1");
    }

    @Test
    void markedStepsAreUniformOverTheirHalves() {
        int steps = 10, n = AddingProblem.TRAIN;
        Batches.Batch b = all(AddingProblem.split(steps, 11).train(), DType.FLOAT32);
        int[] counts = new int[steps];
        for (int i = 0; i < n; i++) for (int t = 0; t < steps; t++) if (b.input().get((i * steps + t) * 2 + 1) == 1) counts[t]++;
        // each step of a half is marked in a fifth of the sequences: 2000 ± 5 standard deviations
        double sd = Math.sqrt(n * 0.2 * 0.8);
        for (int t = 0; t < steps; t++) assertEquals(n / 5.0, counts[t], 5 * sd, "sequences marked at step " + t);
    }

    @Test
    void theTrainingSetComesFromTheSeedAndTheTestSetIsAlwaysTheSame() {
        SampleSet.Split a = AddingProblem.split(20, 1), b = AddingProblem.split(20, 1), c = AddingProblem.split(20, 2);
        assertTrue(sameBatch(a.train(), b.train()), "same seed, same training set");
        assertFalse(sameBatch(a.train(), c.train()), "another seed, another training set");
        assertTrue(sameBatch(a.test(), c.test()), "one test set whatever the seed");
        assertFalse(sameBatch(a.train().head(AddingProblem.TEST), a.test()), "the test set is not the training set's start");
        assertEquals(AddingProblem.TRAIN, a.train().size());
        assertEquals(AddingProblem.TEST, a.test().size());
        assertEquals(0, a.train().classes(), "the targets are values");
        assertArrayEquals(new int[] {20, 2}, a.train().sampleShape());
    }

    private static boolean sameBatch(SampleSet x, SampleSet y) {
        Batches.Batch a = all(x, DType.FLOAT32), b = all(y, DType.FLOAT32);
        if (a.input().numel() != b.input().numel()) return false;
        for (int i = 0; i < a.input().numel(); i++) if (a.input().get(i) != b.input().get(i)) return false;
        return true;
    }

    @Test
    void shuffledBatchesKeepEachSequenceWithItsTarget() {
        SampleSet s = AddingProblem.split(6, 4).train().head(50);
        Batches shuffled = new Batches(s, 8, new SplittableRandom(9), 0.5, 0.5, DType.FLOAT32);
        int seen = 0;
        for (Batches.Batch b : shuffled) {
            Tensor y = ((Targets.Values) b.targets()).values();
            assertEquals(b.samples(), b.targets().samples());
            for (int i = 0; i < b.samples(); i++) {
                double sum = 0;
                for (int t = 0; t < 6; t++) if (b.input().get((i * 6 + t) * 2 + 1) == 1) sum += b.input().get((i * 6 + t) * 2);
                assertEquals((float) sum, y.get(i), 1e-6);
                seen++;
            }
        }
        assertEquals(50, seen);
    }

    @Test
    void tooFewStepsAreRefused() {
        DataException e = assertThrows(DataException.class, () -> AddingProblem.split(1, 0));
        assertTrue(e.getMessage().contains("T = 1 steps, expected at least 2"), e.getMessage());
    }
}
