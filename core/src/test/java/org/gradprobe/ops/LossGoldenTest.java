package org.gradprobe.ops;

import java.util.Map;
import org.gradprobe.Golden;
import org.gradprobe.autograd.Backward;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every {@link Loss} against PyTorch's functional loss (scripts/make_golden.py, {@code loss_cases}): the
 * loss and its gradient at the output, for class indices one a sample and one a token ([N, T, C]
 * against [N, T], as {@code F.cross_entropy(out.reshape(-1, C), y.reshape(-1))}), and for values.
 */
class LossGoldenTest {
    @ParameterizedTest
    @EnumSource(value = DType.class)
    void everyLossAndItsGradientMatchPyTorch(DType dt) {
        SafeTensors.Contents g = Golden.load("losses_" + (dt == DType.FLOAT64 ? "f64" : "f32") + ".safetensors");
        int cases = 0;
        for (Map.Entry<String, String> c : g.metadata().entrySet()) {
            String name = c.getKey();
            Loss loss = Loss.parse(c.getValue());
            Tensor out = g.require(name + ".out").toTensor().requiresGrad(true);
            SafeTensors.Entry t = g.require(name + ".target");
            Targets targets;
            if (loss.classTargets()) {
                long[] raw = t.toLongs();
                int[] labels = new int[raw.length];
                for (int i = 0; i < raw.length; i++) labels[i] = (int) raw[i];
                targets = Targets.classes(labels, t.shape());
            } else {
                targets = Targets.values(t.toTensor());
            }
            Tensor value = loss.compute(out, targets);
            Backward.backward(value);
            Golden.assertClose(name + " loss", value, g.require(name + ".loss").toTensor(), Golden.tol(dt));
            Golden.assertClose(name + " gradient", out.grad(), g.require(name + ".grad").toTensor(), Golden.tol(dt));
            cases++;
        }
        org.junit.jupiter.api.Assertions.assertEquals(6, cases, "cases in the golden file");
    }
}
