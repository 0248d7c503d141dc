package org.gradprobe.optim;

import java.util.HashMap;
import java.util.Map;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.tensor.Tensor;

/**
 * Stochastic gradient descent as torch.optim.SGD: with weight decay wd, momentum μ, dampening τ,
 * <pre>
 *   g ← grad + wd·p
 *   b ← g (first step), else μ·b + (1−τ)·g
 *   g ← g + μ·b if nesterov, else b
 *   p ← p − lr·g
 * </pre>
 * (Nesterov momentum after Sutskever et al., 2013.)
 */
public final class Sgd extends Optimizer {
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final Map<String, double[]> buffers = new HashMap<>();

    public Sgd(Map<String, Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(params, lr);
        checkNonNegative("momentum", momentum);
        checkNonNegative("weight decay", weightDecay);
        if (!Double.isFinite(dampening)) throw new IllegalArgumentException("invalid dampening: " + dampening);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("nesterov momentum requires a momentum and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public Sgd(Map<String, Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, 0, false);
    }

    @Override
    protected void update(String name, Tensor p, Tensor grad) {
        int n = p.numel();
        double[] buf = buffers.get(name);
        boolean first = buf == null;
        if (momentum != 0 && first) {
            buf = new double[n];
            buffers.put(name, buf);
        }
        double[] mb = buf;
        // elementwise and independent: large tensors are split over the cores; the arrays are read directly
        Parallel.forChunks(n, Parallel.MIN_WORK, (chunk, from, to) -> {
            if (!first && momentum != 0 && weightDecay == 0 && !nesterov) {
                // the usual recipe in a kernel: the same arithmetic as direction() without its branches
                Kernels.sgdMomentum(p.data(), grad.data(), mb, from, to, momentum, 1 - dampening, lr);
            } else {
                Kernels.update(p.data(), grad.data(), from, to, (pi, gi, i) -> pi - lr * direction(gi, pi, mb, i, first));
            }
        });
    }

    /** PyTorch's SGD direction for one element: weight decay, then the momentum buffer (updated in place), then Nesterov. */
    private double direction(double g, double p, double[] buf, int i, boolean first) {
        if (weightDecay != 0) g += weightDecay * p;
        if (momentum != 0) {
            buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g;
            g = nesterov ? g + momentum * buf[i] : buf[i];
        }
        return g;
    }

    @Override
    public String describe() {
        return "sgd(lr=" + lr + ", momentum=" + momentum + ", dampening=" + dampening + ", weight_decay=" + weightDecay
                + ", nesterov=" + nesterov + ")";
    }
}
