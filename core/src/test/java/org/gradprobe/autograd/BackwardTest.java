package org.gradprobe.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BackwardTest {
    static Tensor leaf(double... v) {
        return Tensor.of(DType.FLOAT64, new int[] {v.length}, v).requiresGrad(true);
    }

    @Test
    void aGradientOfAnotherDtypeOrShapeIsRefusedWithBoth() {
        Tensor w = Tensor.zeros(DType.FLOAT32, 2, 3).requiresGrad(true);
        String msg = assertThrows(org.gradprobe.tensor.ShapeException.class, () -> w.setGrad(Tensor.zeros(DType.FLOAT64, 2, 3))).getMessage();
        assertTrue(msg.contains("float64") && msg.contains("float32"), msg);
        msg = assertThrows(org.gradprobe.tensor.ShapeException.class, () -> w.setGrad(Tensor.zeros(DType.FLOAT32, 3, 2))).getMessage();
        assertTrue(msg.contains("3") && msg.contains("2"), msg);
        w.setGrad(Tensor.zeros(DType.FLOAT32, 2, 3));
        w.setGrad(null);
        assertNull(w.grad());
    }

    @Test
    void aTensorUsedTwiceGetsTheSumOfBothGradients() {
        Tensor x = leaf(1, 2);
        Tensor y = F.add(x, x);
        Backward.backward(y, Tensor.full(DType.FLOAT64, 1, 2), null);
        assertArrayEquals(new double[] {2, 2}, x.grad().doubles());
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = leaf(3);
        Backward.backward(F.mseLoss(x, Tensor.zeros(DType.FLOAT64, 1)));
        Backward.backward(F.mseLoss(x, Tensor.zeros(DType.FLOAT64, 1)));
        assertArrayEquals(new double[] {12}, x.grad().doubles());     // 2·3, twice, as PyTorch
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void retainedNonLeafGradientIsKeptOthersAreNot() {
        Tensor x = leaf(-1, 2);
        Tensor h = F.relu(x).retainGrad();
        Tensor s = F.sigmoid(h);
        Backward.backward(s, Tensor.full(DType.FLOAT64, 1, 2), null);
        assertArrayEquals(new double[] {0.25, Math.exp(-2) / Math.pow(1 + Math.exp(-2), 2)}, h.grad().doubles(), 1e-15);
        assertNull(s.grad());
    }

    @Test
    void noGradModeRecordsNothing() {
        Tensor x = leaf(1);
        try (GradMode.Scope g = GradMode.noGrad()) {
            assertTrue(F.relu(x).isLeaf());
        }
        assertTrue(!F.relu(x).isLeaf());
    }

    @Test
    void aRuleReturningTheWrongShapeFailsLoudlyNamingTheOp() {
        Tensor x = leaf(1, 2);
        Tensor y = Node.record("broken", Tensor.zeros(DType.FLOAT64, 2), g -> new Tensor[] {Tensor.zeros(DType.FLOAT64, 3)}, x);
        BackwardException e = assertThrows(BackwardException.class, () -> Backward.backward(y, Tensor.zeros(DType.FLOAT64, 2), null));
        assertTrue(e.getMessage().contains("broken") && e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
        Tensor z = Node.record("short", Tensor.zeros(DType.FLOAT64, 2), g -> new Tensor[0], x);
        assertThrows(BackwardException.class, () -> Backward.backward(z, Tensor.zeros(DType.FLOAT64, 2), null));
    }

    @Test
    void aDeepChainDoesNotOverflowTheStack() {
        Tensor x = leaf(0.5);
        Tensor h = x;
        for (int i = 0; i < 20000; i++) h = F.tanh(h);
        Backward.backward(h, Tensor.full(DType.FLOAT64, 1, 1), null);
        assertTrue(x.grad().get(0) > 0);
    }
}
