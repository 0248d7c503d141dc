package org.gradprobe.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.data.DataException;
import org.gradprobe.io.Json;

/** A run's JSON-lines log read back: provenance, per-node series, losses, epochs, the last verdicts. */
public final class RunData {
    /** The recorded series of one node. */
    public static final class Series {
        public final String node, layer, layerKind, kind;
        public final List<Long> steps = new ArrayList<>();
        public final List<Double> gradNorm = new ArrayList<>(), valueNorm = new ArrayList<>(), updateRatio = new ArrayList<>();
        public final List<long[]> gradHist = new ArrayList<>();
        public String shape = "";

        Series(String node, String layer, String layerKind, String kind) {
            this.node = node;
            this.layer = layer;
            this.layerKind = layerKind;
            this.kind = kind;
        }
    }

    public Map<String, Object> provenance = new LinkedHashMap<>();
    public final Map<String, Series> nodes = new LinkedHashMap<>();
    public final List<double[]> losses = new ArrayList<>();
    public final List<Map<String, Object>> epochs = new ArrayList<>();
    public Map<String, Object> diagnosis;
    public Map<String, Object> nonfinite;

    /** Reads {@code file}; lines that are not JSON objects are an error naming the line. */
    @SuppressWarnings("unchecked")
    public static RunData read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file (expected a run folder with metrics.jsonl)");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        RunData r = new RunData();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) continue;
            Object o;
            try {
                o = Json.parse(line);
            } catch (IllegalArgumentException e) {
                if (i == lines.size() - 1) break;          // a last line cut short by a crash: keep what came before
                throw new DataException(file + ":" + (i + 1) + ": " + e.getMessage());
            }
            if (!(o instanceof Map)) throw new DataException(file + ":" + (i + 1) + ": not a JSON object");
            r.add((Map<String, Object>) o);
        }
        if (r.provenance.isEmpty()) throw new DataException(file + ": no provenance line: not a gradprobe run log");
        return r;
    }

    @SuppressWarnings("unchecked")
    void add(Map<String, Object> m) {
        String type = String.valueOf(m.get("type"));
        switch (type) {
            case "provenance": provenance = m; break;
            case "loss": losses.add(new double[] {num(m.get("step")), num(m.get("loss"))}); break;
            case "epoch": epochs.add(m); break;
            case "verdicts": diagnosis = (Map<String, Object>) m.get("diagnosis"); break;
            case "nonfinite": if (nonfinite == null) nonfinite = m; break;
            case "node": {
                String node = (String) m.get("node");
                Series s = nodes.computeIfAbsent(node, k -> new Series(node, (String) m.get("layer"), (String) m.get("layer_kind"), (String) m.get("kind")));
                if (m.get("shape") instanceof List) {
                    StringBuilder sb = new StringBuilder();
                    for (Object d : (List<?>) m.get("shape")) sb.append(sb.length() > 0 ? "x" : "").append(d);
                    s.shape = sb.toString();
                }
                s.steps.add((long) num(m.get("step")));
                Map<String, Object> g = (Map<String, Object>) m.get("grad");
                Map<String, Object> v = (Map<String, Object>) m.get("value");
                s.gradNorm.add(g == null ? Double.NaN : num(g.get("norm")));
                s.valueNorm.add(v == null ? Double.NaN : num(v.get("norm")));
                s.updateRatio.add(m.containsKey("update_ratio") ? num(m.get("update_ratio")) : Double.NaN);
                long[] h = null;
                if (g != null && g.get("hist") instanceof List) {
                    List<?> l = (List<?>) g.get("hist");
                    h = new long[l.size()];
                    for (int i = 0; i < h.length; i++) h[i] = (long) num(l.get(i));
                }
                s.gradHist.add(h);
                break;
            }
            default:
                break;
        }
    }

    /**
     * A copy with at most {@code max} points per series, for drawing: consecutive records are merged in
     * buckets (the largest gradient and value norm, so spikes stay visible; the mean update ratio; summed
     * histograms; the mean loss). The run log itself is never thinned.
     */
    public RunData downsampled(int max) {
        RunData d = new RunData();
        d.provenance = provenance;
        d.epochs.addAll(epochs);
        d.diagnosis = diagnosis;
        d.nonfinite = nonfinite;
        int lk = Math.max(1, (losses.size() + max - 1) / max);
        for (int i = 0; i < losses.size(); i += lk) {
            double sum = 0;
            int n = 0;
            double step = 0;
            for (int j = i; j < Math.min(losses.size(), i + lk); j++) {
                sum += losses.get(j)[1];
                n++;
                step = losses.get(j)[0];
            }
            d.losses.add(new double[] {step, sum / n});
        }
        for (Series s : nodes.values()) {
            Series t = new Series(s.node, s.layer, s.layerKind, s.kind);
            t.shape = s.shape;
            int k = Math.max(1, (s.steps.size() + max - 1) / max);
            for (int i = 0; i < s.steps.size(); i += k) {
                int end = Math.min(s.steps.size(), i + k);
                double g = Double.NEGATIVE_INFINITY, v = Double.NEGATIVE_INFINITY, u = 0;
                int un = 0;
                long[] h = null;
                for (int j = i; j < end; j++) {
                    g = maxIgnoringNaN(g, s.gradNorm.get(j));
                    v = maxIgnoringNaN(v, s.valueNorm.get(j));
                    if (!Double.isNaN(s.updateRatio.get(j))) {
                        u += s.updateRatio.get(j);
                        un++;
                    }
                    long[] x = s.gradHist.get(j);
                    if (x != null) {
                        if (h == null) h = new long[x.length];
                        for (int b = 0; b < x.length; b++) h[b] += x[b];
                    }
                }
                t.steps.add(s.steps.get(end - 1));
                t.gradNorm.add(g == Double.NEGATIVE_INFINITY ? Double.NaN : g);
                t.valueNorm.add(v == Double.NEGATIVE_INFINITY ? Double.NaN : v);
                t.updateRatio.add(un == 0 ? Double.NaN : u / un);
                t.gradHist.add(h);
            }
            d.nodes.put(t.node, t);
        }
        return d;
    }

    /** The larger of the two, ignoring NaN (a node without a gradient at some step). */
    private static double maxIgnoringNaN(double acc, double x) {
        return Double.isNaN(x) ? acc : Math.max(acc, x);
    }

    static double num(Object o) {
        if (o instanceof Number) return ((Number) o).doubleValue();
        if ("NaN".equals(o)) return Double.NaN;
        if ("Infinity".equals(o)) return Double.POSITIVE_INFINITY;
        if ("-Infinity".equals(o)) return Double.NEGATIVE_INFINITY;
        return Double.NaN;
    }
}
