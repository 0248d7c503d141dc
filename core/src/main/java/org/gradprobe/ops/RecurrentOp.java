package org.gradprobe.ops;

import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * One layer of a recurrent network over a batch of sequences x [N, T, D] (batch first), from a zero
 * initial state, giving every step's hidden state [N, T, H]: PyTorch's {@code nn.RNN}, {@code nn.LSTM}
 * and {@code nn.GRU} with {@code batch_first=True}, their weights W_ih [G·H, D], W_hh [G·H, H] and biases
 * b_ih, b_hh [G·H] in PyTorch's gate order (G = 1; 4 for i, f, g, o; 3 for r, z, n).
 *
 * <p>The work is batched as cuDNN and PyTorch's CPU path do: the input-to-hidden product of all T steps
 * is one matrix multiply, before the loop; each step adds h_{t−1}·W_hhᵀ over the batch and applies the
 * gates in one pass. Backward walks the steps in reverse, one product a step for the gradient carried to
 * h_{t−1}, and forms the weight gradients after the loop, each in one multiply over all steps. Inside,
 * sequences are time-major [T, N, ·] so that a step's rows are contiguous.
 */
final class RecurrentOp {
    private RecurrentOp() {}

    /** The cell a layer repeats. */
    enum Cell {
        RNN_TANH("rnn_tanh", 1), RNN_RELU("rnn_relu", 1), LSTM("lstm", 4), GRU("gru", 3);

        final String op;
        final int gates;

        Cell(String op, int gates) {
            this.op = op;
            this.gates = gates;
        }
    }

    static Tensor run(Cell cell, Tensor x, Tensor wih, Tensor whh, Tensor bih, Tensor bhh, ThroughTime sink) {
        String op = cell.op;
        Checks.rank(op, x, 3);
        Checks.rank(op + " weight_ih", wih, 2);
        Checks.rank(op + " weight_hh", whh, 2);
        for (Tensor t : new Tensor[] {wih, whh, bih, bhh}) Checks.sameDtype(op, x, t);
        int n = x.dim(0), steps = x.dim(1), d = x.dim(2), h = whh.dim(1), gh = cell.gates * h;
        if (steps < 1) throw new ShapeException(op + ": a sequence needs at least one step, got " + Shapes.str(x.shape()));
        if (wih.dim(0) != gh || wih.dim(1) != d || whh.dim(0) != gh) {
            throw new ShapeException(op + ": weights weight_ih " + Shapes.str(wih.shape()) + " and weight_hh " + Shapes.str(whh.shape())
                    + " do not fit input " + Shapes.str(x.shape()) + " (expected [" + gh + ", " + d + "] and [" + gh + ", " + h + "] for "
                    + cell.gates + " gate" + (cell.gates > 1 ? "s" : "") + " of " + h + " units)");
        }
        for (Tensor b : new Tensor[] {bih, bhh}) {
            if (b != null && (b.rank() != 1 || b.dim(0) != gh)) {
                throw new ShapeException(op + ": bias " + Shapes.str(b.shape()) + " does not fit " + gh + " gate units");
            }
        }
        DType dt = x.dtype;
        boolean gru = cell == Cell.GRU, lstm = cell == Cell.LSTM, relu = cell == Cell.RNN_RELU;

        // the input side of every step at once: pre [T, N, G·H] = x·W_ihᵀ + b_ih (+ b_hh, except for the GRU,
        // whose n gate needs the hidden side apart)
        Tensor xt = Tensor.empty(dt, steps, n, d);
        Kernels.swapLeading(x.data(), 0, xt.data(), 0, n, steps, d);
        Tensor pre = Tensor.empty(dt, steps, n, gh);
        Tensor inBias = bias(dt, gh, bih, gru ? null : bhh), hidBias = gru ? bias(dt, gh, bhh, null) : null;
        for (int r = 0; r < steps * n; r++) Kernels.copy(inBias.data(), 0, pre.data(), r * gh, gh);
        Kernels.gemm(false, true, steps * n, gh, d, xt.data(), 0, wih.data(), 0, pre.data(), 0, true);

        // block 0 of the states is the zero initial state; every other block is written by its step
        Tensor hs = Tensor.empty(dt, steps + 1, n, h), cs = lstm ? Tensor.empty(dt, steps + 1, n, h) : null;
        hs.data().fill(0, n * h, 0);
        if (lstm) cs.data().fill(0, n * h, 0);
        Tensor hh = gru ? Tensor.empty(dt, n, gh) : null, hn = gru ? Tensor.empty(dt, steps, n, h) : null;
        for (int s = 0; s < steps; s++) {
            int po = s * n * gh, prev = s * n * h, cur = (s + 1) * n * h;
            if (gru) {
                for (int r = 0; r < n; r++) Kernels.copy(hidBias.data(), 0, hh.data(), r * gh, gh);
                if (s > 0) Kernels.gemm(false, true, n, gh, h, hs.data(), prev, whh.data(), 0, hh.data(), 0, true);
                Kernels.gruForward(pre.data(), po, hh.data(), hn.data(), s * n * h, hs.data(), prev, cur, n, h);
            } else {
                if (s > 0) Kernels.gemm(false, true, n, gh, h, hs.data(), prev, whh.data(), 0, pre.data(), po, true);
                if (lstm) {
                    Kernels.lstmForward(pre.data(), po, cs.data(), prev, cur, hs.data(), cur, n, h);
                } else {
                    Kernels.rnnForward(pre.data(), po, n * h, relu);
                    Kernels.copy(pre.data(), po, hs.data(), cur, n * h);
                }
            }
        }
        Tensor y = Tensor.empty(dt, n, steps, h);
        Kernels.swapLeading(hs.data(), n * h, y.data(), 0, steps, n, h);

        return Node.record(op, y, g -> {
            Tensor dPre = Tensor.empty(dt, steps, n, gh), dHh = gru ? Tensor.empty(dt, steps, n, gh) : dPre;
            Tensor carry = Tensor.zeros(dt, n, h), dh = Tensor.empty(dt, n, h), dc = lstm ? Tensor.zeros(dt, n, h) : null;
            double[] sq = new double[steps];
            for (int s = steps - 1; s >= 0; s--) {
                sq[s] = Kernels.gradientAt(g.data(), s, steps, carry.data(), dh.data(), n, h);
                int po = s * n * gh, prev = s * n * h, cur = (s + 1) * n * h;
                switch (cell) {
                    case LSTM -> Kernels.lstmBackward(pre.data(), po, cs.data(), prev, cur, dh.data(), dc.data(), dPre.data(), po, n, h);
                    case GRU -> Kernels.gruBackward(pre.data(), po, hn.data(), s * n * h, hs.data(), prev, dh.data(), dPre.data(), dHh.data(), po,
                            carry.data(), n, h);
                    default -> Kernels.rnnBackward(hs.data(), cur, dh.data(), dPre.data(), po, n * h, relu);
                }
                // what reaches h_{t−1} through W_hh (the GRU adds it to the part that bypasses W_hh)
                if (s > 0) Kernels.gemm(false, false, n, h, gh, dHh.data(), po, whh.data(), 0, carry.data(), 0, gru);
            }
            if (sink != null) sink.fill(sq, (long) n * h);

            Tensor gx = null, gwih = null, gwhh = null;
            if (x.requiresGrad()) {
                Tensor gxt = Tensor.empty(dt, steps, n, d);
                Kernels.gemm(false, false, steps * n, d, gh, dPre.data(), 0, wih.data(), 0, gxt.data(), 0, false);
                gx = Tensor.empty(dt, n, steps, d);
                Kernels.swapLeading(gxt.data(), 0, gx.data(), 0, steps, n, d);
            }
            if (wih.requiresGrad()) {
                gwih = Tensor.empty(dt, gh, d);
                Kernels.gemm(true, false, gh, d, steps * n, dPre.data(), 0, xt.data(), 0, gwih.data(), 0, false);
            }
            if (whh.requiresGrad()) {
                // steps 1..T−1 against h_0..h_{T−2} (step 0 met the zero initial state)
                gwhh = Tensor.zeros(dt, gh, h);
                if (steps > 1) Kernels.gemm(true, false, gh, h, (steps - 1) * n, dHh.data(), n * gh, hs.data(), n * h, gwhh.data(), 0, false);
            }
            Tensor gbih = bih != null && bih.requiresGrad() ? LinearOp.sumRows(dPre, steps * n, gh) : null;
            // without the GRU's hidden side, both biases get the same column sums of dPre: summed once
            Tensor gbhh = bhh == null || !bhh.requiresGrad() ? null
                    : gru ? LinearOp.sumRows(dHh, steps * n, gh) : gbih != null ? gbih.copy() : LinearOp.sumRows(dPre, steps * n, gh);
            return new Tensor[] {gx, gwih, gwhh, gbih, gbhh};
        }, x, wih, whh, bih, bhh);
    }

    /** a + b (either may be null: zeros) as one row of {@code n}, summed in double and rounded once. */
    private static Tensor bias(DType dt, int n, Tensor a, Tensor b) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (a != null ? a.get(i) : 0) + (b != null ? b.get(i) : 0);
        return Tensor.of(dt, new int[] {n}, v);
    }
}
