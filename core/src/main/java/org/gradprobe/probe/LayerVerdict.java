package org.gradprobe.probe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe's judgement of one layer: its verdicts ({@link Verdict#HEALTHY} alone, or any of the
 * others but {@link Verdict#DIVERGING}), the numbers behind them and what to change.
 *
 * @param name     the layer's name
 * @param kind     the layer's kind as its spec writes it ("conv2d", "relu", or a kind of the user's own)
 * @param verdicts the verdicts, in the order the detectors check them
 * @param evidence the numbers behind them
 * @param advice   one item per thing to change; empty when healthy
 */
public record LayerVerdict(String name, String kind, List<Verdict> verdicts, Evidence evidence, List<Advice> advice) {
    public LayerVerdict {
        verdicts = List.copyOf(verdicts);
        advice = List.copyOf(advice);
    }

    public boolean healthy() {
        return verdicts.size() == 1 && verdicts.get(0) == Verdict.HEALTHY;
    }

    /** The JSON object of the run record and {@code diagnose --json}. */
    public Map<String, Object> toJson() {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("name", name);
        l.put("kind", kind);
        l.put("verdicts", verdicts.stream().map(Verdict::jsonName).toList());
        l.put("evidence", evidence.toJson());
        l.put("advice", advice.stream().map(Advice::text).toList());
        return l;
    }
}
