package org.gradprobe.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** SGD with momentum, element by element as PyTorch defines it, bit for bit (the loop has a written-out fast path). */
class SgdTest {
    @Test
    void momentumStepsFollowTheFormulaExactly() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 100_003;    // large enough to be split over the cores
        for (double dampening : new double[] {0, 0.25}) {
            Tensor p = Tensor.randn(DType.FLOAT32, r, 1, n);
            p.requiresGrad(true);
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("w", p);
            Sgd sgd = new Sgd(params, 0.01, 0.9, dampening, 0, false);
            float[] want = floats(p).clone();
            double[] buf = new double[n];
            for (int step = 0; step < 3; step++) {
                Tensor g = Tensor.randn(DType.FLOAT32, r, 1, n);
                p.setGrad(g);
                sgd.step();
                for (int i = 0; i < n; i++) {
                    double gi = g.get(i);
                    buf[i] = step == 0 ? gi : 0.9 * buf[i] + (1 - dampening) * gi;
                    want[i] = (float) (want[i] - 0.01 * buf[i]);
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits((float) p.get(i)), "dampening " + dampening + ", step " + step + ", element " + i);
                }
            }
        }
    }

    private static float[] floats(Tensor t) {
        float[] f = new float[t.numel()];
        for (int i = 0; i < f.length; i++) f[i] = (float) t.get(i);
        return f;
    }
}
