package org.gradprobe.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.gradprobe.tensor.Tensor;

/**
 * Updates named parameters in place from their accumulated gradients. Parameters whose gradient is
 * null are skipped, as in PyTorch. Arithmetic is done in float64 and rounded to the parameter's dtype.
 */
public abstract class Optimizer {
    protected final Map<String, Tensor> params;
    protected double lr;

    protected Optimizer(Map<String, Tensor> params, double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("invalid learning rate: " + lr);
        this.params = new LinkedHashMap<>(params);
        this.lr = lr;
    }

    /** One update of every parameter that has a gradient, in order. */
    public final void step() {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor grad = e.getValue().grad();
            if (grad != null) update(e.getKey(), e.getValue(), grad);
        }
    }

    /** The update of parameter {@code name}, {@code p}, from its gradient (Modified: p, and this optimizer's state for it). */
    protected abstract void update(String name, Tensor p, Tensor grad);

    public double learningRate() { return lr; }

    public void setLearningRate(double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("invalid learning rate: " + lr);
        this.lr = lr;
    }

    public void zeroGrad() {
        for (Tensor p : params.values()) p.zeroGrad();
    }

    /** The parameters this optimizer updates, by name. */
    public Map<String, Tensor> parameters() { return params; }

    /** A short description with its settings, for provenance lines. */
    public abstract String describe();

    protected static void checkNonNegative(String what, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) throw new IllegalArgumentException("invalid " + what + ": " + v);
    }
}
