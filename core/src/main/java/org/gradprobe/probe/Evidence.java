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
 * @param throughTime      recurrent layers: the gradient at the hidden state through time (null otherwise)
 */
public record Evidence(long[] steps, Double gradNorm, Double gradRms, Double valueRms, Double gradZeroFraction, Double ratioToOutput,
                       Double weightNorm, Double weightGradNorm, Double updateRatio, String cutOffBy, boolean spike, Double deadFraction,
                       Double saturatedFraction, Long nonfiniteValues, TimeEvidence throughTime) {

    /**
     * A recurrent layer's gradient through time, for its stacked layer whose gradient changes the most between
     * the last time step and the first.
     *
     * @param layer       that stacked layer (0: the first)
     * @param steps       the sequence's length
     * @param firstToLast median over the window of the gradient norm at the first time step over the one at the last
     * @param memory      in the latest record, how many steps back from the last the gradient stays at or above
     *                    {@code fraction} of the last's (the effective memory; {@code steps} when it never falls below)
     * @param fraction    that fraction (the vanishing-through-time threshold)
     */
    public record TimeEvidence(int layer, int steps, double firstToLast, int memory, double fraction) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", layer);
            m.put("steps", steps);
            m.put("first_to_last", firstToLast);
            m.put("memory_steps", memory);
            m.put("memory_threshold", fraction);
            return m;
        }
    }

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
        if (throughTime != null) m.put("through_time", throughTime.toJson());
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) m.put(key, value);
    }
}
