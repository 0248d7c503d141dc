package org.gradprobe.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's picture of the gradient through time: for each recurrent layer (and each of its stacked
 * layers), the norm of ∂L/∂h_t against the time step t on a log scale, one line per recorded training
 * step (up to {@link #LINES}, light for the early ones, dark for the latest), with the line 1e-3 below the
 * latest last step's norm under which the detectors say the gradient has vanished. Where the lines fall
 * off to the left is where in time the gradient dies.
 */
final class ThroughTimeChart {
    private ThroughTimeChart() {}

    /** Recorded steps drawn per chart at most, evenly spread over the run, the latest always among them. */
    static final int LINES = 8;

    /** The charts of every recurrent layer in {@code run}; empty when it has none. */
    static String all(RunData run, double threshold) {
        StringBuilder out = new StringBuilder();
        for (RunData.Series s : run.nodes.values()) {
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < s.throughTime.size(); i++) if (s.throughTime.get(i) != null) at.add(i);
            if (at.isEmpty()) continue;
            int stacked = s.throughTime.get(at.get(at.size() - 1)).length;
            for (int k = 0; k < stacked; k++) {
                out.append("<h3>").append(HtmlReport.esc(s.layer + " (" + s.layerKind + ")" + (stacked > 1 ? ", stacked layer " + k : ""))).append("</h3>\n");
                out.append(chart(s, at, k, threshold));
            }
        }
        return out.toString();
    }

    private static String chart(RunData.Series s, List<Integer> at, int k, double threshold) {
        List<Integer> pick = new ArrayList<>();
        int n = Math.min(LINES, at.size());
        for (int j = 0; j < n; j++) {
            int idx = at.get(n == 1 ? at.size() - 1 : (int) Math.round((double) j * (at.size() - 1) / (n - 1)));
            if (!pick.contains(idx) && s.throughTime.get(idx).length > k) pick.add(idx);
        }
        List<double[]> lines = new ArrayList<>();
        for (int idx : pick) lines.add(s.throughTime.get(idx)[k]);
        double[] latest = lines.get(lines.size() - 1);
        double cut = threshold * latest[latest.length - 1];
        double[] range = HtmlReport.logRange(append(lines, new double[] {cut}).toArray(new double[0][]));
        int steps = latest.length;
        StringBuilder g = new StringBuilder(HtmlReport.svgOpen("through-time-" + s.layer.replace('.', '-') + (k > 0 ? "-l" + k : "")));
        g.append(HtmlReport.logAxis(range, "‖∂L/∂h_t‖"));
        for (int i = 0; i <= 5; i++) {
            int t = (steps - 1) * i / 5;
            g.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>", HtmlReport.xPos(t, steps), HtmlReport.H - HtmlReport.MB + 16, t));
        }
        g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time step t</text>",
                (HtmlReport.W - HtmlReport.MR + HtmlReport.ML) / 2, HtmlReport.H - HtmlReport.MB + 34));
        if (cut > 0 && Double.isFinite(cut)) {
            double y = HtmlReport.yOf(cut, range);
            g.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"5 4\">"
                    + "<title>%s of the last step's gradient (latest record): below it, vanished</title></line>",
                    HtmlReport.ML, HtmlReport.W - HtmlReport.MR, y, y, HtmlReport.fmt(threshold)));
        }
        List<String> names = new ArrayList<>(), colors = new ArrayList<>();
        for (int j = 0; j < lines.size(); j++) {
            String c = shade(lines.size() == 1 ? 1 : (double) j / (lines.size() - 1));
            StringBuilder pts = new StringBuilder();
            double[] v = lines.get(j);
            for (int t = 0; t < v.length; t++) {
                if (v[t] >= 0 && Double.isFinite(v[t])) pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", HtmlReport.xPos(t, steps), HtmlReport.yOf(v[t], range)));
            }
            g.append("<polyline fill=\"none\" stroke=\"").append(c).append("\" stroke-width=\"").append(j == lines.size() - 1 ? "2.5" : "1.5")
                    .append("\" points=\"").append(pts).append("\"/>");
            names.add("step " + s.steps.get(pick.get(j)));
            colors.add(c);
        }
        names.add(HtmlReport.fmt(threshold) + " of the last step");
        colors.add("#d62728");
        g.append(HtmlReport.legend(names, colors));
        return g.append("</svg>\n").toString();
    }

    private static List<double[]> append(List<double[]> a, double[] b) {
        List<double[]> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    /** From light blue (0: the earliest recorded step drawn) to dark blue (1: the latest). */
    static String shade(double f) {
        int[] light = {0xc6, 0xdb, 0xef}, dark = {0x08, 0x30, 0x6b};
        StringBuilder sb = new StringBuilder("#");
        for (int i = 0; i < 3; i++) sb.append(String.format("%02x", (int) Math.round(light[i] + f * (dark[i] - light[i]))));
        return sb.toString();
    }
}
