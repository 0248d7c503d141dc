package org.gradprobe.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.data.SampleSet;
import org.gradprobe.nn.Model;
import org.gradprobe.optim.Optimizer;
import org.gradprobe.train.Clipping;
import org.gradprobe.train.Trainer;

/**
 * The outcome of a probed run: the probe with its histories, verdicts per layer, the loss verdict, the
 * first non-finite event, and what gradient clipping did when it was on ({@code clipping}: null when off).
 */
public record Diagnosis(Observations probe, List<LayerVerdict> layers, LossVerdict loss, NonFiniteEvent firstNonFinite, long steps,
                        Clipping clipping) {

    /** True when no layer and not the loss has a verdict but healthy, and no NaN or Inf appeared. */
    public boolean healthy() {
        for (LayerVerdict v : layers) if (!v.healthy()) return false;
        return firstNonFinite == null && loss.healthy();
    }

    /** The verdicts on the probe's current histories. */
    public static Diagnosis of(Observations probe) {
        return of(probe, null);
    }

    private static Diagnosis of(Observations probe, Clipping clipping) {
        return new Diagnosis(probe, Detectors.run(probe), Detectors.lossVerdict(probe), probe.firstNonFinite(), probe.steps(), clipping);
    }

    /**
     * A short probed training run: the trainer's loop with {@code settings} (their {@code steps} steps,
     * reshuffling {@code data} each pass), the probe recording as {@code config} says, then the verdicts.
     */
    public static Diagnosis run(Model model, Optimizer optimizer, SampleSet data, Trainer.Settings settings, ProbeConfig config) {
        Trainer trainer = new Trainer(model, optimizer, settings);
        Probe probe = Probe.attach(trainer, config);
        trainer.fit(data, null);
        return of(probe, trainer.clipping().orElse(null));
    }

    /** The JSON object of {@code gradprobe diagnose --json}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verdict", healthy() ? "healthy" : "unhealthy");
        List<Object> ls = new ArrayList<>();
        for (LayerVerdict v : layers) ls.add(v.toJson());
        m.put("layers", ls);
        if (firstNonFinite == null) {
            m.put("first_nonfinite", null);
        } else {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("node", firstNonFinite.node());
            f.put("op", firstNonFinite.op());
            f.put("pass", firstNonFinite.pass());
            f.put("step", firstNonFinite.step());
            f.put("detail", firstNonFinite.describe());
            m.put("first_nonfinite", f);
        }
        m.put("loss", loss.toJson());
        m.put("steps", steps);
        if (clipping != null) m.put("clipping", clipping.toJson());
        return m;
    }
}
