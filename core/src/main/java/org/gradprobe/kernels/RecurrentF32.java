package org.gradprobe.kernels;

// @generate-float64
/**
 * The pointwise part of one time step of a recurrent layer, float32, forward and backward side by side,
 * over a batch of {@code n} rows of {@code h} hidden units. The matrix products around them (input to
 * hidden for all steps at once, hidden to hidden per step) are {@link Kernels#gemm}'s. Gate order and
 * equations are PyTorch's: LSTM (i, f, g, o), GRU (r, z, n). Activations are computed in double and
 * rounded.
 */
final class RecurrentF32 {
    private RecurrentF32() {}

    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    static float tanh(float x) {
        return (float) Math.tanh(x);
    }

    /** Plain RNN: h = tanh(pre) or relu(pre), pre [n, h] at {@code off}, in place. */
    static void rnnForward(float[] pre, int off, int len, boolean relu) {
        for (int i = off; i < off + len; i++) pre[i] = relu ? Math.max(pre[i], 0f) : tanh(pre[i]);
    }

    /** Plain RNN backward: dPre = dh·(1 − h²) (tanh) or dh·[h &gt; 0] (relu), from the outputs h. */
    static void rnnBackward(float[] hOut, int hOff, float[] dh, float[] dPre, int dOff, int len, boolean relu) {
        for (int i = 0; i < len; i++) {
            float y = hOut[hOff + i];
            dPre[dOff + i] = relu ? (y > 0 ? dh[i] : 0f) : dh[i] * (1 - y * y);
        }
    }

    /**
     * LSTM forward: gates [n, 4h] at {@code gOff} hold the pre-activations (i, f, g, o) and are replaced by
     * the activations; c = f·cPrev + i·g and h = o·tanh(c) are written at {@code cOff} and {@code hOff}.
     */
    static void lstmForward(float[] gates, int gOff, float[] cs, int cPrevOff, int cOff, float[] hs, int hOff, int n, int h) {
        for (int b = 0; b < n; b++) lstmForwardUnits(gates, gOff, cs, cPrevOff, cOff, hs, hOff, b, h, 0, h);
    }

    /** {@link #lstmForward} for units [from, to) of batch row b (the vector kernel's tail). */
    static void lstmForwardUnits(float[] gates, int gOff, float[] cs, int cPrevOff, int cOff, float[] hs, int hOff, int b, int h, int from, int to) {
        int g0 = gOff + b * 4 * h, s = b * h;
        for (int j = from; j < to; j++) {
            float ig = sigmoid(gates[g0 + j]);
            float fg = sigmoid(gates[g0 + h + j]);
            float gg = tanh(gates[g0 + 2 * h + j]);
            float og = sigmoid(gates[g0 + 3 * h + j]);
            gates[g0 + j] = ig;
            gates[g0 + h + j] = fg;
            gates[g0 + 2 * h + j] = gg;
            gates[g0 + 3 * h + j] = og;
            float c = fg * cs[cPrevOff + s + j] + ig * gg;
            cs[cOff + s + j] = c;
            hs[hOff + s + j] = og * tanh(c);
        }
    }

    /**
     * LSTM backward of one step: from dh [n, h] (the whole gradient at h_t) and dc [n, h] (what reaches c_t
     * from step t+1, replaced by what reaches c_{t−1}), the gradient at the gates' pre-activations,
     * written to dPre [n, 4h] at {@code dOff}.
     */
    static void lstmBackward(float[] gates, int gOff, float[] cs, int cPrevOff, int cOff, float[] dh, float[] dc,
                             float[] dPre, int dOff, int n, int h) {
        for (int b = 0; b < n; b++) lstmBackwardUnits(gates, gOff, cs, cPrevOff, cOff, dh, dc, dPre, dOff, b, h, 0, h);
    }

    /** {@link #lstmBackward} for units [from, to) of batch row b. */
    static void lstmBackwardUnits(float[] gates, int gOff, float[] cs, int cPrevOff, int cOff, float[] dh, float[] dc,
                                  float[] dPre, int dOff, int b, int h, int from, int to) {
        int g0 = gOff + b * 4 * h, d0 = dOff + b * 4 * h, s = b * h;
        for (int j = from; j < to; j++) {
            float ig = gates[g0 + j], fg = gates[g0 + h + j], gg = gates[g0 + 2 * h + j], og = gates[g0 + 3 * h + j];
            float tc = tanh(cs[cOff + s + j]);
            float dhj = dh[s + j];
            float dcj = dc[s + j] + dhj * og * (1 - tc * tc);
            dPre[d0 + j] = dcj * gg * ig * (1 - ig);
            dPre[d0 + h + j] = dcj * cs[cPrevOff + s + j] * fg * (1 - fg);
            dPre[d0 + 2 * h + j] = dcj * ig * (1 - gg * gg);
            dPre[d0 + 3 * h + j] = dhj * tc * og * (1 - og);
            dc[s + j] = dcj * fg;
        }
    }

    /**
     * GRU forward: xi [n, 3h] at {@code xOff} holds x·W_ihᵀ + b_ih and hh [n, 3h] holds h_{t−1}·W_hhᵀ + b_hh;
     * r = σ(xi_r + hh_r), z = σ(xi_z + hh_z), n = tanh(xi_n + r·hh_n), h = (1 − z)·n + z·h_{t−1}. The
     * activations (r, z, n) replace xi; hh_n is kept at {@code hnOff} of {@code hn} for the backward.
     */
    static void gruForward(float[] xi, int xOff, float[] hh, float[] hn, int hnOff, float[] hs, int hPrevOff, int hOff, int n, int h) {
        for (int b = 0; b < n; b++) gruForwardUnits(xi, xOff, hh, hn, hnOff, hs, hPrevOff, hOff, b, h, 0, h);
    }

    /** {@link #gruForward} for units [from, to) of batch row b. */
    static void gruForwardUnits(float[] xi, int xOff, float[] hh, float[] hn, int hnOff, float[] hs, int hPrevOff, int hOff, int b, int h,
                                int from, int to) {
        int x0 = xOff + b * 3 * h, h0 = b * 3 * h, s = b * h;
        for (int j = from; j < to; j++) {
            float r = sigmoid(xi[x0 + j] + hh[h0 + j]);
            float z = sigmoid(xi[x0 + h + j] + hh[h0 + h + j]);
            float hnj = hh[h0 + 2 * h + j];
            float nn = tanh(xi[x0 + 2 * h + j] + r * hnj);
            xi[x0 + j] = r;
            xi[x0 + h + j] = z;
            xi[x0 + 2 * h + j] = nn;
            hn[hnOff + s + j] = hnj;
            hs[hOff + s + j] = (1 - z) * nn + z * hs[hPrevOff + s + j];
        }
    }

    /**
     * GRU backward of one step: from dh [n, h], the gradients at the input side's pre-activations (dXi,
     * [n, 3h] at {@code dOff}) and at the hidden side's (dHh, same layout: its n part is r times the input
     * side's), and the part of the gradient at h_{t−1} that does not pass through W_hh, written to {@code carry}.
     */
    static void gruBackward(float[] act, int aOff, float[] hn, int hnOff, float[] hs, int hPrevOff, float[] dh,
                            float[] dXi, float[] dHh, int dOff, float[] carry, int n, int h) {
        for (int b = 0; b < n; b++) gruBackwardUnits(act, aOff, hn, hnOff, hs, hPrevOff, dh, dXi, dHh, dOff, carry, b, h, 0, h);
    }

    /** {@link #gruBackward} for units [from, to) of batch row b. */
    static void gruBackwardUnits(float[] act, int aOff, float[] hn, int hnOff, float[] hs, int hPrevOff, float[] dh,
                                 float[] dXi, float[] dHh, int dOff, float[] carry, int b, int h, int from, int to) {
        int a0 = aOff + b * 3 * h, d0 = dOff + b * 3 * h, s = b * h;
        for (int j = from; j < to; j++) {
            float r = act[a0 + j], z = act[a0 + h + j], nn = act[a0 + 2 * h + j];
            float dhj = dh[s + j];
            float dnPre = dhj * (1 - z) * (1 - nn * nn);
            float dzPre = dhj * (hs[hPrevOff + s + j] - nn) * z * (1 - z);
            float drPre = dnPre * hn[hnOff + s + j] * r * (1 - r);
            dXi[d0 + j] = drPre;
            dXi[d0 + h + j] = dzPre;
            dXi[d0 + 2 * h + j] = dnPre;
            dHh[d0 + j] = drPre;
            dHh[d0 + h + j] = dzPre;
            dHh[d0 + 2 * h + j] = dnPre * r;
            carry[s + j] = dhj * z;
        }
    }

    /**
     * dh[b, j] = g[b, t, j] + carry[b, j] for the n rows of a batch-first gradient g [n, steps, h] at step t:
     * the whole gradient reaching h_t (from the output at t, and through the recurrence from t+1). Returns
     * Σ dh² in double.
     */
    static double gradientAt(float[] g, int t, int steps, float[] carry, float[] dh, int n, int h) {
        double sq = 0;
        for (int b = 0; b < n; b++) {
            int src = (b * steps + t) * h, s = b * h;
            for (int j = 0; j < h; j++) {
                float v = g[src + j] + carry[s + j];
                dh[s + j] = v;
                sq += (double) v * v;
            }
        }
        return sq;
    }

    /** Reorders [a, b, d] at srcOff to [b, a, d] at dstOff (batch first to time major and back). */
    static void swapLeading(float[] src, int srcOff, float[] dst, int dstOff, int a, int b, int d) {
        for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) System.arraycopy(src, srcOff + (i * b + j) * d, dst, dstOff + (j * a + i) * d, d);
    }
}
