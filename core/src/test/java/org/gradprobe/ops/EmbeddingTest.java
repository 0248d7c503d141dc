package org.gradprobe.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradprobe.autograd.Backward;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The lookup itself, by hand, and the ids it refuses. */
class EmbeddingTest {
    @Test
    void picksRowsAndAddsTheGradientOfARowPickedTwice() {
        Tensor w = Tensor.of(DType.FLOAT64, new int[] {3, 2}, new double[] {0, 1, 10, 11, 20, 21}).requiresGrad(true);
        Tensor ids = Tensor.of(DType.FLOAT64, new int[] {1, 3}, new double[] {2, 0, 2});
        Tensor y = F.embedding(ids, w);
        assertEquals(java.util.List.of(1, 3, 2), java.util.Arrays.stream(y.shape()).boxed().toList());
        assertEquals(20.0, y.get(0));
        assertEquals(1.0, y.get(3));
        Backward.backward(F.mseLoss(y, Tensor.zerosLike(y)));
        // d/dw of mean(y²) = 2y/6 at each pick; row 2 picked twice, row 1 never
        assertEquals(2 * 2 * 20.0 / 6, w.grad().get(4), 1e-12);
        assertEquals(0.0, w.grad().get(2));
    }

    @Test
    void anIdThatIsNoRowIsNamed() {
        Tensor w = Tensor.zeros(DType.FLOAT32, 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.embedding(Tensor.of(DType.FLOAT32, new int[] {2}, new double[] {1, 4}), w));
        assertTrue(e.getMessage().contains("id 4.0 (element 1 of [2]) is not an integer in 0..3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.embedding(Tensor.of(DType.FLOAT32, new int[] {1}, new double[] {1.5}), w));
        assertTrue(e.getMessage().contains("id 1.5"), e.getMessage());
    }
}
