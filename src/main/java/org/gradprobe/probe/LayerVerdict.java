package org.gradprobe.probe;

import java.util.List;
import java.util.Map;

/**
 * The probe's judgement of one layer: its verdicts ("healthy" alone, or any of "vanishing",
 * "exploding", "dead", "saturated", "update_ratio", "nonfinite"), the numbers behind them and what to
 * change.
 */
public record LayerVerdict(String name, String kind, List<String> verdicts, Map<String, Object> evidence, String advice) {
    public boolean healthy() {
        return verdicts.size() == 1 && verdicts.get(0).equals(HEALTHY);
    }

    public static final String HEALTHY = "healthy", VANISHING = "vanishing", EXPLODING = "exploding", DEAD = "dead",
            SATURATED = "saturated", UPDATE_RATIO = "update_ratio", NONFINITE = "nonfinite";
}
