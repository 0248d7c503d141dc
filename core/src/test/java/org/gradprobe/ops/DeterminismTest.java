package org.gradprobe.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.gradprobe.train.GradCapture;
import org.junit.jupiter.api.Test;

/** Gradients are bit-identical whatever the number of threads, so a run can be reproduced on any machine. */
class DeterminismTest {
    @Test
    void gradientsDoNotDependOnTheThreadCount() {
        int before = Parallel.threads();
        try {
            float[][] grads = new float[3][];
            for (int th = 1; th <= 3; th++) {
                Parallel.setThreads(th);
                Model m = ModelSpec.build("seed-cnn", null, DType.FLOAT32, Init.pytorchDefault(), 0);
                Tensor x = Tensor.randn(DType.FLOAT32, new SplittableRandom(1), 1, 12, 1, 28, 28);
                GradCapture g = GradCapture.run(m, x, org.gradprobe.ops.Targets.classes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1), true, 0, org.gradprobe.ops.Loss.CROSS_ENTROPY);
                float[] all = new float[0];
                for (Tensor t : g.paramGrads().values()) {
                    float[] next = java.util.Arrays.copyOf(all, all.length + t.numel());
                    for (int i = 0; i < t.numel(); i++) next[all.length + i] = (float) t.get(i);
                    all = next;
                }
                grads[th - 1] = all;
            }
            assertArrayEquals(grads[0], grads[1]);
            assertArrayEquals(grads[0], grads[2]);
        } finally {
            Parallel.setThreads(before);
        }
    }
}
