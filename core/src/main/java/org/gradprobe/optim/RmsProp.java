package org.gradprobe.optim;

import java.util.HashMap;
import java.util.Map;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.tensor.Tensor;

/**
 * RMSprop (Hinton's lecture notes, 2012) as torch.optim.RMSprop:
 * <pre>
 *   g ← grad + wd·p;  v ← αv + (1−α)g²
 *   centered: ḡ ← αḡ + (1−α)g,  d ← √(v − ḡ²) + ε;  else d ← √v + ε
 *   momentum μ &gt; 0: b ← μb + g/d,  p ← p − lr·b;  else p ← p − lr·g/d
 * </pre>
 */
public final class RmsProp extends Optimizer {
    private final double alpha, eps, weightDecay, momentum;
    private final boolean centered;
    private final Map<String, double[]> square = new HashMap<>(), mean = new HashMap<>(), buffer = new HashMap<>();

    public RmsProp(Map<String, Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        super(params, lr);
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("invalid alpha: " + alpha);
        checkNonNegative("eps", eps);
        checkNonNegative("weight decay", weightDecay);
        checkNonNegative("momentum", momentum);
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.centered = centered;
    }

    /** RMSprop with torch.optim.RMSprop's defaults (α 0.99, ε 1e-8, no weight decay, no momentum, not centered). */
    public RmsProp(Map<String, Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    @Override
    protected void update(String name, Tensor p, Tensor grad) {
        int n = p.numel();
        double[] v = square.computeIfAbsent(name, k -> new double[n]);
        double[] gm = centered ? mean.computeIfAbsent(name, k -> new double[n]) : null;
        double[] b = momentum > 0 ? buffer.computeIfAbsent(name, k -> new double[n]) : null;
        // elementwise and independent: large tensors are split over the cores, a kernel on each chunk
        Parallel.forChunks(n, Parallel.MIN_WORK, (chunk, from, to) -> {
            Kernels.rmsProp(p.data(), grad.data(), v, gm, b, from, to, weightDecay, alpha, eps, momentum, lr);
        });
    }

    @Override
    public String describe() {
        return "rmsprop(lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + ", weight_decay=" + weightDecay + ", momentum=" + momentum
                + ", centered=" + centered + ")";
    }
}
