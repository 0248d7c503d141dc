package org.gradprobe.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;

/**
 * The model spec language, the one way the command line names a network:
 * <pre>
 *   SPEC  := LAYER (' ' LAYER)*
 *   LAYER := [NAME '='] KIND ['(' ARGS ')']       ARGS: comma-separated numbers or key=value
 * </pre>
 * Kinds: conv2d(out, k[, stride=1][, padding=0][, bias=true]), maxpool2d(k[, stride=k]),
 * avgpool2d(k[, stride=k]), linear(out[, bias=true]), relu, leakyrelu(slope=0.01), sigmoid, tanh,
 * gelu, batchnorm, dropout(p=0.5), flatten, residual(SPEC); for sequences [T, D]: embedding(num, dim) (on T
 * token ids), rnn(hidden[, nonlinearity=tanh][, layers=1][, bias=true]), lstm(hidden[, layers=1][, bias=true]),
 * gru(hidden[, layers=1][, bias=true]), last, meanpool, and linear on the last dimension. Unnamed layers take their 0-based
 * position as name (as nn.Sequential); layers inside a residual are named {@code <parent>.<j>}.
 * A spec may also be one of the {@link Builtins}.
 */
public final class ModelSpec {
    private ModelSpec() {}

    /** How deep residual blocks may nest (each level is a recursion of the planner). */
    static final int MAX_NESTING = 100;

    /** How deep the layer named with {@code prefix} sits: the dots in its name. */
    private static int depth(String prefix) {
        return prefix.isEmpty() ? 0 : prefix.split("\\.", -1).length;
    }

    /** The most layers a spec may expand to (a DEPTH of mlp, mlp-bn or resmlp counts each of its blocks). */
    public static final int MAX_LAYERS = 10_000;

    /**
     * A spec's network before any weight exists: its canonical text, input shape and layers with their
     * shapes, enough to estimate what it will need ({@link #plan}).
     */
    public record Plan(String spec, int[] input, List<LayerPlan> layers) {
        /** Every layer, nested ones included, in forward order (a residual's body before the residual). */
        public List<LayerPlan> allLayers() {
            List<LayerPlan> out = new ArrayList<>();
            for (LayerPlan l : layers) l.collect(out);
            return out;
        }

        /** Trainable parameter elements in all. */
        public long parameterCount() {
            long n = 0;
            for (LayerPlan l : allLayers()) n += l.parameterCount();
            return n;
        }
    }

    /**
     * One layer of a {@link Plan}: its name, kind, spec text, per-sample shapes in and out, and its
     * parameters' shapes by local name ("weight", "bias").
     */
    public record LayerPlan(String name, String kind, String text, int[] in, int[] out, Map<String, int[]> params, List<LayerPlan> children) {
        public long parameterCount() {
            long n = 0;
            for (int[] s : params.values()) n += numel(s);
            return n;
        }

        /** "layer conv1 (conv2d(32,3))", as errors name it. */
        public String where() {
            return "layer " + name + " (" + text + ")";
        }

        private void collect(List<LayerPlan> out) {
            for (LayerPlan c : children) c.collect(out);
            out.add(this);
        }
    }

    /** A planned layer and how to make it (weights drawn from the generator in spec order). */
    private record Planned(LayerPlan plan, Maker maker, List<Planned> body) {}

    private interface Maker {
        Layer make(DType dtype, Init init, SplittableRandom rng, List<Layer> body);
    }

    /**
     * The layers of a spec (or a built-in) with their shapes, without allocating any weight. Refuses, naming
     * the layer, a spec that does not parse or fit its input, two layers of one name (parameters are keyed by
     * name), and a layer whose output or parameter has more than 2^31-1 elements.
     */
    public static Plan plan(String text, int[] input) {
        Builtins.Resolved r = Builtins.resolve(text);
        int[] in = input != null ? input : r.defaultInput();
        if (in == null) throw new SpecException("spec '" + text + "' needs an input shape (--input CxHxW or --input N)");
        List<Planned> layers = planList(r.spec(), "", checkInput(in));
        if (layers.isEmpty()) throw new SpecException("empty model spec");
        checkNames(layers, new LinkedHashMap<>());
        List<LayerPlan> plans = new ArrayList<>();
        for (Planned p : layers) plans.add(p.plan());
        return new Plan(r.spec(), in.clone(), plans);
    }

    /**
     * Builds a model from spec text (or a built-in). {@code input} is the per-sample input shape; null
     * takes the built-in's default. Weights come from {@code init} with a generator seeded by {@code seed}.
     */
    public static Model build(String text, int[] input, DType dtype, Init init, long seed) {
        Builtins.Resolved r = Builtins.resolve(text);
        int[] in = input != null ? input : r.defaultInput();
        if (in == null) throw new SpecException("spec '" + text + "' needs an input shape (--input CxHxW or --input N)");
        List<Planned> planned = planList(r.spec(), "", checkInput(in));
        if (planned.isEmpty()) throw new SpecException("empty model spec");
        checkNames(planned, new LinkedHashMap<>());
        SplittableRandom rng = new SplittableRandom(seed);
        List<Layer> layers = make(planned, dtype, init, rng);
        return new Model(describe(layers), in, layers, dtype);
    }

    private static List<Layer> make(List<Planned> planned, DType dtype, Init init, SplittableRandom rng) {
        List<Layer> out = new ArrayList<>();
        for (Planned p : planned) out.add(p.maker().make(dtype, init, rng, make(p.body(), dtype, init, rng)));
        return out;
    }

    /** Two layers of one name would share parameter names: the first would never be trained or saved. */
    private static void checkNames(List<Planned> layers, Map<String, LayerPlan> seen) {
        for (Planned p : layers) {
            LayerPlan l = p.plan();
            LayerPlan other = seen.putIfAbsent(l.name(), l);
            if (other != null) {
                throw new SpecException("duplicate layer name '" + l.name() + "': " + other.text() + " and " + l.text()
                        + " (parameters are keyed by name: rename one)");
            }
            checkNames(p.body(), seen);
        }
    }

    /** The spec text of a list of layers, names kept where they differ from the position. */
    static String describe(List<Layer> layers) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (i > 0) sb.append(' ');
            String local = l.name().substring(l.name().lastIndexOf('.') + 1);
            if (!local.equals(Integer.toString(i))) sb.append(local).append('=');
            sb.append(l.describe());
        }
        return sb.toString();
    }

    private static List<Planned> planList(String spec, String prefix, int[] in) {
        List<String> tokens = split(spec, ' ', spec);
        if (tokens.size() > MAX_LAYERS) throw new SpecException("spec has " + tokens.size() + " layers, more than " + MAX_LAYERS);
        List<Planned> out = new ArrayList<>();
        int[] shape = in;
        for (int i = 0; i < tokens.size(); i++) {
            Planned p = planLayer(tokens.get(i), i, prefix, shape);
            out.add(p);
            shape = p.plan().out();
        }
        return out;
    }

    private static final Pattern LAYER = Pattern.compile("(?:([A-Za-z_][A-Za-z0-9_]*)=)?([a-z0-9]+)(?:\\((.*)\\))?", Pattern.DOTALL);

    private static Planned planLayer(String token, int index, String prefix, int[] in) {
        Matcher m = LAYER.matcher(token);
        if (!m.matches()) throw new SpecException("cannot parse layer '" + token + "': expected [NAME=]KIND[(ARGS)]");
        String local = m.group(1) != null ? m.group(1) : Integer.toString(index);
        String name = prefix.isEmpty() ? local : prefix + "." + local;
        String kind = m.group(2).toLowerCase(Locale.ROOT);
        Args a = new Args(token, kind, m.group(3));
        String where = "layer " + name + " (" + token + ")";
        Map<String, int[]> params = new LinkedHashMap<>();
        switch (kind) {
            case "conv2d": {
                a.expect("out", "k", "stride", "padding", "bias");
                int out = a.posInt("out", -1), k = a.posInt("k", -1), stride = a.posInt("stride", 1);
                int pad = a.nonNegInt("padding", 0);
                boolean bias = a.bool("bias", true);
                needRank(where, in, 3, "C×H×W image");
                long h = in[1] + 2L * pad, w = in[2] + 2L * pad;
                if (h < k || w < k) {
                    throw new SpecException(where + ": input " + Shapes.dims(in) + " is smaller than the " + k + "x" + k + " kernel");
                }
                int[] outShape = fit(where, "output", out, (h - k) / stride + 1, (w - k) / stride + 1);
                fit(where, "unfolded input of one image", (long) in[0] * k * k, (long) outShape[1] * outShape[2]);
                params.put("weight", fit(where, "weight", out, in[0], k, k));
                if (bias) params.put("bias", new int[] {out});
                return planned(name, kind, token, in, outShape, params, (d, i, r, b) -> new Conv2d(name, in, out, k, stride, pad, bias, i, d, r));
            }
            case "maxpool2d": case "avgpool2d": {
                a.expect("k", "stride");
                int k = a.posInt("k", -1), stride = a.posInt("stride", k);
                needRank(where, in, 3, "C×H×W image");
                if (in[1] < k || in[2] < k) throw new SpecException(where + ": input " + Shapes.dims(in) + " is smaller than the window " + k);
                int[] outShape = {in[0], (in[1] - k) / stride + 1, (in[2] - k) / stride + 1};
                return planned(name, kind, token, in, outShape, params, (d, i, r, b) -> new Pool2d(name, in, kind.startsWith("max"), k, stride));
            }
            case "linear": {
                a.expect("out", "bias");
                int out = a.posInt("out", -1);
                boolean bias = a.bool("bias", true);
                if (in.length != 1 && in.length != 2) {
                    throw new SpecException(where + ": needs a vector or a sequence of vectors (T×D) as input, got " + Shapes.dims(in)
                            + " (add flatten before it)");
                }
                params.put("weight", fit(where, "weight", out, in[in.length - 1]));
                if (bias) params.put("bias", new int[] {out});
                int[] outShape = in.clone();
                outShape[in.length - 1] = out;
                fit(where, "output", Arrays.stream(outShape).asLongStream().toArray());
                return planned(name, kind, token, in, outShape, params, (d, i, r, b) -> new Linear(name, in, out, bias, i, d, r));
            }
            case "embedding": {
                a.expect("num", "dim");
                int v = a.posInt("num", -1), dim = a.posInt("dim", -1);
                needRank(where, in, 1, "sequence of T token ids (--input T)");
                params.put("weight", fit(where, "weight", v, dim));
                int[] outShape = fit(where, "output", in[0], dim);
                return planned(name, kind, token, in, outShape, params, (d, i, r, b) -> new Embedding(name, in, v, dim, i, d, r));
            }
            case "rnn": case "lstm": case "gru": {
                if (kind.equals("rnn")) a.expect("hidden", "nonlinearity", "layers", "bias");
                else a.expect("hidden", "layers", "bias");
                int hidden = a.posInt("hidden", -1), layers = a.posInt("layers", 1);
                boolean relu = kind.equals("rnn") && a.choice("nonlinearity", "tanh", "tanh", "relu").equals("relu");
                boolean bias = a.bool("bias", true);
                needRank(where, in, 2, "sequence of vectors (T×D, e.g. --input 28x28)");
                int gates = Recurrent.gates(kind);
                for (int k = 0; k < layers; k++) {
                    params.put("weight_ih_l" + k, fit(where, "weight_ih_l" + k, (long) gates * hidden, k == 0 ? in[1] : hidden));
                    params.put("weight_hh_l" + k, fit(where, "weight_hh_l" + k, (long) gates * hidden, hidden));
                    if (bias) {
                        params.put("bias_ih_l" + k, new int[] {gates * hidden});
                        params.put("bias_hh_l" + k, new int[] {gates * hidden});
                    }
                }
                int[] outShape = fit(where, "output", in[0], hidden);
                fit(where, "gates of one sample", in[0], (long) gates * hidden);
                return planned(name, kind, token, in, outShape, params,
                        (d, i, r, b) -> new Recurrent(name, kind, in, hidden, layers, relu, bias, i, d, r));
            }
            case "last": case "meanpool":
                a.expect();
                needRank(where, in, 2, "sequence of vectors (T×D)");
                return planned(name, kind, token, in, new int[] {in[1]}, params, (d, i, r, b) -> new SequenceReduce(name, kind, in));
            case "relu": case "sigmoid": case "tanh": case "gelu":
                a.expect();
                return planned(name, kind, token, in, in, params, (d, i, r, b) -> new Activation(name, in, kind, 0));
            case "leakyrelu": {
                a.expect("slope");
                double slope = a.num("slope", 0.01);
                return planned(name, kind, token, in, in, params, (d, i, r, b) -> new Activation(name, in, kind, slope));
            }
            case "batchnorm":
                a.expect();
                if (in.length != 1 && in.length != 3) {
                    throw new SpecException(where + ": needs a vector or a C×H×W image, got input " + Shapes.dims(in));
                }
                params.put("weight", new int[] {in[0]});
                params.put("bias", new int[] {in[0]});
                return planned(name, kind, token, in, in, params, (d, i, r, b) -> new BatchNorm(name, in, d));
            case "dropout": {
                a.expect("p");
                double p = a.num("p", 0.5);
                if (!(p >= 0 && p < 1)) throw new SpecException(where + ": p must be in [0, 1), got " + p);
                return planned(name, kind, token, in, in, params, (d, i, r, b) -> new Dropout(name, in, p));
            }
            case "flatten":
                a.expect();
                return planned(name, kind, token, in, new int[] {(int) numel(in)}, params, (d, i, r, b) -> new Flatten(name, in));
            case "residual": {
                if (m.group(3) == null || m.group(3).isBlank()) throw new SpecException(where + ": residual needs a body, residual(SPEC)");
                if (depth(prefix) >= MAX_NESTING) {
                    throw new SpecException("residual blocks nested more than " + MAX_NESTING + " deep (at layer " + prefix.substring(0, Math.min(prefix.length(), 20))
                            + "...)");
                }
                List<Planned> body = planList(m.group(3).trim(), name, in);
                if (body.isEmpty()) throw new SpecException(where + ": residual needs a body, residual(SPEC)");
                int[] outShape = body.get(body.size() - 1).plan().out();
                if (!Arrays.equals(outShape, in)) {
                    throw new SpecException(where + ": body maps " + Shapes.dims(in) + " to " + Shapes.dims(outShape)
                            + ", a residual needs the same shape out as in");
                }
                List<LayerPlan> children = new ArrayList<>();
                for (Planned p : body) children.add(p.plan());
                LayerPlan plan = new LayerPlan(name, kind, token, in.clone(), in.clone(), Map.of(), List.copyOf(children));
                return new Planned(plan, (d, i, r, b) -> new Residual(name, in, b), body);
            }
            default:
                throw new SpecException("unknown layer kind '" + kind + "' in '" + token + "': expected conv2d, maxpool2d, avgpool2d, "
                        + "linear, relu, leakyrelu, sigmoid, tanh, gelu, batchnorm, dropout, flatten, residual, embedding, rnn, lstm, gru, "
                        + "last or meanpool");
        }
    }

    private static Planned planned(String name, String kind, String token, int[] in, int[] out, Map<String, int[]> params, Maker maker) {
        return new Planned(new LayerPlan(name, kind, token, in.clone(), out, Map.copyOf(params), List.of()), maker, List.of());
    }

    /** The shape, when its element count fits an int; else an error naming the layer, the tensor and the shape. */
    private static int[] fit(String where, String what, long... dims) {
        long n = 1;
        boolean over = false;
        StringBuilder s = new StringBuilder();
        for (long d : dims) {
            s.append(s.length() == 0 ? "" : "x").append(d);
            if (over) continue;
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                over = true;
            }
        }
        if (over || n > Integer.MAX_VALUE) {
            throw new SpecException(where + ": " + what + " " + s + " has " + (over ? "more than 2^63" : String.format("%,d", n))
                    + " elements, more than 2^31-1: make it smaller");
        }
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) out[i] = (int) dims[i];
        return out;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    private static int[] checkInput(int[] in) {
        long[] dims = new long[in.length];
        for (int i = 0; i < in.length; i++) {
            if (in[i] < 1) throw new SpecException("input " + Shapes.dims(in) + ": dimensions must be positive");
            dims[i] = in[i];
        }
        fit("input " + Shapes.dims(in), "of one sample", dims);
        return in;
    }

    private static void needRank(String where, int[] in, int rank, String what) {
        if (in.length != rank) throw new SpecException(where + ": needs a " + what + " input, got " + Shapes.dims(in));
    }

    /** Splits at {@code sep} outside parentheses; checks that parentheses balance. */
    static List<String> split(String s, char sep, String whole) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '(') depth++;
            else if (ch == ')' && --depth < 0) throw new SpecException("unbalanced ')' at position " + i + " in '" + whole + "'");
            boolean isSep = sep == ' ' ? Character.isWhitespace(ch) : ch == sep;
            if (isSep && depth == 0) {
                if (i > start) out.add(s.substring(start, i).trim());
                start = i + 1;
            }
        }
        if (depth != 0) throw new SpecException("missing ')' in '" + whole + "'");
        if (start < s.length() && !s.substring(start).isBlank()) out.add(s.substring(start).trim());
        return out;
    }

    /** The arguments of one layer: positional in declared order, or key=value. */
    private static final class Args {
        private final String token;
        private final String kind;
        private final List<String> positional = new ArrayList<>();
        private final Map<String, String> named = new LinkedHashMap<>();
        private final Map<String, String> values = new LinkedHashMap<>();

        Args(String token, String kind, String body) {
            this.token = token;
            this.kind = kind;
            if (body == null || body.isBlank()) return;
            for (String part : split(body, ',', token)) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                    if (named.put(key, part.substring(eq + 1).trim()) != null) {
                        throw new SpecException("in '" + token + "': argument '" + key + "' given twice");
                    }
                } else {
                    if (!named.isEmpty()) throw new SpecException("in '" + token + "': positional argument '" + part + "' after key=value");
                    positional.add(part.trim());
                }
            }
        }

        void expect(String... names) {
            if (positional.size() > names.length) {
                throw new SpecException("in '" + token + "': " + kind + " takes " + (names.length == 0 ? "no arguments"
                        : "at most " + names.length + " arguments (" + String.join(", ", names) + ")") + ", got " + positional.size());
            }
            for (int i = 0; i < positional.size(); i++) values.put(names[i], positional.get(i));
            for (Map.Entry<String, String> e : named.entrySet()) {
                if (!Arrays.asList(names).contains(e.getKey())) {
                    throw new SpecException("in '" + token + "': unknown argument '" + e.getKey() + "' for " + kind
                            + (names.length == 0 ? " (it takes none)" : ", expected one of " + String.join(", ", names)));
                }
                if (values.containsKey(e.getKey())) throw new SpecException("in '" + token + "': argument '" + e.getKey() + "' given twice");
                values.put(e.getKey(), e.getValue());
            }
        }

        private String raw(String key, boolean required) {
            String v = values.get(key);
            if (v == null && required) throw new SpecException("in '" + token + "': " + kind + " needs argument '" + key + "'");
            return v;
        }

        int posInt(String key, int dflt) {
            String v = raw(key, dflt < 0);
            if (v == null) return dflt;
            try {
                int x = Integer.parseInt(v);
                if (x > 0) return x;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new SpecException("in '" + token + "': " + key + " must be a positive integer, got '" + v + "'");
        }

        int nonNegInt(String key, int dflt) {
            String v = raw(key, false);
            if (v == null) return dflt;
            try {
                int x = Integer.parseInt(v);
                if (x >= 0) return x;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new SpecException("in '" + token + "': " + key + " must be a non-negative integer, got '" + v + "'");
        }

        double num(String key, double dflt) {
            String v = raw(key, false);
            if (v == null) return dflt;
            try {
                double x = Double.parseDouble(v);
                if (Double.isFinite(x)) return x;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new SpecException("in '" + token + "': " + key + " must be a number, got '" + v + "'");
        }

        String choice(String key, String dflt, String... allowed) {
            String v = raw(key, false);
            if (v == null) return dflt;
            for (String c : allowed) if (c.equalsIgnoreCase(v)) return c;
            throw new SpecException("in '" + token + "': " + key + " must be " + String.join(" or ", allowed) + ", got '" + v + "'");
        }

        boolean bool(String key, boolean dflt) {
            String v = raw(key, false);
            if (v == null) return dflt;
            if (v.equalsIgnoreCase("true")) return true;
            if (v.equalsIgnoreCase("false")) return false;
            throw new SpecException("in '" + token + "': " + key + " must be true or false, got '" + v + "'");
        }
    }
}
