package org.gradprobe.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The losses a trainer takes: each is its op on the targets it needs, and refuses the other kind. */
class LossTest {
    static Tensor logits() {
        return Tensor.randn(DType.FLOAT64, new SplittableRandom(3), 2, 4, 3).requiresGrad(true);
    }

    @Test
    void eachLossIsItsOp() {
        Tensor x = logits(), y = Tensor.randn(DType.FLOAT64, new SplittableRandom(4), 1, 4, 3);
        assertEquals(F.crossEntropy(x, new int[] {0, 2, 1, 2}).item(), Loss.CROSS_ENTROPY.compute(x, new int[] {0, 2, 1, 2}).item(), 0.0);
        assertEquals(F.mseLoss(x, y).item(), Loss.MSE.compute(x, Targets.values(y)).item(), 0.0);
        Tensor p = Tensor.full(DType.FLOAT64, 0.75, 4, 3);
        assertEquals(F.bceWithLogits(x, p).item(), Loss.BCE_WITH_LOGITS.compute(x, Targets.values(p)).item(), 0.0);
    }

    @Test
    void bceWithLogitsIsStableWhereTheNaiveFormOverflows() {
        // log(1 + e^800) overflows in the naive form; the stable one gives x − x·y exactly there
        Tensor x = Tensor.of(DType.FLOAT64, new int[] {2}, new double[] {800, -800}).requiresGrad(true);
        Tensor y = Tensor.of(DType.FLOAT64, new int[] {2}, new double[] {0, 1});
        Tensor l = F.bceWithLogits(x, y);
        assertEquals(800.0, l.item(), 1e-9);
        Backward.backward(l);
        assertEquals(0.5, x.grad().get(0), 1e-12);     // (σ(800) − 0)/2
        assertEquals(-0.5, x.grad().get(1), 1e-12);    // (σ(−800) − 1)/2
    }

    @Test
    void aLossRefusesTheOtherKindOfTargetsNamingItself() {
        Tensor x = logits();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.MSE.compute(x, new int[] {0, 1, 2, 0}));
        assertTrue(e.getMessage().startsWith("mse needs float targets"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Loss.CROSS_ENTROPY.compute(x, Targets.values(Tensor.zerosLike(x))));
        assertTrue(e.getMessage().startsWith("cross-entropy needs class indices"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Loss.BCE_WITH_LOGITS.compute(x, Targets.values(Tensor.zeros(DType.FLOAT64, 4))));
        assertTrue(e.getMessage().contains("do not match the output [4, 3]"), e.getMessage());
    }

    @Test
    void perTokenCrossEntropyIsTheMeanOverEveryTokenOfTheRows() {
        // [N, T, C] against [N, T] is the N·T rows of C logits against the N·T class indices
        Tensor x = Tensor.randn(DType.FLOAT64, new SplittableRandom(5), 1, 2, 3, 4).requiresGrad(true);
        int[] y = {3, 0, 1, 2, 2, 0};
        Tensor rows = x.detach().view(6, 4).requiresGrad(true);
        Tensor expected = F.crossEntropy(rows, y);
        Tensor l = Loss.CROSS_ENTROPY.compute(x, Targets.classes(y, new int[] {2, 3}));
        assertEquals(expected.item(), l.item(), 0.0);
        Backward.backward(l);
        Backward.backward(expected);
        for (int i = 0; i < 24; i++) assertEquals(rows.grad().get(i), x.grad().get(i), 0.0);
        assertEquals(2, Targets.classes(y, new int[] {2, 3}).samples(), "samples are the sequences, not the tokens");
    }

    @Test
    void classTargetsMustFitTheOutput() {
        Tensor x = Tensor.randn(DType.FLOAT64, new SplittableRandom(5), 1, 2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.CROSS_ENTROPY.compute(x, Targets.classes(new int[6], new int[] {3, 2})));
        assertTrue(e.getMessage().contains("targets [3, 2] do not fit the output [2, 3, 4] (expected class indices [2, 3])"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Loss.CROSS_ENTROPY.compute(x, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("expected class indices [2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Targets.classes(new int[5], new int[] {2, 3}));
        assertTrue(e.getMessage().contains("5 class indices do not fill the shape [2, 3]"), e.getMessage());
    }

    @Test
    void eachLossSaysWhichTargetsItTakes() {
        assertTrue(Loss.CROSS_ENTROPY.classTargets());
        assertTrue(!Loss.MSE.classTargets() && !Loss.BCE_WITH_LOGITS.classTargets());
    }

    @Test
    void lossesAreFoundByTheirKeys() {
        for (Loss l : Loss.ALL) assertSame(l, Loss.parse(l.key()));
        assertSame(Loss.MSE, Loss.parse(" MSE "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.parse("hinge"));
        assertTrue(e.getMessage().contains("expected cross-entropy, mse or bce-logits"), e.getMessage());
    }
}
