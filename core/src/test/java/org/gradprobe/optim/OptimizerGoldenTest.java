package org.gradprobe.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.Golden;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Optimizer trajectories over 20 steps and gradient clipping, against torch.optim and torch.nn.utils. */
class OptimizerGoldenTest {
    static final SafeTensors.Contents G = Golden.load("optim_f64.safetensors");

    static Tensor get(String name) {
        return G.require(name).toTensor("optim_f64");
    }

    static Optimizer make(String config, Map<String, Tensor> params) {
        switch (config) {
            case "sgd": return new Sgd(params, 0.1, 0);
            case "sgd_momentum": return new Sgd(params, 0.05, 0.9);
            case "sgd_dampening_wd": return new Sgd(params, 0.05, 0.8, 0.3, 0.01, false);
            case "sgd_nesterov_wd": return new Sgd(params, 0.05, 0.9, 0, 0.05, true);
            case "adam": return new Adam(params, 0.01);
            case "adam_wd_betas": return new Adam(params, 0.02, 0.8, 0.99, 1e-6, 0.1);
            case "adamw": return Adam.adamW(params, 0.01);
            case "adamw_wd_betas": return Adam.adamW(params, 0.02, 0.8, 0.99, 1e-6, 0.1);
            case "rmsprop": return new RmsProp(params, 0.01);
            case "rmsprop_momentum_centered_wd": return new RmsProp(params, 0.005, 0.9, 1e-6, 0.05, 0.8, true);
            default: throw new IllegalArgumentException(config);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "sgd_momentum", "sgd_dampening_wd", "sgd_nesterov_wd", "adam", "adam_wd_betas", "adamw", "adamw_wd_betas",
            "rmsprop", "rmsprop_momentum_centered_wd"})
    void trajectoryOverTwentyStepsMatchesPyTorch(String config) {
        Tensor p = get("p0").copy().requiresGrad(true);
        Tensor grads = get("grads");
        Tensor traj = get("traj." + config);
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("p", p);
        Optimizer opt = make(config, params);
        int n = p.numel();
        for (int t = 0; t < 20; t++) {
            double[] g = new double[n];
            for (int i = 0; i < n; i++) g[i] = grads.get(t * n + i) + 0.1 * p.get(i);   // as the script's gradient
            p.setGrad(Tensor.of(p.dtype, p.shape(), g));
            opt.step();
            Tensor expected = Tensor.of(p.dtype, p.shape(), java.util.Arrays.copyOfRange(traj.doubles(), (t + 1) * n, (t + 2) * n));
            Golden.assertClose(config + " step " + (t + 1), p, expected, 1e-12);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "sgd_momentum", "sgd_dampening_wd", "sgd_nesterov_wd", "adam", "adam_wd_betas", "adamw", "adamw_wd_betas",
            "rmsprop", "rmsprop_momentum_centered_wd"})
    void aTensorSplitOverTheCoresGetsTheSameUpdateBitForBit(String config) {
        // the updates are elementwise: a tensor large enough to be cut into chunks over the cores must come
        // out as the same values held as parameters small enough for one chunk each (a chunk that read or
        // wrote outside its bounds would not)
        int n = 100_003, piece = 25_001;
        for (org.gradprobe.tensor.DType dt : org.gradprobe.tensor.DType.values()) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(8);
            Tensor big = Tensor.randn(dt, r, 1, n).requiresGrad(true);
            Map<String, Tensor> small = new LinkedHashMap<>();
            for (int from = 0; from < n; from += piece) {
                Tensor s = Tensor.zeros(dt, Math.min(piece, n - from)).requiresGrad(true);
                for (int i = 0; i < s.numel(); i++) s.set(i, big.get(from + i));
                small.put("p" + from, s);
            }
            Optimizer whole = make(config, Map.of("p", big)), parts = make(config, small);
            for (int t = 0; t < 3; t++) {
                Tensor g = Tensor.randn(dt, r, 1, n);
                big.setGrad(g);
                for (Map.Entry<String, Tensor> e : small.entrySet()) {
                    int from = Integer.parseInt(e.getKey().substring(1));
                    Tensor gs = Tensor.zeros(dt, e.getValue().numel());
                    for (int i = 0; i < gs.numel(); i++) gs.set(i, g.get(from + i));
                    e.getValue().setGrad(gs);
                }
                whole.step();
                parts.step();
            }
            for (Map.Entry<String, Tensor> e : small.entrySet()) {
                int from = Integer.parseInt(e.getKey().substring(1));
                for (int i = 0; i < e.getValue().numel(); i++) {
                    assertEquals(Double.doubleToRawLongBits(e.getValue().get(i)), Double.doubleToRawLongBits(big.get(from + i)),
                            config + " " + dt + " element " + (from + i));
                }
            }
        }
    }

    @Test
    void clippingMatchesClipGradNormAndClipGradValue() {
        Tensor a = get("clip.a").copy().requiresGrad(true), b = get("clip.b").copy().requiresGrad(true);
        a.setGrad(get("clip.a").copy());
        b.setGrad(get("clip.b").copy());
        double total = Clip.gradNorm(List.of(a, b), 1.5);
        assertEquals(get("clip.norm.total").item(), total, 1e-12);
        Golden.assertClose("clipped a", a.grad(), get("clip.norm.a"), 1e-12);
        Golden.assertClose("clipped b", b.grad(), get("clip.norm.b"), 1e-12);
        a.setGrad(get("clip.a").copy());
        b.setGrad(get("clip.b").copy());
        Clip.gradValue(List.of(a, b), 0.7);
        Golden.assertClose("value-clipped a", a.grad(), get("clip.value.a"), 0);
        Golden.assertClose("value-clipped b", b.grad(), get("clip.value.b"), 0);
    }
}
