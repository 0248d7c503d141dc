package org.gradprobe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradprobe.data.Batches;
import org.gradprobe.data.Dataset;
import org.gradprobe.data.Synthetic;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.optim.Adam;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.optim.Sgd;
import org.gradprobe.tensor.DType;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
    @Test
    void parametersCountWeightsGradientsAndFloat64OptimizerState() {
        ModelSpec.Plan plan = ModelSpec.plan("flatten linear(100)", new int[] {1000});
        long p = 100 * 1000 + 100;
        MemoryEstimate sgd = MemoryEstimate.of(plan, DType.FLOAT32, MemoryEstimate.Job.training(1, 1, 1, false, 0));
        assertEquals(p * (3 * 4 + 8), sgd.total(MemoryEstimate.Kind.PARAMETERS));
        MemoryEstimate adam = MemoryEstimate.of(plan, DType.FLOAT64, MemoryEstimate.Job.training(1, 1, 2, true, 0));
        assertEquals(p * (4 * 8 + 2 * 8), adam.total(MemoryEstimate.Kind.PARAMETERS));
        assertEquals("1", adam.dominant().layer().name());
    }

    @Test
    void activationsGrowWithTheBatchAndDominateAtALargeOne() {
        ModelSpec.Plan plan = ModelSpec.plan("seed-cnn", null);
        MemoryEstimate small = MemoryEstimate.of(plan, DType.FLOAT32, MemoryEstimate.Job.training(4, 60000, 1, true, 0));
        MemoryEstimate large = MemoryEstimate.of(plan, DType.FLOAT32, MemoryEstimate.Job.training(10000, 60000, 1, true, 256));
        assertEquals(MemoryEstimate.Kind.PARAMETERS, small.dominant().kind());
        assertEquals(MemoryEstimate.Kind.ACTIVATIONS, large.dominant().kind());
        assertEquals("conv2", large.dominant().layer().name());     // its unfolded input, 288 values for each of 11x11 outputs
        assertTrue(small.total() < 64e6, small.toString());
        // a batch larger than the data set takes the whole set a step
        assertEquals(MemoryEstimate.of(plan, DType.FLOAT32, MemoryEstimate.Job.training(4000, 4000, 1, true, 0)).total(),
                MemoryEstimate.of(plan, DType.FLOAT32, MemoryEstimate.Job.training(1 << 30, 4000, 1, true, 0)).total());
    }

    @Test
    void aBatchWhoseTensorsCannotExistNamesTheLayer() {
        ModelSpec.Plan plan = ModelSpec.plan("seed-cnn", null);
        var e = assertThrows(MemoryEstimate.BatchOverflowException.class, () -> MemoryEstimate.checkBatch(plan, Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("conv1") && e.getMessage().contains("1x28x28"), e.getMessage());
        var out = assertThrows(MemoryEstimate.BatchOverflowException.class, () -> MemoryEstimate.checkBatch(plan, 400_000));
        assertTrue(out.getMessage().contains("output of layer conv1") && out.getMessage().contains("32x26x26"), out.getMessage());
        MemoryEstimate.checkBatch(plan, 60_000);
    }

    /** What a model, its optimizer and two training steps keep on the heap, against the estimate. */
    private static void estimateIsWithinTwiceTheMeasuredHeap(String spec, int[] input, int batch, boolean adam) {
        ModelSpec.Plan plan = ModelSpec.plan(spec, input);
        MemoryEstimate e = MemoryEstimate.of(plan, DType.FLOAT32, MemoryEstimate.Job.training(batch, batch, adam ? 2 : 1, false, 0));
        Dataset data = Synthetic.make(input, batch, 10, 1);
        Batches.Batch b = new Batches(data, batch, null, 0.5, 0.5, DType.FLOAT32).get(0);
        long before = usedHeap();
        Model model = ModelSpec.build(spec, input, DType.FLOAT32, Init.pytorchDefault(), 0);
        Optimizer opt = adam ? new Adam(model.parameters(), 1e-3) : new Sgd(model.parameters(), 0.01, 0.9);
        Trainer trainer = new Trainer(model, opt, Trainer.Settings.defaults().withBatchSize(batch));
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < 2; i++) trainer.step(b.input(), b.targets(), rng);
        long used = usedHeap() - before + (long) b.input().numel() * 4;
        assertTrue(trainer.steps() == 2);
        double ratio = (double) e.total() / used;
        assertTrue(ratio > 0.5 && ratio < 2, spec + " at batch " + batch + ": estimated " + e.total() + ", measured " + used + " (ratio " + ratio + ")");
    }

    @Test
    void estimateMatchesAMeasuredSeedCnnStep() {
        estimateIsWithinTwiceTheMeasuredHeap("seed-cnn", new int[] {1, 28, 28}, 128, false);
    }

    @Test
    void estimateMatchesAMeasuredMlpStep() {
        estimateIsWithinTwiceTheMeasuredHeap("flatten linear(1024) batchnorm relu linear(1024) tanh linear(10)", new int[] {1, 28, 28}, 256, true);
    }

    @Test
    void estimateMatchesAMeasuredRecurrentStep() {
        estimateIsWithinTwiceTheMeasuredHeap("lstm(256,layers=2) last linear(10)", new int[] {100, 32}, 128, true);
        estimateIsWithinTwiceTheMeasuredHeap("gru(256) linear(64) meanpool linear(10)", new int[] {100, 32}, 128, false);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            best = Math.min(best, r.totalMemory() - r.freeMemory());
        }
        return best;
    }
}
