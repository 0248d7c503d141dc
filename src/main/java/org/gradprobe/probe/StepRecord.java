package org.gradprobe.probe;

/**
 * What the probe recorded for one node over one recorded step (or, after downsampling, over the steps
 * {@code fromStep}..{@code toStep} merged).
 *
 * @param value      statistics of the node's forward value (a layer's output, or a parameter's weights)
 * @param grad       statistics of the gradient arriving at the node (null if none arrived)
 * @param unitFraction for ReLU-like outputs the fraction of dead units, for sigmoid/tanh the saturated fraction; NaN otherwise
 * @param updateNorm for parameters, the L2 norm of the optimizer's update; NaN otherwise
 */
public record StepRecord(long fromStep, long toStep, Stats value, Stats grad, double unitFraction, double updateNorm) {

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

    /** The merge of two adjacent records: statistics merged, fractions and update norms averaged by steps. */
    StepRecord merge(StepRecord later) {
        long a = toStep - fromStep + 1, b = later.toStep - later.fromStep + 1;
        Stats v = value.copy().merge(later.value);
        Stats g = grad == null ? later.grad : later.grad == null ? grad : grad.copy().merge(later.grad);
        return new StepRecord(fromStep, later.toStep, v, g, avg(unitFraction, a, later.unitFraction, b), avg(updateNorm, a, later.updateNorm, b));
    }

    private static double avg(double x, long a, double y, long b) {
        return Double.isNaN(x) ? y : Double.isNaN(y) ? x : (x * a + y * b) / (a + b);
    }
}
