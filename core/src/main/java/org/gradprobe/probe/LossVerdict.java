package org.gradprobe.probe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe's judgement of the loss: {@link Verdict#DIVERGING} and/or {@link Verdict#NONFINITE}, or
 * {@link Verdict#HEALTHY} alone.
 *
 * @param first    the loss at the start (the lowest of the first three finite losses); null when no loss was finite
 * @param last     the mean of the recent finite losses; null when no loss was finite
 * @param verdicts the verdicts, most important first
 * @param advice   what to change; empty when healthy
 */
public record LossVerdict(Double first, Double last, List<Verdict> verdicts, List<Advice> advice) {
    public LossVerdict {
        verdicts = List.copyOf(verdicts);
        advice = List.copyOf(advice);
    }

    /** The first of the verdicts. */
    public Verdict verdict() {
        return verdicts.get(0);
    }

    public boolean healthy() {
        return verdict() == Verdict.HEALTHY;
    }

    /** The JSON object of the run record and {@code diagnose --json}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (first != null) {
            m.put("first", first);
            m.put("last", last);
        }
        m.put("verdict", verdict().jsonName());
        m.put("verdicts", verdicts.stream().map(Verdict::jsonName).toList());
        if (!advice.isEmpty()) m.put("advice", advice.stream().map(Advice::text).toList());
        return m;
    }
}
