package org.gradprobe.optim;

import java.util.Collection;
import org.gradprobe.tensor.Tensor;

/** Gradient clipping as torch.nn.utils.clip_grad_norm_ and clip_grad_value_. */
public final class Clip {
    private Clip() {}

    /**
     * Scales all gradients (Modified) by min(1, maxNorm/(total + 1e-6)) where total is the L2 norm of
     * all gradients together; returns that total norm (before clipping).
     */
    public static double gradNorm(Collection<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("invalid max norm: " + maxNorm);
        double sq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (int i = 0; i < g.numel(); i++) sq += g.get(i) * g.get(i);
        }
        double total = Math.sqrt(sq);
        double coef = Math.min(1.0, maxNorm / (total + 1e-6));
        if (coef < 1.0) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                for (int i = 0; i < g.numel(); i++) g.set(i, g.get(i) * coef);
            }
        }
        return total;
    }

    /** Clamps every gradient element (Modified) into [−clip, clip]; returns how many elements it changed. */
    public static long gradValue(Collection<Tensor> params, double clip) {
        if (!(clip > 0)) throw new IllegalArgumentException("invalid clip value: " + clip);
        long changed = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (int i = 0; i < g.numel(); i++) {
                double v = g.get(i), c = Math.max(-clip, Math.min(clip, v));
                if (c != v) {
                    g.set(i, c);
                    changed++;
                }
            }
        }
        return changed;
    }
}
