package org.gradprobe.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradprobe.autograd.Backward;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Forward and backward of every op on inputs small enough to work out by hand. */
class OpsHandTest {
    private static final double EPS = 1e-12;

    static Tensor t(double[] v, int... shape) {
        return Tensor.of(DType.FLOAT64, shape, v.clone()).requiresGrad(true);
    }

    static void backward(Tensor out, double... seed) {
        Backward.backward(out, Tensor.of(DType.FLOAT64, out.shape(), seed.clone()), null);
    }

    static void assertValues(double[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.doubles(), EPS, "values of " + actual);
    }

    @Test
    void conv2dSumsTheDiagonalOfEachWindow() {
        Tensor x = t(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = t(new double[] {1, 0, 0, 1}, 1, 1, 2, 2);
        Tensor b = t(new double[] {0.5}, 1);
        Tensor y = F.conv2d(x, w, b, 1, 0);
        assertValues(new double[] {6.5, 8.5, 12.5, 14.5}, y);
        backward(y, 1, 1, 1, 1);
        assertValues(new double[] {12, 16, 24, 28}, w.grad());   // sum of each weight's inputs over the windows
        assertValues(new double[] {4}, b.grad());
        assertValues(new double[] {1, 1, 0, 1, 2, 1, 0, 1, 1}, x.grad());
    }

    @Test
    void conv2dStrideAndPaddingSetTheOutputSize() {
        Tensor x = t(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor w = t(new double[] {1}, 1, 1, 1, 1);
        Tensor y = F.conv2d(x, w, null, 2, 1);           // (2 + 2 − 1)/2 + 1 = 2: picks padded corners and x[1,1]
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertValues(new double[] {0, 0, 0, 4}, y);
        backward(y, 1, 1, 1, 1);
        assertValues(new double[] {0, 0, 0, 1}, x.grad());
    }

    @Test
    void maxPoolRoutesTheGradientToTheFirstMaximum() {
        Tensor x = t(new double[] {1, 5, 2, 0, 3, 4, 8, -1}, 1, 1, 2, 4);
        Tensor y = F.maxPool2d(x, 2, 2);
        assertValues(new double[] {5, 8}, y);
        backward(y, 1, 2);
        assertValues(new double[] {0, 1, 0, 0, 0, 0, 2, 0}, x.grad());
        Tensor ties = t(new double[] {2, 2, 2, 2}, 1, 1, 2, 2);
        backward(F.maxPool2d(ties, 2, 2), 3);
        assertValues(new double[] {3, 0, 0, 0}, ties.grad());
    }

    @Test
    void avgPoolSpreadsTheGradientEvenly() {
        Tensor x = t(new double[] {1, 5, 2, 0, 3, 4, 8, -1}, 1, 1, 2, 4);
        Tensor y = F.avgPool2d(x, 2, 2);
        assertValues(new double[] {13 / 4.0, 9 / 4.0}, y);
        backward(y, 1, 2);
        assertValues(new double[] {0.25, 0.25, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5}, x.grad());
    }

    @Test
    void linearAndMatmul() {
        Tensor x = t(new double[] {1, 2}, 1, 2);
        Tensor w = t(new double[] {1, 1, 2, -1}, 2, 2);
        Tensor b = t(new double[] {0, 1}, 2);
        Tensor y = F.linear(x, w, b);
        assertValues(new double[] {3, 1}, y);
        backward(y, 1, 1);
        assertValues(new double[] {3, 0}, x.grad());
        assertValues(new double[] {1, 2, 1, 2}, w.grad());
        assertValues(new double[] {1, 1}, b.grad());

        Tensor a = t(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor c = t(new double[] {0, 1, 1, 0}, 2, 2);
        Tensor p = F.matmul(a, c);
        assertValues(new double[] {2, 1, 4, 3}, p);
        backward(p, 1, 0, 0, 0);
        assertValues(new double[] {0, 1, 0, 0}, a.grad());
        assertValues(new double[] {1, 0, 2, 0}, c.grad());        // aᵀ·g
    }

    @Test
    void addPassesTheGradientToBoth() {
        Tensor a = t(new double[] {1, 2}, 2), b = t(new double[] {3, 4}, 2);
        Tensor y = F.add(a, b);
        assertValues(new double[] {4, 6}, y);
        backward(y, 5, 7);
        assertValues(new double[] {5, 7}, a.grad());
        assertValues(new double[] {5, 7}, b.grad());
    }

    @Test
    void activationsAndTheirDerivativesAtKnownPoints() {
        Tensor x = t(new double[] {-1, 0, 2}, 3);
        Tensor r = F.relu(x);
        assertValues(new double[] {0, 0, 2}, r);
        backward(r, 1, 1, 1);
        assertValues(new double[] {0, 0, 1}, x.grad());     // relu'(0) = 0, as PyTorch

        Tensor x2 = t(new double[] {-1, 0, 2}, 3);
        Tensor l = F.leakyRelu(x2, 0.1);
        assertValues(new double[] {-0.1, 0, 2}, l);
        backward(l, 1, 1, 1);
        assertValues(new double[] {0.1, 0.1, 1}, x2.grad()); // leaky_relu'(0) = slope, as PyTorch

        Tensor z = t(new double[] {0}, 1);
        Tensor s = F.sigmoid(z);
        assertValues(new double[] {0.5}, s);
        backward(s, 1);
        assertValues(new double[] {0.25}, z.grad());

        Tensor z2 = t(new double[] {0}, 1);
        Tensor th = F.tanh(z2);
        assertValues(new double[] {0}, th);
        backward(th, 1);
        assertValues(new double[] {1}, z2.grad());

        // gelu(1) = Φ(1); gelu'(0) = Φ(0) = 1/2; gelu'(1) = Φ(1) + φ(1)
        double phi1 = 0.8413447460685429, pdf1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
        Tensor g = t(new double[] {0, 1}, 2);
        Tensor gy = F.gelu(g);
        assertValues(new double[] {0, phi1}, gy);
        backward(gy, 1, 1);
        assertValues(new double[] {0.5, phi1 + pdf1}, g.grad());
    }

    @Test
    void erfIsAccurateInTheTails() {
        assertEquals(0.8427007929497149, Erf.erf(1.0), 1e-15);
        assertEquals(-0.9953222650189527, Erf.erf(-2.0), 1e-15);
        assertEquals(1.5374597944280349e-12, Erf.erfc(5.0), 1e-26);            // relative precision kept
        assertEquals(2.866515718791939e-07, Erf.normalCdf(-5.0), 1e-20);
    }

    @Test
    void logSoftmaxCrossEntropyAndMse() {
        double ln2 = Math.log(2);
        Tensor x = t(new double[] {0, 0}, 1, 2);
        Tensor y = F.logSoftmax(x);
        assertValues(new double[] {-ln2, -ln2}, y);
        backward(y, 1, 0);
        assertValues(new double[] {0.5, -0.5}, x.grad());

        Tensor logits = t(new double[] {0, 0, 0, 0}, 2, 2);
        Tensor ce = F.crossEntropy(logits, new int[] {0, 1});
        assertEquals(ln2, ce.item(), EPS);
        backward(ce, 1);
        assertValues(new double[] {-0.25, 0.25, 0.25, -0.25}, logits.grad());   // (softmax − onehot)/N

        Tensor a = t(new double[] {1, 3}, 2), b = t(new double[] {0, 0}, 2);
        Tensor mse = F.mseLoss(a, b);
        assertEquals(5, mse.item(), EPS);
        backward(mse, 1);
        assertValues(new double[] {1, 3}, a.grad());
        assertValues(new double[] {-1, -3}, b.grad());
    }

    @Test
    void crossEntropyRejectsATargetOutsideTheClasses() {
        Tensor logits = t(new double[] {0, 0}, 1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(logits, new int[] {2}));
        assertTrue(e.getMessage().contains("target 2"), e.getMessage());
    }

    @Test
    void batchNormNormalizesAndUpdatesRunningStatistics() {
        Tensor x = t(new double[] {1, 3}, 2, 1);
        Tensor gamma = t(new double[] {2}, 1), beta = t(new double[] {0.5}, 1);
        Tensor rm = Tensor.of(DType.FLOAT64, new int[] {1}, new double[] {0});
        Tensor rv = Tensor.of(DType.FLOAT64, new int[] {1}, new double[] {1});
        Tensor y = F.batchNorm(x, gamma, beta, rm, rv, true, 0.1, 1e-5);
        double inv = 1 / Math.sqrt(1 + 1e-5);                       // batch mean 2, biased variance 1
        assertValues(new double[] {0.5 - 2 * inv, 0.5 + 2 * inv}, y);
        assertValues(new double[] {0.2}, rm);                       // 0.9·0 + 0.1·2
        assertValues(new double[] {1.1}, rv);                       // 0.9·1 + 0.1·2 (unbiased variance 2)
        backward(y, 1, 0);
        assertValues(new double[] {-inv}, gamma.grad());            // Σ g·x̂ = 1·(−inv) + 0·inv
        assertValues(new double[] {1}, beta.grad());
        // dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂)) = 2·inv·([1, 0] − 0.5 − x̂·(−inv/2))
        double xh = inv;
        assertValues(new double[] {2 * inv * (0.5 - xh * xh / 2), 2 * inv * (-0.5 + xh * xh / 2)}, x.grad());

        Tensor xe = t(new double[] {1, 3}, 2, 1);
        Tensor ye = F.batchNorm(xe, null, null, rm, rv, false, 0.1, 1e-5);
        double ie = 1 / Math.sqrt(1.1 + 1e-5);
        assertValues(new double[] {(1 - 0.2) * ie, (3 - 0.2) * ie}, ye);
        backward(ye, 1, 1);
        assertValues(new double[] {ie, ie}, xe.grad());
    }

    @Test
    void dropoutZeroesOrScalesAndIsTheIdentityInEval() {
        double[] v = new double[1000];
        java.util.Arrays.fill(v, 1);
        Tensor x = t(v, 1000);
        Tensor y = F.dropout(x, 0.5, true, new SplittableRandom(3));
        int kept = 0;
        for (int i = 0; i < 1000; i++) {
            assertTrue(y.get(i) == 0 || y.get(i) == 2, "dropout value " + y.get(i));
            if (y.get(i) == 2) kept++;
        }
        assertTrue(kept > 400 && kept < 600, "kept " + kept + " of 1000 at p = 0.5");
        backward(y, v);
        assertArrayEquals(y.doubles(), x.grad().doubles(), 0, "gradient follows the same mask and scale");
        Tensor x2 = t(new double[] {1, 2}, 2);
        Tensor e = F.dropout(x2, 0.5, false, new SplittableRandom(3));
        assertValues(new double[] {1, 2}, e);
    }

    @Test
    void reshapeAndFlattenKeepValuesAndRestoreTheGradientShape() {
        Tensor x = t(new double[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Tensor f = F.flatten(x);
        assertArrayEquals(new int[] {1, 6}, f.shape());
        Tensor r = F.reshape(f, 3, -1);
        assertArrayEquals(new int[] {3, 2}, r.shape());
        backward(r, 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new int[] {1, 2, 3}, x.grad().shape());
        assertValues(new double[] {1, 2, 3, 4, 5, 6}, x.grad());
        ShapeException e = assertThrows(ShapeException.class, () -> F.reshape(x, 4, -1));
        assertTrue(e.getMessage().contains("[1, 2, 3]") && e.getMessage().contains("[4, -1]"), e.getMessage());
    }

    @Test
    void shapeErrorsNameBothShapes() {
        Tensor a = t(new double[6], 2, 3), b = t(new double[8], 4, 2);
        assertEquals("cannot matmul [2, 3] and [4, 2]", assertThrows(ShapeException.class, () -> F.matmul(a, b)).getMessage());
        String m = assertThrows(ShapeException.class, () -> F.add(a, b)).getMessage();
        assertTrue(m.contains("[2, 3]") && m.contains("[4, 2]"), m);
        String l = assertThrows(ShapeException.class, () -> F.linear(a, b, null)).getMessage();
        assertTrue(l.contains("[2, 3]") && l.contains("[4, 2]"), l);
        Tensor img = t(new double[2 * 9], 1, 2, 3, 3), w = t(new double[3 * 4], 1, 3, 2, 2);
        String c = assertThrows(ShapeException.class, () -> F.conv2d(img, w, null, 1, 0)).getMessage();
        assertTrue(c.contains("[1, 2, 3, 3]") && c.contains("[1, 3, 2, 2]"), c);
    }

    @Test
    void float32AndFloat64AgreeOnTheSameInputs() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor x64 = Tensor.randn(DType.FLOAT64, r, 1, 2, 3, 8, 8).requiresGrad(true);
        Tensor w64 = Tensor.randn(DType.FLOAT64, r, 1, 4, 3, 3, 3).requiresGrad(true);
        Tensor x32 = x64.to(DType.FLOAT32).requiresGrad(true), w32 = w64.to(DType.FLOAT32).requiresGrad(true);
        Tensor y64 = F.maxPool2d(F.relu(F.conv2d(x64, w64, null, 1, 1)), 2, 2);
        Tensor y32 = F.maxPool2d(F.relu(F.conv2d(x32, w32, null, 1, 1)), 2, 2);
        assertArrayEquals(y64.doubles(), y32.doubles(), 1e-4);
        Backward.backward(y64, Tensor.full(DType.FLOAT64, 1, y64.shape()), null);
        Backward.backward(y32, Tensor.full(DType.FLOAT32, 1, y32.shape()), null);
        assertArrayEquals(w64.grad().doubles(), w32.grad().doubles(), 1e-3);
        assertEquals(DType.FLOAT32, w32.grad().dtype);
    }
}
