package org.gradprobe.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradprobe.Golden;
import org.gradprobe.autograd.Backward;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The recurrent layers beyond their golden values (OpsGoldenTest) and gradient checks (GradCheckTest):
 * the gradient through time they report, that PyTorch's gate order is the one that matches, and their errors.
 */
class RecurrentTest {
    private static final DType F64 = DType.FLOAT64;

    private static Tensor randn(SplittableRandom rng, double scale, int... shape) {
        return Tensor.randn(F64, rng, scale, shape).requiresGrad(true);
    }

    /** x[:, t] as a tensor of its own [N, D]. */
    private static Tensor step(Tensor x, int t) {
        int n = x.dim(0), steps = x.dim(1), d = x.dim(2);
        double[] v = new double[n * d];
        for (int b = 0; b < n; b++) for (int j = 0; j < d; j++) v[b * d + j] = x.get((b * steps + t) * d + j);
        return Tensor.of(x.dtype, new int[] {n, d}, v);
    }

    @Test
    void throughTimeIsTheWholeGradientAtEachHiddenState() {
        // the same tanh RNN unrolled by hand from linear, add and tanh, each h_t kept: its gradient is ∂L/∂h_t
        SplittableRandom rng = new SplittableRandom(5);
        int n = 3, steps = 6, d = 4, h = 5;
        Tensor x = randn(rng, 1, n, steps, d), wih = randn(rng, 0.6, h, d), whh = randn(rng, 0.6, h, h), bih = randn(rng, 0.3, h), bhh = randn(rng, 0.3, h);
        Tensor target = Tensor.randn(F64, rng, 1, n, steps, h);

        ThroughTime sink = new ThroughTime();
        assertFalse(sink.filled());
        Backward.backward(F.mseLoss(F.rnn(x, wih, whh, bih, bhh, false, sink), target), Tensor.scalar(F64, 1), null);
        assertTrue(sink.filled());
        assertEquals(steps, sink.steps());

        Tensor hPrev = Tensor.zeros(F64, n, h), loss = null;
        Tensor[] hs = new Tensor[steps];
        for (int t = 0; t < steps; t++) {
            hs[t] = F.tanh(F.add(F.linear(step(x, t), wih, bih), F.linear(hPrev, whh, bhh))).retainGrad();
            Tensor term = F.mseLoss(hs[t], step(target, t));
            loss = loss == null ? term : F.add(loss, term);
            hPrev = hs[t];
        }
        Backward.backward(loss, Tensor.scalar(F64, 1), null);    // T times the mean over all steps
        for (int t = 0; t < steps; t++) {
            double expected = Math.sqrt(sq(hs[t].grad())) / steps;
            assertEquals(expected, sink.norm(t), 1e-12 * expected, "‖∂L/∂h_" + t + "‖");
            assertEquals(expected / Math.sqrt(n * h), sink.rms(t), 1e-12 * expected);
        }
    }

    @Test
    void float32LayersOfManyUnitsStayWithinFloat32AccuracyOfFloat64() {
        // the golden cases have a few units (the vector kernels' scalar tail); here 40 units (whole vectors and a
        // tail), with saturating gates, against the float64 plain loops from the same float32 values
        SplittableRandom rng = new SplittableRandom(17);
        int n = 5, steps = 7, d = 9, h = 40;
        for (String cell : new String[] {"rnn_tanh", "lstm", "gru"}) {
            int gh = (cell.equals("lstm") ? 4 : cell.equals("gru") ? 3 : 1) * h;
            Tensor[] f32 = {Tensor.randn(DType.FLOAT32, rng, 2, n, steps, d), Tensor.randn(DType.FLOAT32, rng, 0.8, gh, d),
                Tensor.randn(DType.FLOAT32, rng, 0.5, gh, h), Tensor.randn(DType.FLOAT32, rng, 1, gh), Tensor.randn(DType.FLOAT32, rng, 1, gh)};
            Tensor seed32 = Tensor.randn(DType.FLOAT32, rng, 1, n, steps, h);
            Tensor[] f64 = new Tensor[f32.length];
            for (int i = 0; i < f32.length; i++) {
                f64[i] = f32[i].to(F64).requiresGrad(true);
                f32[i].requiresGrad(true);
            }
            Tensor y32 = layer(cell, f32), y64 = layer(cell, f64);
            assertWithin(y64, y32, cell + " output");
            Backward.backward(y32, seed32, null);
            Backward.backward(y64, seed32.to(F64), null);
            String[] names = {"x", "weight_ih", "weight_hh", "bias_ih", "bias_hh"};
            for (int i = 0; i < f32.length; i++) assertWithin(f64[i].grad(), f32[i].grad(), cell + " gradient at " + names[i]);
        }
    }

    private static Tensor layer(String cell, Tensor[] in) {
        return switch (cell) {
            case "lstm" -> F.lstm(in[0], in[1], in[2], in[3], in[4], null);
            case "gru" -> F.gru(in[0], in[1], in[2], in[3], in[4], null);
            default -> F.rnn(in[0], in[1], in[2], in[3], in[4], false, null);
        };
    }

    /** Every element within 1e-4 of the largest magnitude of the float64 values. */
    private static void assertWithin(Tensor want, Tensor got, String what) {
        double max = 0;
        for (int i = 0; i < want.numel(); i++) max = Math.max(max, Math.abs(want.get(i)));
        for (int i = 0; i < want.numel(); i++) {
            assertEquals(want.get(i), got.get(i), 1e-4 * max, what + " at " + i);
        }
    }

    private static double sq(Tensor t) {
        double s = 0;
        for (int i = 0; i < t.numel(); i++) s += t.get(i) * t.get(i);
        return s;
    }

    @Test
    void onlyPyTorchsGateOrderMatchesPyTorch() {
        // the golden LSTM and GRU with their gate blocks read in another order (i and f, or r and z, swapped) no longer match
        SafeTensors.Contents c = Golden.load("ops_f64.safetensors");
        for (String name : new String[] {"lstm", "gru"}) {
            int gates = name.equals("lstm") ? 4 : 3;
            Tensor[] in = new Tensor[5];
            for (int i = 0; i < 5; i++) in[i] = c.require(name + ".in." + i).toTensor("ops_f64");
            Tensor expected = c.require(name + ".out").toTensor("ops_f64");
            Tensor right = name.equals("lstm") ? F.lstm(in[0], in[1], in[2], in[3], in[4], null) : F.gru(in[0], in[1], in[2], in[3], in[4], null);
            assertTrue(Golden.relErr(right, expected) < 1e-12, name);
            for (int i = 1; i < 5; i++) in[i] = swapFirstTwoBlocks(in[i], gates);
            Tensor wrong = name.equals("lstm") ? F.lstm(in[0], in[1], in[2], in[3], in[4], null) : F.gru(in[0], in[1], in[2], in[3], in[4], null);
            assertTrue(Golden.relErr(wrong, expected) > 1e-2, name + " with two gates swapped should not match PyTorch");
        }
    }

    private static Tensor swapFirstTwoBlocks(Tensor w, int gates) {
        Tensor out = w.copy();
        int block = w.numel() / gates;
        for (int e = 0; e < block; e++) {
            out.set(e, w.get(block + e));
            out.set(block + e, w.get(e));
        }
        return out;
    }

    @Test
    void shapesThatDoNotFitAreRefusedNamingThem() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = randn(rng, 1, 2, 3, 4);
        ShapeException e = assertThrows(ShapeException.class, () -> F.lstm(x, randn(rng, 1, 16, 4), randn(rng, 1, 12, 3), null, null, null));
        assertTrue(e.getMessage().contains("expected [12, 4] and [12, 3] for 4 gates of 3 units"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.gru(randn(rng, 1, 2, 4), randn(rng, 1, 9, 4), randn(rng, 1, 9, 3), null, null, null));
        assertTrue(e.getMessage().startsWith("gru: expected a tensor of rank [3]"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.rnn(x, randn(rng, 1, 3, 4), randn(rng, 1, 3, 3), randn(rng, 1, 4), null, false, null));
        assertTrue(e.getMessage().contains("bias [4] does not fit 3 gate units"), e.getMessage());
    }
}
