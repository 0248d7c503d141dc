package org.gradprobe.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.gradprobe.probe.Advice;
import org.gradprobe.probe.Diagnosis;
import org.gradprobe.probe.Evidence;
import org.gradprobe.probe.LayerVerdict;
import org.gradprobe.probe.LossVerdict;
import org.gradprobe.probe.Verdict;
import org.gradprobe.probe.NodeHistory;
import org.gradprobe.probe.Observations;
import org.gradprobe.probe.StepRecord;
import org.gradprobe.tensor.Shapes;

/** The probe's table for a terminal: one row per layer with the numbers and the verdict, and a one-line history. */
public final class TerminalReport {
    private TerminalReport() {}

    private static final String SPARK = "▁▂▃▄▅▆▇█";

    /** The table, with advice in the library's words. */
    public static String render(Observations probe, Diagnosis d) {
        return render(probe, d, Advice.Remedy::text);
    }

    /** The table, with each remedy of the advice written by {@code remedy} (a front end names its own settings). */
    public static String render(Observations probe, Diagnosis d, Function<Advice.Remedy, String> remedy) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-8s %-10s %-12s %10s %9s %9s %7s  %-22s %s%n", "layer", "kind", "shape", "grad norm", "÷ output",
                "upd/wt", "zeros", "gradient norm over time", "verdict"));
        Map<String, NodeHistory> nodes = probe.nodes();
        for (LayerVerdict v : d.layers()) {
            // the layer's output, or its weight when the training was seen through its parameters (gradprobe-djl)
            NodeHistory act = nodes.containsKey(v.name()) ? nodes.get(v.name()) : nodes.get(v.name() + ".weight");
            Evidence e = v.evidence();
            sb.append(String.format("%-8s %-10s %-12s %10s %9s %9s %7s  %-22s %s%n", v.name(), v.kind(), Shapes.dims(act.shape()),
                    num(e.gradNorm()), num(e.ratioToOutput()), num(e.updateRatio()),
                    e.gradZeroFraction() == null ? "-" : String.format("%.0f%%", 100 * e.gradZeroFraction()),
                    sparkline(act.records(), 22), join(v.verdicts(), ",")));
        }
        LossVerdict loss = d.loss();
        sb.append(String.format("loss: %s (start %s, recent %s)%n", loss.verdict(), num(loss.first()), num(loss.last())));
        if (d.firstNonFinite() != null) sb.append(d.firstNonFinite().describe()).append('\n');
        // one line per distinct piece of advice, naming every layer it applies to
        Map<String, List<String>> byAdvice = new LinkedHashMap<>();
        for (LayerVerdict v : d.layers()) {
            if (v.healthy()) continue;
            for (Advice a : v.advice()) byAdvice.computeIfAbsent(a.render(remedy), k -> new ArrayList<>()).add(v.name() + " (" + join(v.verdicts(), ", ") + ")");
        }
        boolean any = !byAdvice.isEmpty();
        if (any) sb.append("what to change:\n");
        for (Map.Entry<String, List<String>> e : byAdvice.entrySet()) {
            sb.append("  ").append(String.join(", ", e.getValue())).append(":\n      ").append(e.getKey()).append('\n');
        }
        for (Advice a : loss.advice()) sb.append("  loss: ").append(a.render(remedy)).append('\n');
        if (!any && d.healthy()) sb.append("gradient flow is healthy in every layer.\n");
        return sb.toString();
    }

    private static String join(List<Verdict> verdicts, String separator) {
        return verdicts.stream().map(Verdict::jsonName).collect(Collectors.joining(separator));
    }

    static String num(Object o) {
        if (!(o instanceof Number)) return "-";
        double v = ((Number) o).doubleValue();
        if (Double.isNaN(v)) return "-";
        if (v == 0) return "0";
        double a = Math.abs(v);
        return a >= 1e-2 && a < 1e4 ? String.format("%.3g", v) : String.format("%.2e", v);
    }

    /** The gradient norm of each record on a log scale, resampled to {@code width} characters. */
    static String sparkline(List<StepRecord> records, int width) {
        if (records.isEmpty()) return "";
        int n = Math.min(width, records.size());
        double[] v = new double[n];
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            StepRecord r = records.get((int) ((long) i * records.size() / n));
            double g = r.gradNorm();
            v[i] = g > 0 && Double.isFinite(g) ? Math.log10(g) : Double.NaN;
            if (!Double.isNaN(v[i])) {
                lo = Math.min(lo, v[i]);
                hi = Math.max(hi, v[i]);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (double x : v) {
            if (Double.isNaN(x)) sb.append('·');
            else sb.append(SPARK.charAt(hi - lo < 1e-12 ? 3 : (int) Math.round((x - lo) / (hi - lo) * (SPARK.length() - 1))));
        }
        return sb.toString();
    }
}
