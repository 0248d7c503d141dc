package org.gradprobe.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.Loss;
import org.gradprobe.ops.Targets;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** check --model against each loss: random targets of the loss's kind, and the gradients pass. */
class ModelCheckLossTest {
    @Test
    void randomTargetsAreOfTheKindAndShapeTheLossTakes() {
        SplittableRandom rng = new SplittableRandom(1);
        Targets.Classes rows = (Targets.Classes) ModelCheck.randomTargets(new int[] {7}, 4, Loss.CROSS_ENTROPY, DType.FLOAT64, rng);
        assertArrayEquals(new int[] {4}, rows.shape());
        Targets.Classes tokens = (Targets.Classes) ModelCheck.randomTargets(new int[] {5, 7}, 3, Loss.CROSS_ENTROPY, DType.FLOAT64, rng);
        assertArrayEquals(new int[] {3, 5}, tokens.shape(), "one class a step for an output [T, C]");
        for (int c : tokens.labels()) assertTrue(c >= 0 && c < 7);
        Tensor mse = ((Targets.Values) ModelCheck.randomTargets(new int[] {5, 7}, 3, Loss.MSE, DType.FLOAT64, rng)).values();
        assertArrayEquals(new int[] {3, 5, 7}, mse.shape());
        Tensor bce = ((Targets.Values) ModelCheck.randomTargets(new int[] {6}, 2, Loss.BCE_WITH_LOGITS, DType.FLOAT32, rng)).values();
        assertArrayEquals(new int[] {2, 6}, bce.shape());
        for (int i = 0; i < bce.numel(); i++) assertTrue(bce.get(i) >= 0 && bce.get(i) < 1, "bce-logits targets are probabilities");
    }

    @Test
    void aModelPassesAgainstEveryLoss() {
        for (Loss loss : Loss.ALL) {
            Model m = ModelSpec.build("flatten linear(6) tanh linear(3)", new int[] {2, 2}, DType.FLOAT64, Init.pytorchDefault(), 2);
            List<CheckResult> r = ModelCheck.check(m, 3, CheckOptions.of(CheckOptions.Mode.FULL, DType.FLOAT64, 0), loss);
            assertTrue(r.stream().allMatch(CheckResult::passed), loss + ": " + r.stream().map(CheckResult::report).toList());
        }
    }
}
