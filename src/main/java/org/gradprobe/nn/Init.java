package org.gradprobe.nn;

import java.util.Locale;
import java.util.SplittableRandom;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Rand;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * Weight and bias initializers. {@code default} is PyTorch's for Linear and Conv2d:
 * kaiming_uniform with a = √5 (bound 1/√fan_in) for weights, uniform ±1/√fan_in for biases.
 * Others: {@code he-normal}, {@code he-uniform} (He et al., 2015, for ReLU), {@code xavier-normal},
 * {@code xavier-uniform} (Glorot and Bengio, 2010), {@code normal(std)}, {@code uniform(a)}; each may be
 * followed by {@code *k} to scale it (e.g. {@code he-normal*4}). Biases keep PyTorch's default unless
 * a constant is given.
 *
 * <p>The random stream is gradprobe's own (seeded), so values differ from PyTorch's; their
 * distributions are the same. To start from PyTorch's exact weights, load them from safetensors.
 */
public final class Init {
    private final String scheme;
    private final double arg;
    private final double scale;
    private final Double biasConstant;

    private Init(String scheme, double arg, double scale, Double biasConstant) {
        this.scheme = scheme;
        this.arg = arg;
        this.scale = scale;
        this.biasConstant = biasConstant;
    }

    public static Init pytorchDefault() {
        return new Init("default", 0, 1, null);
    }

    /**
     * Parses a weight scheme ({@code default}, {@code he-normal}, {@code normal(0.02)}, {@code he-normal*4}, …)
     * and an optional bias constant (null keeps PyTorch's default bias).
     */
    public static Init parse(String weight, Double biasConstant) {
        String s = weight.trim().toLowerCase(Locale.ROOT);
        double scale = 1;
        int star = s.lastIndexOf('*');
        if (star > 0) {
            scale = number(s.substring(star + 1), weight);
            s = s.substring(0, star).trim();
        }
        String name = s;
        double arg = 0;
        int open = s.indexOf('(');
        if (open > 0) {
            if (!s.endsWith(")")) throw bad(weight);
            name = s.substring(0, open);
            arg = number(s.substring(open + 1, s.length() - 1), weight);
        }
        switch (name) {
            case "default": case "he-normal": case "he-uniform": case "xavier-normal": case "xavier-uniform":
                if (open > 0) throw bad(weight);
                break;
            case "normal": case "uniform":
                if (open < 0 || !(arg > 0)) throw bad(weight);
                break;
            default:
                throw bad(weight);
        }
        if (!Double.isFinite((open > 0 ? arg : 1) * scale)) {
            throw new IllegalArgumentException("bad init '" + weight + "': its scale overflows (" + (open > 0 ? arg + " × " : "") + scale + ")");
        }
        return new Init(name, arg, scale, biasConstant);
    }

    private static double number(String s, String whole) {
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) throw bad(whole);
            return v;
        } catch (NumberFormatException e) {
            throw bad(whole);
        }
    }

    private static IllegalArgumentException bad(String s) {
        return new IllegalArgumentException("bad init '" + s + "', expected default, he-normal, he-uniform, xavier-normal, "
                + "xavier-uniform, normal(STD) or uniform(A), optionally followed by *SCALE");
    }

    /** A weight of {@code shape} whose fan-in and fan-out are computed as PyTorch does. */
    Tensor weight(DType dtype, SplittableRandom rng, int... shape) {
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        int fanIn = shape[1] * receptive, fanOut = shape[0] * receptive;
        double[] v = new double[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            double x;
            switch (scheme) {
                case "default": x = Rand.uniform(rng, 1.0 / Math.sqrt(fanIn)); break;
                case "he-normal": x = Math.sqrt(2.0 / fanIn) * Rand.gaussian(rng); break;
                case "he-uniform": x = Rand.uniform(rng, Math.sqrt(6.0 / fanIn)); break;
                case "xavier-normal": x = Math.sqrt(2.0 / (fanIn + fanOut)) * Rand.gaussian(rng); break;
                case "xavier-uniform": x = Rand.uniform(rng, Math.sqrt(6.0 / (fanIn + fanOut))); break;
                case "normal": x = arg * Rand.gaussian(rng); break;
                case "uniform": x = Rand.uniform(rng, arg); break;
                default: throw new IllegalStateException(scheme);
            }
            v[i] = x * scale;
        }
        return Tensor.of(dtype, shape, v);
    }

    /** A bias for a layer of fan-in {@code fanIn}: the constant if one was given, else PyTorch's default. */
    Tensor bias(DType dtype, SplittableRandom rng, int n, int fanIn) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = biasConstant != null ? biasConstant : Rand.uniform(rng, 1.0 / Math.sqrt(fanIn));
        return Tensor.of(dtype, new int[] {n}, v);
    }

    @Override
    public String toString() {
        return scheme + (scheme.equals("normal") || scheme.equals("uniform") ? "(" + arg + ")" : "")
                + (scale != 1 ? "*" + scale : "") + (biasConstant != null ? ", bias=" + biasConstant : "");
    }
}
