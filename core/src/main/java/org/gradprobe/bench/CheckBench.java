package org.gradprobe.bench;

import java.util.SplittableRandom;
import org.gradprobe.check.CheckOptions;
import org.gradprobe.check.GradCheck;
import org.gradprobe.check.ModelCheck;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/**
 * Seconds for the gradient checks the project promises to keep fast, median over {@code rounds} runs
 * after two warm-ups: fast mode of the whole seed CNN (float64, batch 2: every parameter, the input, the
 * input of every layer) and full mode of conv1 alone (its 320 parameters, on a batch of 2 images).
 */
public final class CheckBench {
    private CheckBench() {}

    public record Result(double seedCnnFast, double conv1Full, boolean passed) {}

    public static Result run(int rounds) {
        double[] fast = new double[rounds], full = new double[rounds];
        boolean ok = true;
        for (int r = -2; r < rounds; r++) {
            Model m = ModelSpec.build("seed-cnn", null, DType.FLOAT64, Init.pytorchDefault(), 0);
            long t0 = System.nanoTime();
            for (var c : ModelCheck.check(m, 2, CheckOptions.of(CheckOptions.Mode.FAST, DType.FLOAT64, 0))) ok &= c.passed();
            double tFast = (System.nanoTime() - t0) / 1e9;
            SplittableRandom rng = new SplittableRandom(1);
            Tensor x = Tensor.randn(DType.FLOAT64, rng, 1, 2, 1, 28, 28);
            Tensor w = m.parameters().get("conv1.weight"), b = m.parameters().get("conv1.bias");
            t0 = System.nanoTime();
            ok &= GradCheck.check("conv1", in -> F.conv2d(x, in[0], in[1], 1, 0), new Tensor[] {w, b}, new String[] {"conv1.weight", "conv1.bias"},
                    CheckOptions.of(CheckOptions.Mode.FULL, DType.FLOAT64, 0)).passed();
            double tFull = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) {
                fast[r] = tFast;
                full[r] = tFull;
            }
        }
        return new Result(TrainingBench.median(fast), TrainingBench.median(full), ok);
    }
}
