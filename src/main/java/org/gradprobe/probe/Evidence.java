package org.gradprobe.probe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The numbers behind a layer's verdicts, as of its latest record; a number that does not apply (no
 * weight, not a ReLU layer, no record yet) is null.
 *
 * @param steps            the first and last step of the window judged; null when nothing was recorded
 * @param gradNorm         L2 norm of the gradient at the layer's output (latest record)
 * @param gradRms          its RMS
 * @param valueRms         RMS of the layer's output
 * @param gradZeroFraction fraction of that gradient that is exactly zero (null when no gradient arrived)
 * @param ratioToOutput    median over the window of gradNorm divided by the network output's
 * @param weightNorm       L2 norm of the layer's weight
 * @param weightGradNorm   L2 norm of the weight's gradient
 * @param updateRatio      median over the window of the update's norm divided by the weight's
 * @param cutOffBy         the dead ReLU layer after this one that cuts its gradient off
 * @param spike            true when the gradient norm jumped far above the layer's own history
 * @param deadFraction     ReLU layers: median fraction of units inactive on every sample of the window
 * @param saturatedFraction sigmoid/tanh layers: median fraction of outputs at their bounds
 * @param nonfiniteValues  NaN and Inf counted in the layer's values, gradients and weights
 */
public record Evidence(long[] steps, Double gradNorm, Double gradRms, Double valueRms, Double gradZeroFraction, Double ratioToOutput,
                       Double weightNorm, Double weightGradNorm, Double updateRatio, String cutOffBy, boolean spike, Double deadFraction,
                       Double saturatedFraction, Long nonfiniteValues) {

    /** The JSON object of the run record and {@code diagnose --json}: the numbers that apply, in this order. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (steps != null) {
            m.put("steps", steps);
            m.put("grad_norm", gradNorm);
            m.put("grad_rms", gradRms);
            m.put("value_rms", valueRms);
            m.put("grad_zero_fraction", gradZeroFraction);
        }
        put(m, "ratio_to_output", ratioToOutput);
        put(m, "weight_norm", weightNorm);
        put(m, "weight_grad_norm", weightGradNorm);
        put(m, "update_ratio", updateRatio);
        put(m, "cut_off_by", cutOffBy);
        if (spike) m.put("spike", true);
        put(m, "dead_fraction", deadFraction);
        put(m, "saturated_fraction", saturatedFraction);
        put(m, "nonfinite_values", nonfiniteValues);
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) m.put(key, value);
    }
}
