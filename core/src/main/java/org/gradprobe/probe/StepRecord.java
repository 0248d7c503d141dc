package org.gradprobe.probe;

/**
 * What the probe recorded for one node over one recorded step (or, after downsampling, over the steps
 * {@code fromStep}..{@code toStep} merged).
 *
 * @param value      statistics of the node's forward value (a layer's output, or a parameter's weights)
 * @param grad       statistics of the gradient arriving at the node (null if none arrived)
 * @param deadFraction      for ReLU outputs, the fraction of units inactive on every sample of the recent batches; NaN otherwise
 * @param saturatedFraction for sigmoid/tanh outputs, the fraction within 1% of their bounds; NaN otherwise
 * @param updateNorm for parameters, the L2 norm of the optimizer's update; NaN otherwise
 * @param throughTime for recurrent layers, the gradient at the hidden state at every time step; null otherwise
 */
public record StepRecord(long fromStep, long toStep, Stats value, Stats grad, double deadFraction, double saturatedFraction, double updateNorm,
                         ThroughTimeProfile throughTime) {

    public StepRecord(long fromStep, long toStep, Stats value, Stats grad, double deadFraction, double saturatedFraction, double updateNorm) {
        this(fromStep, toStep, value, grad, deadFraction, saturatedFraction, updateNorm, null);
    }

    /** A layer output's record of one step: {@code unitFraction} is the dead fraction of a ReLU, the saturated one of a sigmoid/tanh. */
    static StepRecord activation(long step, Stats value, Stats grad, LayerKind kind, double unitFraction, ThroughTimeProfile throughTime) {
        return new StepRecord(step, step, value, grad, kind == LayerKind.RELU ? unitFraction : Double.NaN,
                kind.saturates() ? unitFraction : Double.NaN, Double.NaN, throughTime);
    }

    /** A parameter's record of one step. */
    static StepRecord parameter(long step, Stats weights, Stats grad, double updateNorm) {
        return new StepRecord(step, step, weights, grad, Double.NaN, Double.NaN, updateNorm);
    }

    /** update norm / weight norm (before the update); NaN when not a parameter. */
    public double updateRatio() {
        double w = value.norm();
        return Double.isNaN(updateNorm) ? Double.NaN : (w == 0 ? Double.POSITIVE_INFINITY : updateNorm / w);
    }

    public double gradNorm() {
        return grad == null ? Double.NaN : grad.norm();
    }

    public double gradRms() {
        return grad == null ? Double.NaN : grad.rms();
    }

    /** The merge of two adjacent records: statistics merged, fractions and update norms averaged by steps, the later profile through time kept. */
    StepRecord merge(StepRecord later) {
        long a = toStep - fromStep + 1, b = later.toStep - later.fromStep + 1;
        Stats v = value.copy().merge(later.value);
        Stats g = grad == null ? later.grad : later.grad == null ? grad : grad.copy().merge(later.grad);
        return new StepRecord(fromStep, later.toStep, v, g, avg(deadFraction, a, later.deadFraction, b),
                avg(saturatedFraction, a, later.saturatedFraction, b), avg(updateNorm, a, later.updateNorm, b),
                later.throughTime != null ? later.throughTime : throughTime);
    }

    private static double avg(double x, long a, double y, long b) {
        return Double.isNaN(x) ? y : Double.isNaN(y) ? x : (x * a + y * b) / (a + b);
    }
}
