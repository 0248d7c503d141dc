package org.gradprobe.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What gradient clipping did in a run so far.
 *
 * @param clipNorm           the global L2 norm gradients were clipped to; empty when off
 * @param clipValue          the bound every gradient element was clamped to; empty when off
 * @param clippedSteps       steps on which clipping changed the gradients
 * @param steps              steps taken
 * @param largestClippedNorm the largest global norm that norm clipping cut down (0 when none)
 */
public record Clipping(OptionalDouble clipNorm, OptionalDouble clipValue, long clippedSteps, long steps, double largestClippedNorm) {

    /** The object the run record ("clipping") and {@code diagnose --json} write; a setting that is off is null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clip_norm", clipNorm.isPresent() ? clipNorm.getAsDouble() : null);
        m.put("clip_value", clipValue.isPresent() ? clipValue.getAsDouble() : null);
        m.put("clipped_steps", clippedSteps);
        m.put("steps", steps);
        m.put("largest_clipped_norm", largestClippedNorm);
        return m;
    }

    /** One line on what clipping did. */
    public String summary() {
        return "gradient clipping acted on " + clippedSteps + " of " + steps + " steps" + (clippedSteps > 0 && clipNorm.isPresent()
                ? String.format(" (largest global norm cut down: %.3g, to %.3g)", largestClippedNorm, clipNorm.getAsDouble()) : "");
    }
}
