package org.gradprobe.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.io.JsonLines;
import org.gradprobe.probe.Diagnosis;
import org.gradprobe.probe.NodeHistory;
import org.gradprobe.probe.Probe;
import org.gradprobe.probe.Stats;
import org.gradprobe.probe.StepRecord;
import org.gradprobe.train.Evaluation;
import org.gradprobe.train.TrainingListener;

/**
 * Writes the probe's records to the run's JSON-lines log: one "node" record per recorded step and
 * node, a "loss" record per recorded step, a "nonfinite" record when the first NaN/Inf appears, and a
 * "verdicts" record at each epoch and at the end (the schema is in the README).
 */
public final class ProbeLog implements TrainingListener {
    private final JsonLines out;
    private final Probe probe;

    /** A log of {@code probe}'s records into {@code out}; add it to the probe's trainer as a listener. */
    public ProbeLog(JsonLines out, Probe probe) {
        this.out = out;
        this.probe = probe;
    }

    /** The probe's settings, for the provenance line: interval and histogram layout. */
    public static Map<String, Object> describe(Probe probe) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("every", probe.config().every());
        m.put("window", probe.config().window());
        m.put("time_vanish_ratio", probe.config().timeVanishRatio());
        m.put("time_explode_ratio", probe.config().timeExplodeRatio());
        Map<String, Object> bins = new LinkedHashMap<>();
        bins.put("layout", "hist[0] zeros, hist[1] NaN, hist[2] Inf, hist[3+i] |x| in [2^(min_exp+i), 2^(min_exp+i+1)) clamped");
        bins.put("min_exp", Stats.MIN_EXP);
        bins.put("max_exp", Stats.MAX_EXP);
        m.put("histogram", bins);
        return m;
    }

    @Override
    public void onRecord(long step) {
        List<Map<String, Object>> records = new ArrayList<>();
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("type", "loss");
        l.put("step", step);
        l.put("loss", probe.lossAt(step));
        records.add(l);
        for (NodeHistory h : probe.nodes().values()) {
            StepRecord r = h.latest();
            if (r == null || r.toStep() != step) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "node");
            m.put("step", step);
            m.put("node", h.name());
            m.put("layer", h.layer());
            m.put("layer_kind", h.layerKindName());
            m.put("kind", h.kind() == NodeHistory.Kind.PARAMETER ? "parameter" : "activation");
            m.put("shape", h.shape());
            m.put("value", stats(r.value()));
            m.put("grad", r.grad() == null ? null : stats(r.grad()));
            // one field for both: the layer's kind, beside it, says which fraction it is
            double unitFraction = Double.isNaN(r.deadFraction()) ? r.saturatedFraction() : r.deadFraction();
            if (!Double.isNaN(unitFraction)) m.put("unit_fraction", unitFraction);
            if (!Double.isNaN(r.updateNorm())) {
                m.put("update_norm", r.updateNorm());
                m.put("update_ratio", r.updateRatio());
            }
            if (r.throughTime() != null) {
                // per stacked layer, per time step: the norm and RMS of the gradient at the hidden state
                Map<String, Object> tt = new LinkedHashMap<>();
                tt.put("norm", java.util.List.of(r.throughTime().norms()));
                tt.put("rms", java.util.List.of(r.throughTime().rms()));
                m.put("through_time", tt);
            }
            records.add(m);
        }
        out.writeAll(records);
    }

    @Override
    public void onNonFinite(NonFinite e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "nonfinite");
        m.put("node", e.node());
        m.put("op", e.op());
        m.put("pass", e.pass());
        m.put("step", e.step());
        m.put("detail", e.describe());
        out.write(m);
    }

    @Override
    public void onEpoch(int epoch, Evaluation test) {
        verdicts(Diagnosis.of(probe), epoch);
    }

    /** Writes a "verdicts" record (epoch 0 for the end of a run). */
    public void verdicts(Diagnosis d, int epoch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "verdicts");
        m.put("epoch", epoch);
        m.put("step", d.steps());
        m.put("diagnosis", d.toJson());
        out.write(m);
    }

    /** The STATS object of a node record (README: the run record), for writers of run logs outside the engine (gradprobe-djl). */
    public static Map<String, Object> stats(Stats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", s.count());
        m.put("norm", s.norm());
        m.put("rms", s.rms());
        m.put("mean", s.mean());
        m.put("std", s.std());
        m.put("max_abs", s.maxAbs());
        m.put("zero_fraction", s.zeroFraction());
        m.put("nan", s.nans());
        m.put("inf", s.infs());
        m.put("hist", s.histogram());
        return m;
    }
}
