package org.gradprobe.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Sequence layers in specs: PyTorch's parameter names, shapes and initialization; the recurrent init schemes. */
class RecurrentLayerTest {
    static Model build(String spec, String init, int... input) {
        return ModelSpec.build(spec, input, DType.FLOAT64, Init.parse(init, null), 3);
    }

    @Test
    void parametersAreNamedAndShapedAsPyTorchsModules() {
        Model m = build("embedding(50,8) lstm(6,layers=2) gru(5) rnn(4,nonlinearity=relu,bias=false) last linear(3)", "default", 12);
        Map<String, Tensor> p = m.parameters();
        assertEquals(List.of("0.weight",
                "1.weight_ih_l0", "1.weight_hh_l0", "1.bias_ih_l0", "1.bias_hh_l0", "1.weight_ih_l1", "1.weight_hh_l1", "1.bias_ih_l1", "1.bias_hh_l1",
                "2.weight_ih_l0", "2.weight_hh_l0", "2.bias_ih_l0", "2.bias_hh_l0", "3.weight_ih_l0", "3.weight_hh_l0", "5.weight", "5.bias"),
                List.copyOf(p.keySet()));
        assertArrayEquals(new int[] {50, 8}, p.get("0.weight").shape());
        assertArrayEquals(new int[] {24, 8}, p.get("1.weight_ih_l0").shape());
        assertArrayEquals(new int[] {24, 6}, p.get("1.weight_ih_l1").shape());
        assertArrayEquals(new int[] {15, 6}, p.get("2.weight_ih_l0").shape());
        assertArrayEquals(new int[] {15, 5}, p.get("2.weight_hh_l0").shape());
        assertArrayEquals(new int[] {4, 5}, p.get("3.weight_ih_l0").shape());
        assertArrayEquals(new int[] {3}, m.outputShape());
        assertEquals("embedding(50,8) lstm(6,layers=2) gru(5) rnn(4,nonlinearity=relu,bias=false) last linear(3)", m.spec());
        // PyTorch's default: every recurrent weight and bias uniform in ±1/√H
        for (String k : List.of("1.weight_ih_l0", "1.weight_hh_l1", "1.bias_hh_l0")) {
            double bound = 1 / Math.sqrt(6), max = 0;
            Tensor t = p.get(k);
            for (int i = 0; i < t.numel(); i++) max = Math.max(max, Math.abs(t.get(i)));
            assertTrue(max <= bound && max > 0.8 * bound, k + ": max |w| " + max + " for bound " + bound);
        }
        // the forward pass: [N, T] ids → [N, 3]
        Tensor ids = Tensor.zeros(DType.FLOAT64, 2, 12);
        for (int i = 0; i < 24; i++) ids.set(i, i % 50);
        assertArrayEquals(new int[] {2, 3}, m.forward(ids, ForwardContext.eval()).shape());
    }

    @Test
    void linearActsOnTheLastDimensionAndMeanpoolAveragesSteps() {
        Model m = build("linear(7) tanh meanpool linear(2)", "default", 5, 3);
        assertArrayEquals(new int[] {5, 7}, m.layers().get(0).outShape());
        assertArrayEquals(new int[] {7}, m.layers().get(2).outShape());
        assertArrayEquals(new int[] {4, 2}, m.forward(Tensor.zeros(DType.FLOAT64, 4, 5, 3), ForwardContext.eval()).shape());
    }

    @Test
    void orthogonalAndIdentitySetTheRecurrentWeightsGateByGate() {
        int h = 6;
        for (String scheme : List.of("orthogonal", "identity*1.5")) {
            Tensor w = build("gru(6) last", scheme, 4, 3).parameters().get("0.weight_hh_l0");
            double gain = scheme.equals("orthogonal") ? 1 : 1.5;
            for (int g = 0; g < 3; g++) {
                // each H×H gate block B satisfies B·Bᵀ = gain²·I
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < h; j++) {
                        double dot = 0;
                        for (int k = 0; k < h; k++) dot += w.get((g * h + i) * h + k) * w.get((g * h + j) * h + k);
                        assertEquals(i == j ? gain * gain : 0, dot, 1e-12, scheme + " gate " + g + " (" + i + "," + j + ")");
                    }
                }
            }
        }
        // orthogonal on a wide linear weight: orthonormal rows, as torch.nn.init.orthogonal_
        Tensor w = build("linear(3)", "orthogonal", 8).parameters().get("0.weight");
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double dot = 0;
                for (int k = 0; k < 8; k++) dot += w.get(i * 8 + k) * w.get(j * 8 + k);
                assertEquals(i == j ? 1 : 0, dot, 1e-12);
            }
        }
    }

    @Test
    void sequenceLayersRefuseShapesThatDoNotFitNamingTheLayer() {
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.plan("lstm(8) linear(2)", new int[] {1, 28, 28}));
        assertTrue(e.getMessage().contains("layer 0 (lstm(8)): needs a sequence of vectors (T×D"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ModelSpec.plan("embedding(10,4) lstm(3)", new int[] {5, 2}));
        assertTrue(e.getMessage().contains("needs a sequence of T token ids"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ModelSpec.plan("rnn(4,nonlinearity=sigmoid)", new int[] {5, 2}));
        assertTrue(e.getMessage().contains("nonlinearity must be tanh or relu, got 'sigmoid'"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ModelSpec.plan("gru(4,nonlinearity=relu)", new int[] {5, 2}));
        assertTrue(e.getMessage().contains("unknown argument 'nonlinearity' for gru"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ModelSpec.plan("last", new int[] {5}));
        assertTrue(e.getMessage().contains("layer 0 (last)"), e.getMessage());
    }
}
