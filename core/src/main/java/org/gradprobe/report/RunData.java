package org.gradprobe.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradprobe.data.DataException;
import org.gradprobe.io.Heap;
import org.gradprobe.io.InputFiles;
import org.gradprobe.io.Json;

/** A run's JSON-lines log read back: provenance, per-node series, losses, epochs, the last verdicts. */
public final class RunData {
    /** The recorded series of one node. */
    public static final class Series {
        public final String node, layer, layerKind, kind;
        public final List<Long> steps = new ArrayList<>();
        public final List<Double> gradNorm = new ArrayList<>(), valueNorm = new ArrayList<>(), updateRatio = new ArrayList<>();
        public final List<long[]> gradHist = new ArrayList<>();
        /** Recurrent layers: per record, the gradient norm at the hidden state per stacked layer and time step (null: none). */
        public final List<double[][]> throughTime = new ArrayList<>();
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

    /** The longest line read (a node record with its histograms is about 2 KB). */
    static final int MAX_LINE = 16 << 20;

    /**
     * Reads {@code file} line by line (memory grows with the records kept, not the file): a line that is
     * not UTF-8, not a JSON object, longer than {@link #MAX_LINE} or a record with a field of the wrong
     * type is an error naming the file and line. A last line cut short by a crash is dropped.
     */
    public static RunData read(Path file) {
        String problem = InputFiles.problem(file);
        if (problem != null) {
            throw new DataException(file + ": " + problem + (problem.equals("no such file") || problem.startsWith("is a dir")
                    ? " (expected a run folder with metrics.jsonl)" : ""));
        }
        RunData r = new RunData();
        try (InputStream in = Files.newInputStream(file)) {
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            int pos = 0, len = 0;
            String pendingError = null;          // a bad line is only an error if another line follows it
            int number = 0;
            for (boolean end = false; !end; ) {
                line.reset();
                boolean newline = false;
                while (!newline) {
                    if (pos == len) {
                        len = in.read(buf);
                        pos = 0;
                        if (len < 0) {
                            len = 0;
                            end = true;
                            break;
                        }
                    }
                    int from = pos;
                    while (pos < len && buf[pos] != '\n') pos++;
                    if (line.size() + (pos - from) > MAX_LINE) {
                        throw new DataException(file + ":" + (number + 1) + ": line longer than " + Heap.bytes(MAX_LINE)
                                + ", not a gradprobe run log");
                    }
                    line.write(buf, from, pos - from);
                    if (pos < len) {
                        newline = true;
                        pos++;
                    }
                }
                if (end && line.size() == 0) break;
                number++;
                if (pendingError != null) throw new DataException(pendingError);
                String text;
                try {
                    text = utf8.decode(ByteBuffer.wrap(line.toByteArray())).toString().trim();
                } catch (CharacterCodingException e) {
                    pendingError = file + ":" + number + ": not valid UTF-8, expected a JSON line";
                    continue;
                }
                if (text.isEmpty()) continue;
                Object o;
                try {
                    o = Json.parse(text);
                } catch (IllegalArgumentException e) {
                    pendingError = file + ":" + number + ": " + e.getMessage();
                    continue;
                }
                if (!(o instanceof Map)) throw new DataException(file + ":" + number + ": not a JSON object");
                try {
                    r.add(asObject(o));
                } catch (BadRecord e) {
                    throw new DataException(file + ":" + number + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new DataException(file + ": " + InputFiles.reason(e), e);
        }
        if (r.provenance.isEmpty()) throw new DataException(file + ": no provenance line: not a gradprobe run log");
        return r;
    }

    /** A record whose field has the wrong type; {@link #read} adds the file and line. */
    private static final class BadRecord extends RuntimeException {
        BadRecord(String message) {
            super(message);
        }
    }

    /** The diagnosis as the report reads it: its layers a list of objects with a list of verdicts, its loss an object. */
    private static Map<String, Object> checkDiagnosis(Map<String, Object> d) {
        if (d == null) return null;
        List<?> layers = field(d, "layers", List.class, "a list");
        if (layers != null) {
            for (Object l : layers) {
                if (!(l instanceof Map)) throw new BadRecord("'diagnosis.layers' holds " + Json.write(l) + ", expected objects");
                Map<String, Object> layer = asObject(l);
                field(layer, "name", String.class, "a string");
                field(layer, "verdicts", List.class, "a list");
                field(layer, "evidence", Map.class, "an object");
            }
        }
        field(d, "loss", Map.class, "an object");
        return d;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object o) {
        return (Map<String, Object>) o;
    }

    /** Field {@code key} of {@code m}: absent (null) or an instance of {@code type}, else a BadRecord naming both. */
    private static <T> T field(Map<String, Object> m, String key, Class<T> type, String expected) {
        Object v = m.get(key);
        if (v == null || type.isInstance(v)) return type.cast(v);
        throw new BadRecord("\"" + key + "\" is " + Json.write(v) + in(m) + ", expected " + expected);
    }

    /** " in a \"node\" record", or nothing for the statistics nested in one. */
    private static String in(Map<String, Object> m) {
        return m.get("type") == null ? "" : " in a \"" + m.get("type") + "\" record";
    }

    /** A number field (NaN and infinities as the strings the log writes); absent is NaN. */
    private static double number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null || v instanceof Number || "NaN".equals(v) || "Infinity".equals(v) || "-Infinity".equals(v)) return num(v);
        throw new BadRecord("\"" + key + "\" is " + Json.write(v) + in(m) + ", expected a number");
    }

    void add(Map<String, Object> m) {
        String type = String.valueOf(m.get("type"));
        switch (type) {
            case "provenance": provenance = m; break;
            case "loss": losses.add(new double[] {number(m, "step"), number(m, "loss")}); break;
            case "epoch": epochs.add(m); break;
            case "verdicts": diagnosis = checkDiagnosis(asObject(field(m, "diagnosis", Map.class, "an object"))); break;
            case "nonfinite": if (nonfinite == null) nonfinite = m; break;
            case "node": {
                String node = field(m, "node", String.class, "a string (the node's name)");
                if (node == null) throw new BadRecord("a \"node\" record without its \"node\" name");
                String layer = field(m, "layer", String.class, "a string"), layerKind = field(m, "layer_kind", String.class, "a string");
                String kind = field(m, "kind", String.class, "\"activation\" or \"parameter\"");
                Series s = nodes.computeIfAbsent(node, k -> new Series(node, layer, layerKind, kind == null ? "activation" : kind));
                List<?> shape = field(m, "shape", List.class, "a list of sizes");
                if (shape != null) {
                    StringBuilder sb = new StringBuilder();
                    for (Object d : shape) sb.append(sb.length() > 0 ? "x" : "").append(d);
                    s.shape = sb.toString();
                }
                Map<String, Object> g = asObject(field(m, "grad", Map.class, "an object of statistics or null"));
                Map<String, Object> v = asObject(field(m, "value", Map.class, "an object of statistics"));
                double step = number(m, "step");
                double gradNorm = g == null ? Double.NaN : number(g, "norm"), valueNorm = v == null ? Double.NaN : number(v, "norm");
                double ratio = m.containsKey("update_ratio") ? number(m, "update_ratio") : Double.NaN;
                long[] h = null;
                List<?> l = g == null ? null : field(g, "hist", List.class, "a list of counts");
                if (l != null) {
                    h = new long[l.size()];
                    for (int i = 0; i < h.length; i++) {
                        if (!(l.get(i) instanceof Number)) throw new BadRecord("\"hist\" holds " + Json.write(l.get(i)) + ", expected counts");
                        h[i] = ((Number) l.get(i)).longValue();
                    }
                }
                Map<String, Object> tt = asObject(field(m, "through_time", Map.class, "an object"));
                s.throughTime.add(tt == null ? null : matrix(field(tt, "norm", List.class, "a list of lists of numbers")));
                s.steps.add((long) step);
                s.gradNorm.add(gradNorm);
                s.valueNorm.add(valueNorm);
                s.updateRatio.add(ratio);
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
                double[][] tt = null;
                for (int j = i; j < end; j++) {
                    if (s.throughTime.get(j) != null) tt = s.throughTime.get(j);    // the bucket's last profile
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
                t.throughTime.add(tt);
            }
            d.nodes.put(t.node, t);
        }
        return d;
    }

    /** A list of lists of numbers (NaN and infinities as strings) as rows. */
    private static double[][] matrix(List<?> rows) {
        if (rows == null) return null;
        double[][] out = new double[rows.size()][];
        for (int k = 0; k < out.length; k++) {
            if (!(rows.get(k) instanceof List<?> row)) throw new BadRecord("\"through_time\" holds " + Json.write(rows.get(k)) + ", expected lists of numbers");
            out[k] = new double[row.size()];
            for (int t = 0; t < out[k].length; t++) {
                Object v = row.get(t);
                if (!(v instanceof Number || "NaN".equals(v) || "Infinity".equals(v) || "-Infinity".equals(v))) {
                    throw new BadRecord("\"through_time\" holds " + Json.write(v) + ", expected numbers");
                }
                out[k][t] = num(v);
            }
        }
        return out;
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
