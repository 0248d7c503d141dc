package org.gradprobe.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.gradprobe.autograd.Node;
import org.gradprobe.nn.Init;
import org.gradprobe.nn.Model;
import org.gradprobe.nn.ModelSpec;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GradCheckTest {
    static Stream<String> ops() {
        return OpRegistry.cases().stream().map(OpRegistry.OpCase::name);
    }

    static OpRegistry.OpCase find(String name) {
        return OpRegistry.cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void everyOpPassesInEveryModeAndPrecision(String name) {
        for (CheckOptions.Mode m : CheckOptions.Mode.values()) {
            for (DType dt : DType.values()) {
                CheckResult r = OpRegistry.check(find(name), CheckOptions.of(m, dt, 3));
                assertTrue(r.passed(), r.report());
            }
        }
    }

    @Test
    void everyOpOfTheFunctionalApiHasACase() {
        Set<String> api = new TreeSet<>();
        for (Method m : F.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())) api.add(m.getName());
        }
        api.removeAll(OpRegistry.covered());
        assertEquals(Set.of(), api, "ops of F without a gradient check in OpRegistry");
    }

    static Tensor t(double... v) {
        return Tensor.of(DType.FLOAT64, new int[] {1, v.length}, v).requiresGrad(true);
    }

    @Test
    void pointsAtKinksAreSkippedAndCountedNotFailed() {
        CheckOptions o = CheckOptions.of(CheckOptions.Mode.FULL, DType.FLOAT64, 1);
        CheckResult relu = GradCheck.check("relu at 0", in -> F.relu(in[0]), new Tensor[] {t(0, 1, -2, 0)}, null, o);
        assertTrue(relu.passed(), relu.report());
        assertEquals(2, relu.tensors().get(0).kinks());
        Tensor ties = Tensor.of(DType.FLOAT64, new int[] {1, 1, 2, 2}, new double[] {3, 3, 1, 2}).requiresGrad(true);
        CheckResult pool = GradCheck.check("maxpool tie", in -> F.maxPool2d(in[0], 2, 2), new Tensor[] {ties}, null, o);
        assertTrue(pool.passed(), pool.report());
        assertEquals(2, pool.tensors().get(0).kinks());
        CheckResult leaky = GradCheck.check("leaky at 0", in -> F.leakyRelu(in[0], 0.2), new Tensor[] {t(0, 0.5)}, null, o);
        assertEquals(1, leaky.tensors().get(0).kinks());
    }

    // ---- mutations: wrong backward rules the checker must flag ----

    /** f's forward, with a backward of our own making. */
    interface Rule {
        Tensor[] backward(Tensor g, Tensor[] in, Tensor out);
    }

    static GradCheck.Fn mutate(String op, GradCheck.Fn forward, Rule wrong) {
        return in -> {
            Tensor[] plain = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) plain[i] = in[i].detach();
            Tensor out = forward.apply(plain).detach();
            return Node.record(op + "_mutant", out, g -> wrong.backward(g, plain, out), in);
        };
    }

    static Tensor scale(Tensor t, double s) {
        Tensor r = t.copy();
        for (int i = 0; i < r.numel(); i++) r.set(i, s * r.get(i));
        return r;
    }

    /** The correct gradients of {@code fn} for seed g, from the real op. */
    static Tensor[] correct(GradCheck.Fn fn, Tensor[] in, Tensor g) {
        Tensor[] fresh = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) fresh[i] = in[i].copy().requiresGrad(true);
        org.gradprobe.autograd.Backward.backward(fn.apply(fresh), g, null);
        Tensor[] out = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) out[i] = fresh[i].grad();
        return out;
    }

    record Mutant(String name, String op, int badInput, GradCheck.Fn fn) {}

    static List<Mutant> mutants() {
        OpRegistry.OpCase linear = find("linear"), conv = find("conv2d"), pool = find("maxpool2d"), sig = find("sigmoid"), tanh = find("tanh");
        OpRegistry.OpCase lstm = find("lstm"), gru = find("gru"), rnn = find("rnn tanh");
        return List.of(
                new Mutant("missing factor", "sigmoid", 0, mutate("sigmoid", sig.fn(), (g, in, out) -> new Tensor[] {
                    scale(correct(sig.fn(), in, g)[0], 4)})),                        // forgot the σ(1−σ) ≤ 1/4 factor's scale
                new Mutant("transposed weight gradient", "linear", 1, mutate("linear", linear.fn(), (g, in, out) -> {
                    Tensor[] c = correct(linear.fn(), in, g);
                    Tensor w = c[1], tr = Tensor.zerosLike(w);
                    int o = w.dim(0), n = w.dim(1);
                    for (int i = 0; i < o * n; i++) tr.set(i, w.get((i % o) * n + i / o));   // the [n,o] transpose read as [o,n]
                    return new Tensor[] {c[0], tr, c[2]};
                })),
                new Mutant("wrong pooling index", "maxpool2d", 0, mutate("maxpool2d", pool.fn(), (g, in, out) -> {
                    Tensor gx = correct(pool.fn(), in, g)[0], shifted = Tensor.zerosLike(gx);
                    for (int i = 0; i < gx.numel(); i++) shifted.set((i + 1) % gx.numel(), gx.get(i));   // routed to the neighbour
                    return new Tensor[] {shifted};
                })),
                new Mutant("dropped bias gradient", "conv2d", 2, mutate("conv2d", conv.fn(), (g, in, out) -> {
                    Tensor[] c = correct(conv.fn(), in, g);
                    return new Tensor[] {c[0], c[1], Tensor.zerosLike(c[2])};
                })),
                new Mutant("sign error", "tanh", 0, mutate("tanh", tanh.fn(), (g, in, out) -> new Tensor[] {
                    scale(correct(tanh.fn(), in, g)[0], -1)})),
                // recurrent layers: the gates' gradients read in another order (LSTM i and f, GRU r and z swapped)
                new Mutant("wrong gate order (lstm)", "lstm", 1, mutate("lstm", lstm.fn(), (g, in, out) -> swapGates(correct(lstm.fn(), in, g), 4))),
                new Mutant("wrong gate order (gru)", "gru", 2, mutate("gru", gru.fn(), (g, in, out) -> swapGates(correct(gru.fn(), in, g), 3))),
                // the gradient carried from h_t back to h_{t−1} through W_hh forgotten: each step sees only its own output's
                new Mutant("dropped recurrent term (lstm)", "lstm", 0, mutate("lstm", lstm.fn(), (g, in, out) -> withoutRecurrence(lstm.fn(), in, g))),
                new Mutant("dropped recurrent term (rnn)", "rnn tanh", 0, mutate("rnn", rnn.fn(), (g, in, out) -> withoutRecurrence(rnn.fn(), in, g))),
                // the backward loop stops before step 0
                new Mutant("missing time step (gru)", "gru", 0, mutate("gru", gru.fn(), (g, in, out) -> {
                    Tensor[] c = correct(gru.fn(), in, g);
                    int n = c[0].dim(0), steps = c[0].dim(1), d = c[0].dim(2);
                    for (int b = 0; b < n; b++) for (int j = 0; j < d; j++) c[0].set(b * steps * d + j, 0);
                    return c;
                })));
    }

    /** The gradients with the first two gate blocks of every weight and bias gradient swapped ({@code gates} blocks in all). */
    static Tensor[] swapGates(Tensor[] grads, int gates) {
        for (int i = 1; i < grads.length; i++) {
            Tensor w = grads[i];
            int rows = w.dim(0) / gates, cols = w.numel() / w.dim(0);
            for (int e = 0; e < rows * cols; e++) {
                double a = w.get(e);
                w.set(e, w.get(rows * cols + e));
                w.set(rows * cols + e, a);
            }
        }
        return grads;
    }

    /**
     * The gradients of a recurrent layer whose backward forgets the recurrence: the input at step t gets only
     * what step t's own output sends it, holding h_{t−1} fixed. Step t's share is the gradient at the last input
     * of the layer run on the first t+1 steps, seeded at step t only. Weights keep their correct gradients.
     */
    static Tensor[] withoutRecurrence(GradCheck.Fn fn, Tensor[] in, Tensor g) {
        Tensor x = in[0];
        int n = x.dim(0), steps = x.dim(1), d = x.dim(2), h = g.dim(2);
        Tensor[] out = correct(fn, in, g);
        for (int t = 0; t < steps; t++) {
            Tensor[] fresh = new Tensor[in.length];
            Tensor prefix = Tensor.zeros(x.dtype, n, t + 1, d), seed = Tensor.zeros(x.dtype, n, t + 1, h);
            for (int b = 0; b < n; b++) {
                for (int s = 0; s <= t; s++) for (int j = 0; j < d; j++) prefix.set((b * (t + 1) + s) * d + j, x.get((b * steps + s) * d + j));
                for (int j = 0; j < h; j++) seed.set((b * (t + 1) + t) * h + j, g.get((b * steps + t) * h + j));
            }
            fresh[0] = prefix.requiresGrad(true);
            for (int i = 1; i < in.length; i++) fresh[i] = in[i].copy().requiresGrad(true);
            org.gradprobe.autograd.Backward.backward(fn.apply(fresh), seed, null);
            for (int b = 0; b < n; b++) {
                for (int j = 0; j < d; j++) out[0].set((b * steps + t) * d + j, fresh[0].grad().get((b * (t + 1) + t) * d + j));
            }
        }
        return out;
    }

    @Test
    void everyMutantIsFlaggedAtItsTensorInEveryMode() {
        for (Mutant m : mutants()) {
            OpRegistry.OpCase base = find(m.op());
            for (CheckOptions.Mode mode : CheckOptions.Mode.values()) {
                CheckOptions o = CheckOptions.of(mode, DType.FLOAT64, 5);
                Tensor[] in = base.inputs().make(DType.FLOAT64, new java.util.SplittableRandom(11));
                CheckResult r = GradCheck.check(m.name(), m.fn(), in, base.inputNames(), o);
                assertFalse(r.passed(), m.name() + " passed in " + mode + ":\n" + r.report());
                TensorCheck bad = r.tensors().get(m.badInput());
                assertFalse(bad.passed(), m.name() + ": the failing tensor should be " + bad.name() + "\n" + r.report());
                assertFalse(bad.mismatches().isEmpty(), "lists where: " + r.report());
            }
        }
    }

    @Test
    void theSeedCnnPassesTheFastCheck() {
        Model m = ModelSpec.build("seed-cnn", null, DType.FLOAT64, Init.pytorchDefault(), 0);
        List<CheckResult> ok = ModelCheck.check(m, 2, CheckOptions.of(CheckOptions.Mode.FAST, DType.FLOAT64, 0));
        for (CheckResult r : ok) assertTrue(r.passed(), r.report());
        assertEquals(m.layers().size(), ok.size(), "parameters and input, then the input of every later layer");
    }
}
