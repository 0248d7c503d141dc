package org.gradprobe.kernels;

/**
 * The optimizers' rules for one element, in float64 as torch.optim defines them, shared by the loops of
 * both element types ({@link ElementwiseF32#adam}, its float64 twin) and the vector kernels' tails, so
 * that every path gives the same bits.
 */
final class OptimizerRules {
    private OptimizerRules() {}

    /**
     * Adam's new value of one weight with gradient gi (m and v at i updated): p ← p·decay (AdamW's
     * decoupled weight decay, else 1); g ← g + wd·p when wd ≠ 0 (Adam's L2); m ← m + (g − m)(1 − β₁);
     * v ← β₂v + (1 − β₂)g·g; p ← p − stepSize·m / (√v / bc2Sqrt + ε).
     */
    static double adam(double weight, double gi, double[] m, double[] v, int i,
                       double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
        double pi = weight * decay;
        if (wd != 0) gi += wd * pi;
        m[i] += (gi - m[i]) * (1 - beta1);          // PyTorch's lerp form
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        return pi - stepSize * m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps);
    }

    /**
     * RMSprop's new value of one weight pi with gradient gi (state at i updated): g ← g + wd·p when
     * wd ≠ 0; v ← αv + (1 − α)g·g; with {@code mean} (centered) ḡ ← ḡ + (g − ḡ)(1 − α) and
     * d ← √(v − ḡ·ḡ) + ε, else d ← √v + ε; with {@code buf} (momentum) b ← μb + g/d and p ← p − lr·b,
     * else p ← p − lr·g/d. v, mean and buf may be null where not used.
     */
    static double rmsProp(double pi, double gi, double[] v, double[] mean, double[] buf, int i,
                          double wd, double alpha, double eps, double momentum, double lr) {
        if (wd != 0) gi += wd * pi;
        v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
        double d;
        if (mean != null) {
            mean[i] += (gi - mean[i]) * (1 - alpha);    // PyTorch's lerp form
            d = Math.sqrt(v[i] - mean[i] * mean[i]) + eps;
        } else {
            d = Math.sqrt(v[i]) + eps;
        }
        if (buf == null) return pi - lr * gi / d;
        buf[i] = momentum * buf[i] + gi / d;
        return pi - lr * buf[i];
    }
}
