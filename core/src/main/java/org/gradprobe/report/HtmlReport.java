package org.gradprobe.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gradprobe.probe.Stats;

/**
 * The self-contained HTML report of a run (no scripts, no network: inline SVG and CSS): the verdict
 * table with its evidence, the gradient-flow chart over depth, gradient norms over time, update/weight
 * ratios against the healthy band, the loss, and a log2-magnitude histogram heatmap per layer over time.
 */
public final class HtmlReport {
    private HtmlReport() {}

    static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    /** Points per chart series at most; longer runs are merged in buckets (spikes kept) for drawing. */
    static final int MAX_POINTS = 600;

    public static String render(RunData full) {
        RunData run = full.downsampled(MAX_POINTS);
        StringBuilder h = new StringBuilder();
        Map<String, Object> p = run.provenance;
        String verdict = run.diagnosis == null ? "no verdicts recorded" : String.valueOf(run.diagnosis.get("verdict"));
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gradprobe report: ").append(esc(str(p.get("model"))))
                .append("</title>\n<style>\n").append(CSS).append("</style></head><body>\n");
        h.append("<header><h1>gradprobe <span class=\"verdict ").append(verdict.equals("healthy") ? "ok" : "bad").append("\">")
                .append(esc(verdict)).append("</span></h1>\n<p class=\"spec\">").append(esc(str(p.get("model")))).append("</p>\n<p class=\"meta\">")
                .append(esc("gradprobe " + p.get("gradprobe") + " · " + p.get("command") + " · seed " + p.get("seed") + " · java " + p.get("java.version")
                        + " · " + p.get("os.name") + "/" + p.get("os.arch") + " · " + p.get("time")))
                .append("<br>").append(esc(org.gradprobe.io.Json.write(p.get("settings")))).append("</p></header>\n");
        if (run.nonfinite != null) {
            h.append("<p class=\"alarm\">").append(esc(str(run.nonfinite.get("detail")))).append("</p>\n");
        }
        h.append("<section><h2>Verdicts by layer</h2>\n").append(verdictTable(run)).append("</section>\n");
        h.append("<section><h2>Gradient flow</h2><p class=\"note\">Gradient norm at each layer's output (circles) and of each layer's "
                + "weights (squares), at the last recorded step, from input (left) to output (right), log scale (exact zeros on the row "
                + "marked 0). A healthy network keeps them within a few decades; a falling line toward the input is vanishing, a rising one "
                + "exploding.</p>\n")
                .append(flowChart(run)).append("</section>\n");
        // a training seen only through its parameters (gradprobe-djl) shows its weights' gradients where the layer outputs' would be
        boolean params = parametersOnly(run);
        h.append("<section><h2>Gradient norm over time</h2><p class=\"note\">").append(params ? "Of each layer's weights (the layer outputs were not "
                + "recorded)" : "At each layer's output").append(", log scale (exact zeros on the row marked 0).</p>\n")
                .append(timeChart(run, params ? "parameter" : "activation", s -> s.gradNorm, null, "gradient norm")).append("</section>\n");
        String throughTime = ThroughTimeChart.all(run, timeVanishRatio(run));
        if (!throughTime.isEmpty()) {
            h.append("<section id=\"through-time\"><h2>Gradient through time</h2><p class=\"note\">In each recurrent layer, the norm of the "
                    + "gradient reaching its hidden state at each time step of the sequence (∂L/∂h_t), log scale, one line per recorded training "
                    + "step (darker: later). Where the lines fall to the left, the gradient dies on its way back in time: the network cannot "
                    + "learn from that far back. The dashed line is the vanishing threshold.</p>\n").append(throughTime).append("</section>\n");
        }
        h.append("<section><h2>Update / weight ratio</h2><p class=\"note\">‖update‖/‖weight‖ per step for each weight; the band "
                + "is DL4J's healthy range [1e-4, 1e-2] around 1e-3.</p>\n")
                .append(timeChart(run, "parameter", s -> s.updateRatio, new double[] {1e-4, 1e-2}, "update/weight")).append("</section>\n");
        h.append("<section><h2>Loss</h2>\n").append(lossChart(run)).append("</section>\n");
        h.append("<section id=\"gradient-histograms\"><h2>Gradient histograms over time</h2><p class=\"note\">For each layer's "
                + (params ? "weights" : "output") + ": the share of gradient "
                + "values per power of two (rows, small at the bottom) at each recorded step (columns). The bottom row counts exact "
                + "zeros, the top row NaN and Inf (red).</p>\n<div class=\"grid\">\n");
        for (RunData.Series s : run.nodes.values()) if ((params ? s.node.endsWith(".weight") : s.kind.equals("activation")) && hasHist(s)) h.append(heatmap(s));
        h.append("</div></section>\n<footer>gradprobe — every number above is also in metrics.jsonl.</footer>\n</body></html>\n");
        return h.toString();
    }

    static final String CSS = String.join("\n",
            "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#222;background:#fafafa}",
            "h1{font-size:26px;margin:8px 0} h2{font-size:18px;margin:24px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px}",
            ".spec{font-family:ui-monospace,Menlo,monospace;background:#fff;border:1px solid #e3e3e3;padding:6px 8px;border-radius:4px;overflow-x:auto}",
            ".meta,.note{color:#666;font-size:12px} .alarm{background:#fdecea;border:1px solid #d62728;padding:8px;border-radius:4px;color:#8a1c1c}",
            ".verdict{font-size:14px;padding:3px 10px;border-radius:12px;vertical-align:middle;color:#fff} .ok{background:#2ca02c} .bad{background:#d62728}",
            "table{border-collapse:collapse;width:100%;background:#fff;font-size:13px} th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}",
            "th{background:#f0f0f0} td.num{text-align:right;font-family:ui-monospace,Menlo,monospace}",
            ".badge{display:inline-block;padding:1px 7px;margin:1px;border-radius:10px;font-size:12px;color:#fff}",
            ".b-healthy{background:#2ca02c}.b-vanishing{background:#1f77b4}.b-exploding{background:#d62728}.b-dead{background:#555}",
            ".b-saturated{background:#9467bd}.b-update_ratio{background:#ff7f0e}.b-nonfinite{background:#8a1c1c}",
            ".b-vanishing_through_time{background:#17becf}.b-exploding_through_time{background:#e377c2}",
            "svg{background:#fff;border:1px solid #e3e3e3;border-radius:4px} svg text{font:11px system-ui,sans-serif;fill:#444}",
            ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:10px} .advice{color:#555;font-size:12px}",
            "a.ref{display:inline-block;min-width:16px;margin:1px;padding:0 4px;border-radius:8px;background:#e8eef6;color:#1f4e8c;text-align:center;"
                    + "text-decoration:none;font-size:12px} h3{font-size:15px;margin:14px 0 4px} #advice li{margin:3px 0} .layers{font-weight:600}",
            "footer{color:#999;font-size:12px;margin:24px 0}", "");

    @SuppressWarnings("unchecked")
    static String verdictTable(RunData run) {
        if (run.diagnosis == null) return "<p>No verdicts were recorded.</p>";
        StringBuilder t = new StringBuilder("<table id=\"verdicts\"><tr><th>layer</th><th>kind</th><th>verdict</th><th>grad norm</th>"
                + "<th>÷ output</th><th>update/weight</th><th>zeros</th><th>dead / saturated</th><th>what to change</th></tr>\n");
        // each distinct piece of advice once, numbered, below the table; a row points to its numbers
        Map<String, List<String>> byAdvice = new LinkedHashMap<>();
        for (Object o : (List<Object>) run.diagnosis.get("layers")) {
            Map<String, Object> l = (Map<String, Object>) o;
            for (String a : advice(l)) byAdvice.computeIfAbsent(a, k -> new ArrayList<>()).add(str(l.get("name")));
        }
        Map<String, Object> loss = (Map<String, Object>) run.diagnosis.get("loss");
        if (loss != null) for (String a : advice(loss)) byAdvice.computeIfAbsent(a, k -> new ArrayList<>()).add("loss");
        List<String> numbered = new ArrayList<>(byAdvice.keySet());
        for (Object o : (List<Object>) run.diagnosis.get("layers")) {
            Map<String, Object> l = (Map<String, Object>) o;
            Map<String, Object> e = (Map<String, Object>) l.get("evidence");
            t.append("<tr><td>").append(esc(str(l.get("name")))).append("</td><td>").append(esc(str(l.get("kind")))).append("</td><td>");
            for (Object v : (List<Object>) l.get("verdicts")) t.append("<span class=\"badge b-").append(esc(str(v))).append("\">").append(esc(str(v))).append("</span>");
            Object frac = e.containsKey("dead_fraction") ? e.get("dead_fraction") : e.get("saturated_fraction");
            t.append("</td><td class=\"num\">").append(fmt(e.get("grad_norm"))).append("</td><td class=\"num\">").append(fmt(e.get("ratio_to_output")))
                    .append("</td><td class=\"num\">").append(fmt(e.get("update_ratio"))).append("</td><td class=\"num\">").append(pct(e.get("grad_zero_fraction")))
                    .append("</td><td class=\"num\">").append(pct(frac)).append("</td><td class=\"advice\">");
            for (String a : advice(l)) t.append(adviceRef(numbered.indexOf(a) + 1));
            t.append("</td></tr>\n");
        }
        if (loss != null) {
            t.append("<tr><td>loss</td><td></td><td><span class=\"badge b-").append(esc(str(loss.get("verdict")).equals("diverging") ? "exploding" : str(loss.get("verdict"))))
                    .append("\">").append(esc(str(loss.get("verdict")))).append("</span></td><td class=\"num\" colspan=\"5\">start ").append(fmt(loss.get("first")))
                    .append(", recent ").append(fmt(loss.get("last"))).append("</td><td class=\"advice\">");
            for (String a : advice(loss)) t.append(adviceRef(numbered.indexOf(a) + 1));
            t.append("</td></tr>\n");
        }
        t.append("</table>\n");
        if (byAdvice.isEmpty()) {
            if ("healthy".equals(run.diagnosis.get("verdict"))) t.append("<p>Nothing to change: gradient flow is healthy in every layer.</p>\n");
        } else {
            t.append("<h3>What to change</h3>\n<ol id=\"advice\">\n");
            int n = 0;
            for (Map.Entry<String, List<String>> e : byAdvice.entrySet()) {
                t.append("<li id=\"advice-").append(++n).append("\"><span class=\"layers\">")
                        .append(esc(String.join(", ", e.getValue()))).append("</span>: ").append(esc(e.getKey())).append("</li>\n");
            }
            t.append("</ol>\n");
        }
        return t.toString();
    }

    /** The advice items of a layer's or the loss's verdict (a log written before advice was a list holds one string). */
    private static List<String> advice(Map<String, Object> verdict) {
        Object a = verdict.get("advice");
        if (a instanceof List<?> items) return items.stream().map(HtmlReport::str).toList();
        return a == null || str(a).isEmpty() ? List.of() : List.of(str(a));
    }

    private static String adviceRef(int n) {
        return "<a class=\"ref\" href=\"#advice-" + n + "\">" + n + "</a>";
    }

    // ---- charts ----

    static final int W = 1040, H = 300, ML = 64, MR = 170, MT = 14, MB = 56;

    interface Pick {
        List<Double> of(RunData.Series s);
    }

    /** Whether the run recorded no layer output, only parameters (a DJL training). */
    static boolean parametersOnly(RunData run) {
        for (RunData.Series s : run.nodes.values()) if (s.kind.equals("activation")) return false;
        return true;
    }

    static String flowChart(RunData run) {
        List<String> layers = new ArrayList<>();
        boolean params = parametersOnly(run);
        for (RunData.Series s : run.nodes.values()) {
            if ((params ? s.node.endsWith(".weight") : s.kind.equals("activation")) && !layers.contains(s.layer)) layers.add(s.layer);
        }
        if (layers.isEmpty()) return "<p>No recorded steps.</p>";
        double[] act = new double[layers.size()], wt = new double[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            act[i] = params ? Double.NaN : last(run.nodes.get(layers.get(i)), s -> s.gradNorm);
            RunData.Series w = run.nodes.get(layers.get(i) + ".weight");
            wt[i] = w == null ? Double.NaN : last(w, s -> s.gradNorm);
        }
        double[] range = logRange(act, wt);
        StringBuilder g = new StringBuilder(svgOpen("gradient-flow"));
        g.append(logAxis(range, "gradient norm"));
        int n = layers.size();
        for (int i = 0; i < n; i++) {
            double x = xPos(i, n);
            g.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" transform=\"rotate(-40 %.1f %d)\">%s</text>",
                    x, H - MB + 14, x, H - MB + 14, esc(layers.get(i))));
        }
        g.append(polyline(act, range, PALETTE[0], true, n)).append(polyline(wt, range, PALETTE[1], false, n));
        g.append(legend(List.of("at layer output", "of layer weights"), List.of(PALETTE[0], PALETTE[1])));
        return g.append("</svg>\n").toString();
    }

    static String timeChart(RunData run, String kind, Pick pick, double[] band, String label) {
        List<RunData.Series> series = new ArrayList<>();
        for (RunData.Series s : run.nodes.values()) {
            if (!s.kind.equals(kind)) continue;
            if (kind.equals("parameter") && !s.node.endsWith(".weight")) continue;
            if (kind.equals("activation") && s.layerKind.matches("flatten|relu|leakyrelu|sigmoid|tanh|gelu|dropout|maxpool2d|avgpool2d")) continue;
            series.add(s);
        }
        if (series.isEmpty()) return "<p>No recorded steps.</p>";
        long minStep = Long.MAX_VALUE, maxStep = Long.MIN_VALUE;
        List<double[]> ys = new ArrayList<>();
        for (RunData.Series s : series) {
            for (long st : s.steps) {
                minStep = Math.min(minStep, st);
                maxStep = Math.max(maxStep, st);
            }
            ys.add(pick.of(s).stream().mapToDouble(Double::doubleValue).toArray());
        }
        double[] range = logRange(ys.toArray(new double[0][]));
        if (band != null) {
            range = range.clone();
            range[0] = Math.min(range[0], Math.log10(band[0]) - 0.5);
            range[1] = Math.max(range[1], Math.log10(band[1]) + 0.5);
        }
        StringBuilder g = new StringBuilder(svgOpen(band != null ? "update-ratio" : "grad-norm-time"));
        if (band != null) {
            double y1 = yPos(Math.log10(band[1]), range), y0 = yPos(Math.log10(band[0]), range);
            g.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#2ca02c\" opacity=\"0.12\"/>", ML, y1, W - ML - MR, y0 - y1));
        }
        g.append(logAxis(range, label)).append(stepAxis(minStep, maxStep));
        List<String> names = new ArrayList<>();
        List<String> colors = new ArrayList<>();
        for (int k = 0; k < series.size(); k++) {
            RunData.Series s = series.get(k);
            String c = PALETTE[k % PALETTE.length];
            StringBuilder pts = new StringBuilder();
            double[] y = ys.get(k);
            for (int i = 0; i < y.length; i++) {
                if (!(y[i] >= 0) || !Double.isFinite(y[i])) continue;
                double x = ML + (maxStep == minStep ? 0 : (double) (s.steps.get(i) - minStep) / (maxStep - minStep)) * (W - ML - MR);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, yOf(y[i], range)));
            }
            g.append("<polyline fill=\"none\" stroke=\"").append(c).append("\" stroke-width=\"1.5\" points=\"").append(pts).append("\"/>");
            names.add(kind.equals("parameter") ? s.node : s.layer + " (" + s.layerKind + ")");
            colors.add(c);
        }
        g.append(legend(names, colors));
        return g.append("</svg>\n").toString();
    }

    static String lossChart(RunData run) {
        if (run.losses.isEmpty()) return "<p>No losses recorded.</p>";
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        long minStep = (long) run.losses.get(0)[0], maxStep = (long) run.losses.get(run.losses.size() - 1)[0];
        for (double[] l : run.losses) {
            if (!Double.isFinite(l[1])) continue;
            lo = Math.min(lo, l[1]);
            hi = Math.max(hi, l[1]);
        }
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        StringBuilder g = new StringBuilder(svgOpen("loss"));
        g.append(stepAxis(minStep, maxStep));
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4, y = MT + (H - MT - MB) * (1 - i / 4.0);
            g.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                    ML, W - MR, y, y, ML - 6, y + 4, fmt(v)));
        }
        // the recorded losses (one batch each, noisy) faintly, and their moving average over 2% of the run on top
        int window = Math.max(1, run.losses.size() / 50);
        StringBuilder raw = new StringBuilder(), smooth = new StringBuilder();
        double sum = 0;
        int count = 0;
        java.util.ArrayDeque<Double> recent = new java.util.ArrayDeque<>();
        for (double[] l : run.losses) {
            if (!Double.isFinite(l[1])) continue;
            double x = ML + (maxStep == minStep ? 0 : (l[0] - minStep) / (maxStep - minStep)) * (W - ML - MR);
            raw.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, MT + (H - MT - MB) * (1 - (l[1] - lo) / (hi - lo))));
            recent.addLast(l[1]);
            sum += l[1];
            if (recent.size() > window) sum -= recent.removeFirst();
            count = recent.size();
            smooth.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, MT + (H - MT - MB) * (1 - (sum / count - lo) / (hi - lo))));
        }
        g.append("<polyline fill=\"none\" stroke=\"#bbb\" stroke-width=\"1\" points=\"").append(raw).append("\"/>");
        g.append("<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"").append(smooth).append("\"/>");
        g.append(legend(List.of("loss of the recorded batch", "moving average"), List.of("#bbb", "#d62728")));
        return g.append("</svg>\n").toString();
    }

    static boolean hasHist(RunData.Series s) {
        for (long[] h : s.gradHist) if (h != null) return true;
        return false;
    }

    static String heatmap(RunData.Series s) {
        int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE;
        for (long[] h : s.gradHist) {
            if (h == null) continue;
            for (int b = Stats.FIRST_EXP_BIN; b < h.length; b++) if (h[b] > 0) {
                lo = Math.min(lo, b);
                hi = Math.max(hi, b);
            }
        }
        boolean anyNonzero = lo <= hi;
        if (!anyNonzero) {
            lo = Stats.FIRST_EXP_BIN;
            hi = Stats.FIRST_EXP_BIN;
        }
        int rows = hi - lo + 1 + 2, cols = s.gradHist.size();
        int w = 240, hgt = 120, left = 34;
        double cw = (double) (w - left - 4) / Math.max(cols, 1), ch = (double) (hgt - 20) / rows;
        StringBuilder g = new StringBuilder(String.format(Locale.ROOT, "<svg class=\"heatmap\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">", w, hgt + 16, w, hgt + 16));
        g.append("<text x=\"4\" y=\"12\">").append(esc(s.layer + " (" + s.layerKind + ")")).append("</text>");
        for (int c = 0; c < cols; c++) {
            long[] h = s.gradHist.get(c);
            if (h == null) continue;
            long peak = 0;
            for (long v : h) peak = Math.max(peak, v);
            if (peak == 0) continue;
            for (int r = 0; r < rows; r++) {
                long count;
                boolean bad = r == 0;
                if (r == 0) count = h[Stats.NAN_BIN] + h[Stats.INF_BIN];
                else if (r == rows - 1) count = h[Stats.ZERO_BIN];
                else count = h[hi - (r - 1)];
                if (count == 0) continue;
                // shade relative to the step's fullest bin, square-rooted so sparse bins still show
                double f = Math.sqrt((double) count / peak);
                String color = bad ? "#d62728" : String.format(Locale.ROOT, "rgb(%d,%d,%d)", (int) (235 - 205 * f), (int) (240 - 175 * f), (int) (250 - 110 * f));
                g.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>", left + c * cw, 18 + r * ch,
                        Math.max(cw, 0.6), ch, color));
            }
        }
        if (anyNonzero) {
            g.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%.1f\">%s</text><text x=\"2\" y=\"%.1f\">%s</text>", 18 + ch * 1.8,
                    esc(Stats.binLabel(hi)), 18 + ch * (rows - 1.2), esc(Stats.binLabel(lo))));
        } else {
            g.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%.1f\">0</text><text x=\"%d\" y=\"%.1f\">all exactly zero</text>",
                    18 + ch * (rows - 0.3), left + 4, 18 + ch * 1.8));
        }
        return g.append("</svg>\n").toString();
    }

    // ---- chart helpers ----

    static String svgOpen(String id) {
        return String.format(Locale.ROOT, "<svg id=\"%s\" width=\"100%%\" viewBox=\"0 0 %d %d\" preserveAspectRatio=\"xMinYMin meet\">", id, W, H);
    }

    static double xPos(int i, int n) {
        return ML + (n == 1 ? 0.5 : (double) i / (n - 1)) * (W - ML - MR);
    }

    /** Height of the row under a log axis where exact zeros are drawn, when a chart has any. */
    private static final int ZERO_ROW = 22;

    /** The y of a log10 value; {@code range} is {lo, hi}, and a third element when the chart has a zero row. */
    static double yPos(double log, double[] range) {
        int bottom = H - MB - (range.length > 2 ? ZERO_ROW : 0);
        return MT + (bottom - MT) * (1 - (log - range[0]) / (range[1] - range[0]));
    }

    /** The y of a value: on the log axis, or in the zero row for an exact zero. */
    static double yOf(double v, double[] range) {
        return v == 0 ? H - MB - ZERO_ROW / 2.0 : yPos(Math.log10(v), range);
    }

    static double[] logRange(double[]... arrays) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] a : arrays) for (double v : a) if (v > 0 && Double.isFinite(v)) {
            lo = Math.min(lo, Math.log10(v));
            hi = Math.max(hi, Math.log10(v));
        }
        boolean zeros = false;
        for (double[] a : arrays) for (double v : a) zeros |= v == 0;
        if (lo > hi) {
            lo = -1;
            hi = 1;
        }
        lo = Math.floor(lo);
        hi = Math.ceil(hi);
        if (hi - lo < 1) hi = lo + 1;
        // a gradient that is exactly zero has no place on a log axis, and hiding it hides the worst case:
        // such values get a row of their own under the axis
        return zeros ? new double[] {lo, hi, 0} : new double[] {lo, hi};
    }

    static String logAxis(double[] range, String label) {
        StringBuilder g = new StringBuilder();
        int step = (int) Math.max(1, Math.ceil((range[1] - range[0]) / 8));
        for (int e = (int) range[0]; e <= range[1]; e += step) {
            double y = yPos(e, range);
            g.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">1e%d</text>",
                    ML, W - MR, y, y, ML - 6, y + 4, e));
        }
        if (range.length > 2) {
            double y = H - MB - ZERO_ROW / 2.0;
            g.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#ccc\" stroke-dasharray=\"4 3\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">0</text>", ML, W - MR, H - MB - ZERO_ROW, H - MB - ZERO_ROW, ML - 6, y + 4));
        }
        g.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>", (H - MB + MT) / 2, (H - MB + MT) / 2, esc(label)));
        return g.toString();
    }

    static String stepAxis(long min, long max) {
        StringBuilder g = new StringBuilder();
        for (int i = 0; i <= 5; i++) {
            long st = min + (max - min) * i / 5;
            double x = ML + (W - ML - MR) * i / 5.0;
            g.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>", x, H - MB + 16, st));
        }
        g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>", (W - MR + ML) / 2, H - MB + 34));
        return g.toString();
    }

    static String polyline(double[] v, double[] range, String color, boolean circles, int n) {
        StringBuilder pts = new StringBuilder(), marks = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0) || !Double.isFinite(v[i])) continue;
            double x = xPos(i, n), y = yOf(v[i], range);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            marks.append(circles ? String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s</title></circle>", x, y, color, fmt(v[i]))
                    : String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"><title>%s</title></rect>", x - 4, y - 4, color, fmt(v[i])));
        }
        return "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\" points=\"" + pts + "\"/>" + marks;
    }

    static String legend(List<String> names, List<String> colors) {
        StringBuilder g = new StringBuilder();
        int max = Math.min(names.size(), 16);
        for (int i = 0; i < max; i++) {
            int y = MT + 6 + i * 16;
            g.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>",
                    W - MR + 10, y, colors.get(i), W - MR + 26, y + 4, esc(names.get(i))));
        }
        if (names.size() > max) g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">… %d more</text>", W - MR + 26, MT + 10 + max * 16, names.size() - max));
        return g.toString();
    }

    static double last(RunData.Series s, Pick pick) {
        List<Double> v = pick.of(s);
        return v.isEmpty() ? Double.NaN : v.get(v.size() - 1);
    }

    static String fmt(Object o) {
        return TerminalReport.num(o);
    }

    static String pct(Object o) {
        return o instanceof Number ? String.format(Locale.ROOT, "%.0f%%", 100 * ((Number) o).doubleValue()) : "-";
    }

    static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The vanishing-through-time threshold the run was judged with (its provenance), else the default. */
    static double timeVanishRatio(RunData run) {
        Object settings = run.provenance.get("settings");
        Object probe = settings instanceof java.util.Map<?, ?> s ? s.get("probe") : null;
        Object v = probe instanceof java.util.Map<?, ?> m ? m.get("time_vanish_ratio") : null;
        return v instanceof Number x && x.doubleValue() > 0 ? x.doubleValue() : org.gradprobe.probe.ProbeConfig.defaults().timeVanishRatio();
    }
}
