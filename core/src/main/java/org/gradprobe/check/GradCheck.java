package org.gradprobe.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.function.Function;
import org.gradprobe.autograd.Backward;
import org.gradprobe.autograd.GradMode;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Storage;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Rand;
import org.gradprobe.tensor.Tensor;

/**
 * Checks the analytic gradient of a function of tensors against central finite differences.
 *
 * <p>The function maps its inputs to one output tensor; the checked quantity is the Jacobian of the
 * output with respect to each input. FULL compares every entry (one forward pair per input element,
 * one backward per output element); SAMPLED compares k input coordinates per tensor through a random
 * projection of the output; FAST compares vᵀ·J·u for random directions u and v (PyTorch's fast mode)
 * and, when that fails, falls back to coordinates of the failing tensor to show where.
 *
 * <p>Kinks: before comparing, the one-sided differences (f(x+h) − f(x))/h and (f(x) − f(x−h))/h are
 * compared; when they disagree beyond tolerance the point sits within h of a non-differentiable point
 * (ReLU at 0, a max-pool tie) and is skipped and counted instead of failed. That test uses only the
 * forward, so a wrong backward cannot hide behind it.
 *
 * <p>The function must be deterministic (fix any random state inside it) and must not keep state
 * between calls that changes its output.
 */
public final class GradCheck {
    private GradCheck() {}

    /** A function under check: new output from the given inputs (which it must not modify). */
    public interface Fn extends Function<Tensor[], Tensor> {}

    /** Checks {@code fn} at {@code inputs} with respect to the inputs that require a gradient. */
    public static CheckResult check(String name, Fn fn, Tensor[] inputs, String[] inputNames, CheckOptions o) {
        return check(name, fn, inputs, inputNames, o, true);
    }

    /**
     * As {@link #check(String, Fn, Tensor[], String[], CheckOptions)}; {@code properties} also verifies
     * that backward is deterministic and linear in the incoming gradient (three more backward passes).
     */
    public static CheckResult check(String name, Fn fn, Tensor[] inputs, String[] inputNames, CheckOptions o, boolean properties) {
        long t0 = System.nanoTime();
        SplittableRandom rng = Rand.stream(o.seed(), "gradcheck");
        // one forward with a graph gives the output at the point and, by one backward, vᵀJ for every input
        for (Tensor t : inputs) if (t != null) t.zeroGrad();
        Tensor out = fn.apply(inputs);
        Tensor out0 = out.detach().copy();
        Tensor v = Tensor.randn(out0.dtype, rng, 1, out0.shape());
        Tensor[] vjp = gradsOf(out, inputs, v);
        List<TensorCheck> checks = new ArrayList<>();
        for (int t = 0; t < inputs.length; t++) {
            if (inputs[t] == null || !inputs[t].requiresGrad()) continue;
            String tn = inputNames != null ? inputNames[t] : "input " + t;
            TensorCheck c;
            switch (o.mode()) {
                case FULL: c = full(tn, fn, inputs, t, out0, o); break;
                case SAMPLED: c = sampled(tn, fn, inputs, t, out0, v, vjp[t], o, o.samples(), rng); break;
                default: {
                    c = fast(tn, fn, inputs, t, out0, v, vjp[t], o, rng);
                    if (c.passed() && c.compared() == 0) {
                        // the random direction crossed a kink somewhere (a max-pool tie among thousands): use coordinates
                        c = sampled(tn, fn, inputs, t, out0, v, vjp[t], o, 32, rng);
                    }
                    if (!c.passed()) {
                        // show where: every coordinate of a small tensor, a large sample of a big one. If every
                        // coordinate agrees, the direction's mismatch was rounding noise of a large output, not a bug.
                        TensorCheck d = inputs[t].numel() <= 4096 ? full(tn, fn, inputs, t, out0, o)
                                : sampled(tn, fn, inputs, t, out0, v, vjp[t], o, 256, rng);
                        c = new TensorCheck(d.name() + (d.passed() ? " (fast mode noisy, coordinates agree)" : " (fast failed)"), d.shape(),
                                d.compared(), d.kinks(), d.maxAbsErr(), d.maxRelErr(), d.mismatches(), d.passed());
                    }
                }
            }
            checks.add(c);
        }
        List<String> notes = new ArrayList<>();
        boolean ok = checks.stream().allMatch(TensorCheck::passed);
        if (properties) ok &= properties(fn, inputs, v, vjp, notes);
        return new CheckResult(name, o, checks, notes, ok, (System.nanoTime() - t0) / 1e9);
    }

    /** The output without a graph, copied: a view (reshape) would otherwise change back with the input. */
    static Tensor evaluate(Fn fn, Tensor[] inputs) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            return fn.apply(inputs).copy();
        }
    }

    /** vᵀJ for every input: one forward and one backward with seed v. Gradients of the inputs are left cleared. */
    static Tensor[] analyticVjp(Fn fn, Tensor[] inputs, Tensor v) {
        for (Tensor t : inputs) if (t != null) t.zeroGrad();
        return gradsOf(fn.apply(inputs), inputs, v);
    }

    /** Backward from {@code out} (made from {@code inputs}, whose gradients are clear) with seed v. */
    static Tensor[] gradsOf(Tensor out, Tensor[] inputs, Tensor v) {
        Tensor[] g = new Tensor[inputs.length];
        if (out.requiresGrad()) {
            Backward.backward(out, v, null);
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] == null) continue;
                g[i] = inputs[i].grad() != null ? inputs[i].grad() : Tensor.zerosLike(inputs[i]);
                inputs[i].zeroGrad();
            }
        } else {
            for (int i = 0; i < inputs.length; i++) if (inputs[i] != null) g[i] = Tensor.zerosLike(inputs[i]);
        }
        return g;
    }

    /** Output at inputs with input {@code t} moved by {@code h·dir} (restored afterwards). */
    static Tensor shifted(Fn fn, Tensor[] inputs, int t, Tensor dir, double h) {
        Tensor x = inputs[t];
        double[] saved = x.doubles().clone();
        for (int i = 0; i < x.numel(); i++) x.set(i, saved[i] + h * dir.get(i));
        try {
            return evaluate(fn, inputs);
        } finally {
            for (int i = 0; i < x.numel(); i++) x.set(i, saved[i]);
        }
    }

    static Tensor shiftedAt(Fn fn, Tensor[] inputs, int t, int j, double h) {
        Tensor x = inputs[t];
        double saved = x.get(j);
        x.set(j, saved + h);
        try {
            return evaluate(fn, inputs);
        } finally {
            x.set(j, saved);
        }
    }

    /** Outputs up to this size get every Jacobian entry; larger ones are seen through {@link #PROJECTIONS} random projections. */
    static final int MAX_EXACT_OUTPUTS = 256;
    static final int PROJECTIONS = 8;

    /**
     * Every input element of {@code t}, one central difference each. For outputs of at most
     * {@value #MAX_EXACT_OUTPUTS} elements every Jacobian entry ∂out_i/∂x_j is compared (one backward per
     * output); for larger outputs, each column is compared through {@value #PROJECTIONS} random
     * projections vₖ·∂out/∂x_j (one backward per projection), so that no output goes unseen.
     */
    static TensorCheck full(String name, Fn fn, Tensor[] inputs, int t, Tensor out0, CheckOptions o) {
        Tensor x = inputs[t];
        int nIn = x.numel(), nOut = out0.numel();
        boolean exact = nOut <= MAX_EXACT_OUTPUTS;
        int rows = exact ? nOut : PROJECTIONS;
        Tensor[] seeds = new Tensor[rows];
        SplittableRandom rng = Rand.stream(o.seed(), "full:" + name);
        double[][] an = new double[rows][];
        for (int i = 0; i < rows; i++) {
            if (exact) {
                seeds[i] = Tensor.zerosLike(out0);
                seeds[i].set(i, 1);
            } else {
                seeds[i] = Tensor.randn(out0.dtype, rng, 1, out0.shape());
            }
            an[i] = analyticVjp(fn, inputs, seeds[i])[t].doubles().clone();
        }
        double[] v = new double[exact ? 0 : rows * nOut];     // the projections, one per row
        if (!exact) for (int i = 0; i < rows; i++) System.arraycopy(seeds[i].doubles(), 0, v, i * nOut, nOut);
        double[] f0 = exact ? out0.doubles() : project(v, rows, out0);
        Acc acc = new Acc(name, x.shape(), o);
        Acc.Judged[] judged = new Acc.Judged[rows];
        for (int j = 0; j < nIn; j++) {
            Tensor plus = shiftedAt(fn, inputs, t, j, o.eps()), minus = shiftedAt(fn, inputs, t, j, -o.eps());
            double[] pp = exact ? plus.doubles() : project(v, rows, plus), pm = exact ? minus.doubles() : project(v, rows, minus);
            boolean mismatch = false;
            for (int i = 0; i < rows; i++) {
                judged[i] = acc.judge(pp[i], f0[i], pm[i], o.eps());
                mismatch |= !acc.passes(judged[i], an[i][j]);
            }
            if (mismatch) {
                // before calling it a bug, measure again with wider and narrower steps (four more evaluations)
                double[][] again = new double[4][];
                double[] steps = {10 * o.eps(), -10 * o.eps(), o.eps() / 10, -o.eps() / 10};
                for (int q = 0; q < 4; q++) {
                    Tensor y = shiftedAt(fn, inputs, t, j, steps[q]);
                    again[q] = exact ? y.doubles() : project(v, rows, y);
                }
                for (int i = 0; i < rows; i++) {
                    if (!acc.passes(judged[i], an[i][j])) {
                        judged[i] = acc.secondOpinion(judged[i], an[i][j], f0[i], again[0][i], again[1][i], again[2][i], again[3][i], o.eps());
                    }
                }
            }
            for (int i = 0; i < rows; i++) {
                int jj = j, ii = i;
                acc.record(j * rows + i, () -> position(x.shape(), jj)
                        + (exact ? (nOut > 1 ? " → out" + position(out0.shape(), ii) : "") : " · projection " + ii), an[i][j], judged[i]);
            }
        }
        return acc.result();
    }

    /** k coordinates of input {@code t}, compared through the projection v of the output. */
    static TensorCheck sampled(String name, Fn fn, Tensor[] inputs, int t, Tensor out0, Tensor v, Tensor vjp, CheckOptions o, int k,
                               SplittableRandom rng) {
        Tensor x = inputs[t];
        int n = x.numel();
        int[] idx;
        if (k >= n) {
            idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = i;
        } else {
            idx = rng.ints(0, n).distinct().limit(k).toArray();
        }
        Acc acc = new Acc(name, x.shape(), o);
        double f0 = dot(v, out0);
        for (int j : idx) {
            double fp = dot(v, shiftedAt(fn, inputs, t, j, o.eps())), fm = dot(v, shiftedAt(fn, inputs, t, j, -o.eps()));
            Acc.Judged judged = acc.judge(fp, f0, fm, o.eps());
            if (!acc.passes(judged, vjp.get(j))) {
                // before calling it a bug, measure again with wider and narrower steps (four more evaluations)
                judged = acc.secondOpinion(judged, vjp.get(j), f0, dot(v, shiftedAt(fn, inputs, t, j, 10 * o.eps())),
                        dot(v, shiftedAt(fn, inputs, t, j, -10 * o.eps())), dot(v, shiftedAt(fn, inputs, t, j, o.eps() / 10)),
                        dot(v, shiftedAt(fn, inputs, t, j, -o.eps() / 10)), o.eps());
            }
            acc.record(j, () -> position(x.shape(), j), vjp.get(j), judged);
        }
        return acc.result();
    }

    /** vᵀJu for a random direction u of input {@code t}. */
    static TensorCheck fast(String name, Fn fn, Tensor[] inputs, int t, Tensor out0, Tensor v, Tensor vjp, CheckOptions o,
                            SplittableRandom rng) {
        Tensor x = inputs[t];
        Tensor u = Tensor.randn(x.dtype, rng, 1, x.shape());
        double f0 = dot(v, out0);
        double fp = dot(v, shifted(fn, inputs, t, u, o.eps())), fm = dot(v, shifted(fn, inputs, t, u, -o.eps()));
        Acc acc = new Acc(name, x.shape(), o);
        acc.add(-1, "random direction", dot(vjp, u), fp, f0, fm, o.eps());
        return acc.result();
    }

    /** Backward is deterministic (two runs agree exactly) and linear in the incoming gradient. */
    static boolean properties(Fn fn, Tensor[] inputs, Tensor v, Tensor[] a, List<String> notes) {
        Tensor[] b = analyticVjp(fn, inputs, v);
        Tensor v2 = v.copy();
        for (int i = 0; i < v2.numel(); i++) v2.set(i, 2.5 * v.get(i));
        Tensor[] c = analyticVjp(fn, inputs, v2);
        boolean ok = true;
        // errors are measured against the largest gradient of any input: a gradient that is zero in exact
        // arithmetic (a bias before batch norm) is rounding noise, not a broken rule
        double scale = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (a[i] == null || inputs[i] == null || !inputs[i].requiresGrad()) continue;
            for (int j = 0; j < a[i].numel(); j++) scale = Math.max(scale, Math.abs(2.5 * a[i].get(j)));
        }
        for (int i = 0; i < inputs.length; i++) {
            if (a[i] == null || inputs[i] == null || !inputs[i].requiresGrad()) continue;
            if (!Arrays.equals(a[i].doubles(), b[i].doubles())) {
                notes.add("backward is not deterministic for input " + i);
                ok = false;
            }
            double worst = 0;
            for (int j = 0; j < a[i].numel(); j++) worst = Math.max(worst, Math.abs(c[i].get(j) - 2.5 * a[i].get(j)));
            // loose enough for rounding amplified by an ill-conditioned network (batch norm over two samples:
            // 5e-12 seen), tight enough for any rule that is not linear (errors of order one)
            double tol = a[i].dtype == DType.FLOAT64 ? 1e-9 : 1e-5;
            if (worst > tol * Math.max(scale, 1e-30)) {
                notes.add(String.format("backward is not linear in the incoming gradient for input %d (error %.2e)", i, worst));
                ok = false;
            }
        }
        return ok;
    }

    /**
     * vₖ·out for each of the {@code rows} projections stored one after another in {@code v}: one
     * out·Vᵀ product on the kernels (the full check of a convolution spends most of its time here).
     */
    static double[] project(double[] v, int rows, Tensor out) {
        double[] s = new double[rows];
        Kernels.gemm(false, true, 1, rows, out.numel(), new Storage.Doubles(out.doubles()), 0, new Storage.Doubles(v), 0, new Storage.Doubles(s), 0, false);
        return s;
    }

    static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.numel(); i++) s += a.get(i) * b.get(i);
        return s;
    }

    static String position(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % Math.max(shape[d], 1);
            flat /= Math.max(shape[d], 1);
        }
        return Arrays.toString(idx);
    }

    /** Accumulates comparisons for one tensor. */
    static final class Acc {
        final String name;
        final int[] shape;
        final CheckOptions o;
        final List<TensorCheck.Mismatch> bad = new ArrayList<>();
        int compared, kinks;
        double maxAbs, maxRel;

        Acc(String name, int[] shape, CheckOptions o) {
            this.name = name;
            this.shape = shape;
            this.o = o;
        }

        /** One comparison, judged but not yet counted. */
        record Judged(boolean kink, double numeric, double noise) {
            double absErr(double analytic) {
                return Math.abs(analytic - numeric);
            }
        }

        Judged judge(double fp, double f0, double fm, double h) {
            // a difference of two large function values carries their rounding error divided by h: allow for it,
            // so that a network with huge activations does not raise false alarms (it is ~1e-9 for a loss near 1)
            double big = Math.max(Math.abs(fp), Math.abs(fm));
            double noise = 8 * (o.dtype() == DType.FLOAT32 ? Math.ulp((float) big) : Math.ulp(big)) / h;
            double right = (fp - f0) / h, left = (f0 - fm) / h;
            boolean kink = Math.abs(right - left) > o.atol() + o.rtol() * Math.abs(right + left) / 2 + 2 * noise;
            return new Judged(kink, (fp - fm) / (2 * h), noise);
        }

        /**
         * A second opinion on a mismatch from two more step sizes, each with its own evaluations: 10·h
         * (ten times less rounding noise: batch norm over two nearly equal samples amplifies rounding
         * ten-thousandfold) and h/10 (a hundred times less truncation error, for large third
         * derivatives). The coordinate passes if either agrees with the analytic value; if both sit on
         * kinks it is a kink; otherwise the first measurement stands. A wrong gradient disagrees at
         * every step size.
         */
        Judged secondOpinion(Judged first, double analytic, double f0, double fpWide, double fmWide, double fpNarrow, double fmNarrow, double h) {
            Judged wide = judge(fpWide, f0, fmWide, 10 * h), narrow = judge(fpNarrow, f0, fmNarrow, h / 10);
            if (!wide.kink() && passes(wide, analytic)) return wide;
            if (!narrow.kink() && passes(narrow, analytic)) return narrow;
            return wide.kink() && narrow.kink() ? wide : first;
        }

        boolean passes(Judged j, double analytic) {
            return j.kink() || j.absErr(analytic) <= o.atol() + o.rtol() * Math.abs(j.numeric()) + j.noise();
        }

        void record(int index, Supplier<String> position, double analytic, Judged j) {
            if (j.kink()) {
                kinks++;
                return;
            }
            compared++;
            double abs = j.absErr(analytic);
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, abs / Math.max(Math.abs(j.numeric()), 1e-300));
            if (!passes(j, analytic)) bad.add(new TensorCheck.Mismatch(index, position.get(), analytic, j.numeric()));
        }

        void add(int index, String position, double analytic, double fp, double f0, double fm, double h) {
            record(index, () -> position, analytic, judge(fp, f0, fm, h));
        }

        TensorCheck result() {
            List<TensorCheck.Mismatch> top = new ArrayList<>(bad);
            top.sort(Comparator.comparingDouble(TensorCheck.Mismatch::absErr).reversed());
            if (top.size() > o.topK()) top = top.subList(0, o.topK());
            return new TensorCheck(name, shape, compared, kinks, maxAbs, maxRel, List.copyOf(top), bad.isEmpty());
        }
    }
}
