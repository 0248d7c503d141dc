package org.gradprobe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.gradprobe.io.SafeTensors;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * Access to the golden files made by scripts/make_golden.py from PyTorch, and the comparison every
 * golden test uses: max |a − b| ≤ tol · max(max|b|, tiny), per tensor (relative to the tensor's scale,
 * so that near-zero entries do not dominate).
 */
public final class Golden {
    /** Tolerances by precision: float64 to 1e-10 relative, float32 to 1e-4. */
    public static double tol(DType dt) {
        return dt == DType.FLOAT64 ? 1e-10 : 1e-4;
    }

    private Golden() {}

    public static Path path(String file) {
        URL u = Golden.class.getResource("/golden/" + file);
        if (u == null) throw new IllegalStateException("golden file " + file + " missing: run scripts/make_golden.py");
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SafeTensors.Contents load(String file) {
        return SafeTensors.read(path(file));
    }

    /** The largest |x| of a tensor. */
    public static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.numel(); i++) m = Math.max(m, Math.abs(t.get(i)));
        return m;
    }

    /** The relative error of {@code actual} against {@code expected} (scale: the largest |expected|). */
    public static double relErr(Tensor actual, Tensor expected) {
        return relErr(actual, expected, 0);
    }

    /**
     * As {@link #relErr(Tensor, Tensor)} with the scale at least {@code floor}: for a tensor whose true
     * value is zero (a conv bias before batch norm), both sides are rounding noise, and it is measured
     * against the size of the model's other gradients instead of its own.
     */
    public static double relErr(Tensor actual, Tensor expected, double floor) {
        double worst = 0;
        double scale = Math.max(Math.max(maxAbs(expected), floor), 1e-300);
        for (int i = 0; i < expected.numel(); i++) {
            double d = Math.abs(actual.get(i) - expected.get(i));
            if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d / scale);
        }
        return worst;
    }

    public static void assertClose(String what, Tensor actual, Tensor expected, double tol) {
        assertClose(what, actual, expected, tol, 0);
    }

    public static void assertClose(String what, Tensor actual, Tensor expected, double tol, double floor) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Shapes.str(actual.shape())
                + " vs expected " + Shapes.str(expected.shape()));
        double err = relErr(actual, expected, floor);
        if (!(err <= tol)) fail(what + ": relative error " + err + " > " + tol + "; got " + actual + ", expected " + expected);
    }
}
