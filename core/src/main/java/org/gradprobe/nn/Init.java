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
 * {@code xavier-uniform} (Glorot and Bengio, 2010), {@code normal(std)}, {@code uniform(a)},
 * {@code orthogonal} (Saxe et al., 2014; PyTorch's {@code orthogonal_}, on a weight flattened to
 * [out, rest]) and {@code identity} (Le et al.'s IRNN, 2015: recurrent weights only, the others keep
 * PyTorch's default); each may be followed
 * by {@code *k} to scale it (e.g. {@code he-normal*4}, {@code identity*1.2}). Biases keep PyTorch's default
 * unless a constant is given.
 *
 * <p>Recurrent layers: PyTorch draws every weight and bias uniform in ±1/√H, and so does {@code default}.
 * {@code orthogonal} and {@code identity} set the hidden-to-hidden weight, one H×H block a gate, and leave
 * the input weights at PyTorch's default; the other schemes set both, each gate block by its own fans.
 * Embeddings draw N(0, 1) as PyTorch does, unless another scheme is given.
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
            case "default": case "he-normal": case "he-uniform": case "xavier-normal": case "xavier-uniform": case "orthogonal": case "identity":
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
                + "xavier-uniform, orthogonal, identity, normal(STD) or uniform(A), optionally followed by *SCALE");
    }

    /** A weight of {@code shape} whose fan-in and fan-out are computed as PyTorch does. */
    Tensor weight(DType dtype, SplittableRandom rng, int... shape) {
        return Tensor.of(dtype, shape, values(rng, shape));
    }

    /** A recurrent layer's input weight [G·H, in]: PyTorch's uniform ±1/√H by default (and with orthogonal or identity). */
    Tensor recurrentInput(DType dtype, SplittableRandom rng, int gates, int hidden, int in) {
        if (scheme.equals("default") || scheme.equals("identity") || scheme.equals("orthogonal")) return uniform(dtype, rng, 1 / Math.sqrt(hidden), gates * hidden, in);
        return blocks(dtype, rng, gates, hidden, in);
    }

    /** A recurrent layer's hidden-to-hidden weight [G·H, H], one H×H block a gate. */
    Tensor recurrentHidden(DType dtype, SplittableRandom rng, int gates, int hidden) {
        if (scheme.equals("default")) return uniform(dtype, rng, 1 / Math.sqrt(hidden), gates * hidden, hidden);
        if (scheme.equals("identity")) {
            double[] v = new double[gates * hidden * hidden];
            for (int g = 0; g < gates; g++) for (int j = 0; j < hidden; j++) v[(g * hidden + j) * hidden + j] = scale;
            return Tensor.of(dtype, new int[] {gates * hidden, hidden}, v);
        }
        return blocks(dtype, rng, gates, hidden, hidden);
    }

    /** A recurrent layer's bias [G·H]: the constant if one was given, else PyTorch's uniform ±1/√H. */
    Tensor recurrentBias(DType dtype, SplittableRandom rng, int gates, int hidden) {
        return bias(dtype, rng, gates * hidden, hidden);
    }

    /** An embedding's weight [V, D]: N(0, 1) as PyTorch's, or the scheme given. */
    Tensor embedding(DType dtype, SplittableRandom rng, int vocabulary, int dim) {
        if (scheme.equals("default")) return Tensor.randn(dtype, rng, 1, vocabulary, dim);
        return weight(dtype, rng, vocabulary, dim);
    }

    private static Tensor uniform(DType dtype, SplittableRandom rng, double bound, int... shape) {
        double[] v = new double[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = Rand.uniform(rng, bound);
        return Tensor.of(dtype, shape, v);
    }

    /** [G·H, cols] drawn one [H, cols] gate block at a time, each with its own fans. */
    private Tensor blocks(DType dtype, SplittableRandom rng, int gates, int hidden, int cols) {
        double[] v = new double[gates * hidden * cols];
        for (int g = 0; g < gates; g++) System.arraycopy(values(rng, hidden, cols), 0, v, g * hidden * cols, hidden * cols);
        return Tensor.of(dtype, new int[] {gates * hidden, cols}, v);
    }

    private double[] values(SplittableRandom rng, int... shape) {
        if (scheme.equals("orthogonal")) return orthogonal(rng, shape[0], Shapes.numel(shape) / shape[0], scale);
        if (scheme.equals("identity")) return pytorchDefault().values(rng, shape);    // identity is for recurrent weights only
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
        return v;
    }

    /**
     * A rows×cols matrix with orthonormal rows (rows ≤ cols) or columns, times {@code gain}: the Q of a Gaussian
     * matrix's QR decomposition with R's diagonal made positive, as PyTorch's {@code orthogonal_} (by modified
     * Gram–Schmidt, which gives that Q directly).
     */
    static double[] orthogonal(SplittableRandom rng, int rows, int cols, double gain) {
        boolean wide = rows < cols;
        int m = wide ? cols : rows, n = wide ? rows : cols;    // orthonormalize the n columns of a tall m×n matrix
        double[][] q = new double[n][m];
        for (double[] col : q) for (int i = 0; i < m; i++) col[i] = Rand.gaussian(rng);
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < m; i++) dot += q[k][i] * q[j][i];
                for (int i = 0; i < m; i++) q[j][i] -= dot * q[k][i];
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += q[j][i] * q[j][i];
            norm = Math.sqrt(norm);
            for (int i = 0; i < m; i++) q[j][i] /= norm;
        }
        double[] v = new double[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) v[r * cols + c] = gain * (wide ? q[r][c] : q[c][r]);
        return v;
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
